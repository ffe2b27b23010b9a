package dev.pier.cli.command;

import dev.pier.cli.Cli;
import dev.pier.cli.CliError;
import dev.pier.cli.args.FlagSet;
import dev.pier.cli.args.Parsed;
import dev.pier.cli.format.Humanize;
import dev.pier.cli.format.Template;
import dev.pier.cli.format.TemplateException;
import dev.pier.cli.http.ApiClient;
import dev.pier.cli.json.Json;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** version and info. */
public final class SystemCommands {
    private SystemCommands() {
    }

    static Map<String, Object> clientInfo(Cli cli) {
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("Version", Cli.VERSION);
        client.put("ApiVersion", ApiClient.API_PREFIX.substring(2));
        client.put("DefaultAPIVersion", ApiClient.API_PREFIX.substring(2));
        client.put("JavaVersion", System.getProperty("java.version"));
        client.put("Os", "linux");
        client.put("Arch", arch());
        client.put("Context", "default");
        client.put("Host", cli.hostSpec());
        return client;
    }

    private static String arch() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }

    public static int version(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("version", "[OPTIONS]", "Show the Pier version information")
                .string("format", 'f', "string", "Format output using a custom template");
        Parsed p = flags.parse(args, from);
        p.noArgs();
        Map<String, Object> client = clientInfo(cli);
        String format = p.string("format");
        if (format != null && !format.isEmpty()) {
            Template template;
            try {
                template = Template.parse(format);
            } catch (TemplateException e) {
                throw new CliError.Failure("template parsing error: " + e.getMessage());
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("Client", client);
            data.put("Server", cli.api().getJson("/version"));
            try {
                cli.out().println(template.execute(data));
            } catch (TemplateException e) {
                throw new CliError.Failure("template parsing error: " + e.getMessage());
            }
            return 0;
        }
        StringBuilder out = new StringBuilder("Client:\n");
        field(out, 1, "Version:", Cli.VERSION);
        field(out, 1, "API version:", (String) client.get("ApiVersion"));
        field(out, 1, "Java version:", System.getProperty("java.version"));
        field(out, 1, "OS/Arch:", "linux/" + client.get("Arch"));
        field(out, 1, "Context:", "default");
        cli.out().print(out);
        cli.out().flush();
        Map<String, Object> server = Json.object(cli.api().getJson("/version"));
        out.setLength(0);
        String platform = Json.string(Json.object(server.get("Platform")), "Name");
        out.append("\nServer:").append(platform.isEmpty() ? "" : " " + platform).append('\n');
        List<Object> components = Json.array(server.get("Components"));
        if (components.isEmpty()) {
            engine(out, server, server);
        }
        for (Object c : components) {
            Map<String, Object> component = Json.object(c);
            String name = Json.string(component, "Name");
            Map<String, Object> details = Json.object(component.get("Details"));
            if (name.equals("Engine")) {
                engine(out, server, details);
                continue;
            }
            out.append(' ').append(name).append(":\n");
            field(out, 2, "Version:", Json.string(component, "Version"));
            for (Map.Entry<String, Object> detail : details.entrySet()) {
                field(out, 2, detail.getKey() + ":", Json.string(detail.getValue()));
            }
        }
        cli.out().print(out);
        return 0;
    }

    private static void engine(StringBuilder out, Map<String, Object> server, Map<String, Object> details) {
        out.append(" Engine:\n");
        field(out, 2, "Version:", Json.string(server, "Version"));
        String minimum = Json.string(details, "MinAPIVersion");
        field(out, 2, "API version:", Json.string(details, "ApiVersion") + (minimum.isEmpty() ? "" : " (minimum version " + minimum + ")"));
        if (!Json.string(details, "GoVersion").isEmpty()) {
            field(out, 2, "Go version:", Json.string(details, "GoVersion"));
        }
        field(out, 2, "Git commit:", Json.string(details, "GitCommit"));
        field(out, 2, "Built:", Json.string(details, "BuildTime"));
        field(out, 2, "OS/Arch:", Json.string(details, "Os") + "/" + Json.string(details, "Arch"));
        Object experimental = details.containsKey("Experimental") ? details.get("Experimental") : server.get("Experimental");
        field(out, 2, "Experimental:", experimental == null ? "false" : String.valueOf(experimental));
    }

    /** Docker aligns version values at column 20. */
    private static void field(StringBuilder out, int indent, String key, String value) {
        int start = out.length();
        for (int i = 0; i < indent; i++) {
            out.append(' ');
        }
        out.append(key);
        int width = out.length() - start;
        for (int i = width; i < 19; i++) {
            out.append(' ');
        }
        out.append(' ').append(value).append('\n');
    }

    public static int info(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("info", "[OPTIONS]", "Display system-wide information")
                .string("format", 'f', "string", "Format output using a custom template")
                .aliases("pier system info, pier info");
        Parsed p = flags.parse(args, from);
        p.noArgs();
        String format = p.string("format");
        Map<String, Object> info = Json.object(cli.api().getJson("/info"));
        if (format != null && !format.isEmpty()) {
            Map<String, Object> data = new LinkedHashMap<>(info);
            data.put("ClientInfo", clientInfo(cli));
            try {
                cli.out().println(Template.parse(format).execute(data));
            } catch (TemplateException e) {
                throw new CliError.Failure("template parsing error: " + e.getMessage());
            }
            return 0;
        }
        StringBuilder out = new StringBuilder();
        out.append("Client:\n Version:    ").append(Cli.VERSION).append("\n Context:    default\n Debug Mode: false\n\n");
        out.append("Server:\n");
        line(out, 1, "Containers", info.get("Containers"));
        line(out, 2, "Running", info.get("ContainersRunning"));
        line(out, 2, "Paused", info.get("ContainersPaused"));
        line(out, 2, "Stopped", info.get("ContainersStopped"));
        line(out, 1, "Images", info.get("Images"));
        line(out, 1, "Server Version", info.get("ServerVersion"));
        line(out, 1, "Storage Driver", info.get("Driver"));
        line(out, 1, "Logging Driver", info.get("LoggingDriver"));
        line(out, 1, "Cgroup Driver", info.get("CgroupDriver"));
        line(out, 1, "Cgroup Version", info.get("CgroupVersion"));
        Map<String, Object> plugins = Json.object(info.get("Plugins"));
        if (!plugins.isEmpty()) {
            out.append(" Plugins:\n");
            for (String kind : new String[] {"Volume", "Network", "Log"}) {
                List<Object> names = Json.array(plugins.get(kind));
                if (!names.isEmpty()) {
                    out.append("  ").append(kind).append(':');
                    for (Object name : names) {
                        out.append(' ').append(Json.string(name));
                    }
                    out.append('\n');
                }
            }
        }
        Map<String, Object> runtimes = Json.object(info.get("Runtimes"));
        if (!runtimes.isEmpty()) {
            out.append(" Runtimes:");
            for (String runtime : runtimes.keySet()) {
                out.append(' ').append(runtime);
            }
            out.append('\n');
        }
        line(out, 1, "Default Runtime", info.get("DefaultRuntime"));
        line(out, 1, "Kernel Version", info.get("KernelVersion"));
        line(out, 1, "Operating System", info.get("OperatingSystem"));
        line(out, 1, "OSType", info.get("OSType"));
        line(out, 1, "Architecture", info.get("Architecture"));
        line(out, 1, "CPUs", info.get("NCPU"));
        if (info.get("MemTotal") instanceof Number memory) {
            line(out, 1, "Total Memory", Humanize.bytesSize(memory.doubleValue()));
        }
        line(out, 1, "Name", info.get("Name"));
        line(out, 1, "ID", info.get("ID"));
        line(out, 1, "Pier Root Dir", info.get("DockerRootDir"));
        line(out, 1, "Debug Mode", info.get("Debug"));
        line(out, 1, "Experimental", info.get("ExperimentalBuild"));
        line(out, 1, "Live Restore Enabled", info.get("LiveRestoreEnabled"));
        for (Object warning : Json.array(info.get("Warnings"))) {
            out.append(Json.string(warning)).append('\n');
        }
        cli.out().print(out);
        return 0;
    }

    private static void line(StringBuilder out, int indent, String key, Object value) {
        if (value == null || (value instanceof String s && s.isEmpty())) {
            return;
        }
        for (int i = 0; i < indent; i++) {
            out.append(' ');
        }
        out.append(key).append(": ");
        StringBuilder text = new StringBuilder();
        dev.pier.cli.format.GoFormat.appendValue(text, value);
        out.append(text).append('\n');
    }
}
