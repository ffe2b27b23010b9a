package dev.pier.cli.command;

import dev.pier.cli.Cli;
import dev.pier.cli.CliError;
import dev.pier.cli.args.FlagSet;
import dev.pier.cli.args.Parsed;
import dev.pier.cli.http.ApiClient;
import dev.pier.cli.http.Response;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** {@code pier inspect}: a container, else an image, else a network; and the typed variants. */
public final class InspectCommand {
    private static final String[] TYPES = {"container", "image", "network"};

    private InspectCommand() {
    }

    public static int inspect(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("inspect", "[OPTIONS] NAME|ID [NAME|ID...]", "Return low-level information on Pier objects")
                .string("format", 'f', "string", "Format output using a custom template")
                .bool("size", 's', "Display total file sizes if the type is container")
                .string("type", (char) 0, "string", "Only inspect objects of the given type");
        Parsed p = flags.parse(args, from);
        p.minArgs(1);
        String type = p.string("type", "");
        if (!type.isEmpty() && !type.equals("container") && !type.equals("image") && !type.equals("network")) {
            throw new CliError.Failure("\"" + type + "\" is not a valid value for --type");
        }
        List<byte[]> documents = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String name : p.args()) {
            if (!type.isEmpty()) {
                fetch(cli, type, name, p.bool("size"), documents, errors, true);
                continue;
            }
            boolean found = false;
            for (String candidate : TYPES) {
                int outcome = fetch(cli, candidate, name, p.bool("size"), documents, errors, false);
                if (outcome != NOT_FOUND) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                errors.add("Error: No such object: " + name);
            }
        }
        Support.printInspected(cli, documents, p.string("format"));
        return Support.finish(cli, errors);
    }

    /** container inspect, image inspect. */
    public static int typed(Cli cli, String command, String type, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet(command, "[OPTIONS] " + type.toUpperCase(java.util.Locale.ROOT) + " ["
                + type.toUpperCase(java.util.Locale.ROOT) + "...]", "Display detailed information on one or more " + type + "s")
                .string("format", 'f', "string", "Format output using a custom template");
        if (type.equals("container")) {
            flags.bool("size", 's', "Display total file sizes");
        }
        Parsed p = flags.parse(args, from);
        p.minArgs(1);
        boolean size = type.equals("container") && p.bool("size");
        List<byte[]> documents = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String name : p.args()) {
            fetch(cli, type, name, size, documents, errors, true);
        }
        Support.printInspected(cli, documents, p.string("format"));
        return Support.finish(cli, errors);
    }

    private static final int FOUND = 0;
    private static final int NOT_FOUND = 1;
    private static final int FAILED = 2;

    private static int fetch(Cli cli, String type, String name, boolean size, List<byte[]> documents, List<String> errors,
                             boolean reportNotFound) throws CliError, IOException {
        String segment = ApiClient.segment(name);
        String path = switch (type) {
            case "container" -> "/containers/" + segment + "/json" + (size ? "?size=1" : "");
            case "image" -> "/images/" + segment + "/json";
            default -> "/networks/" + segment;
        };
        try (Response response = cli.api().request("GET", path, null, null)) {
            if (response.ok()) {
                documents.add(response.bytes());
                return FOUND;
            }
            CliError.Daemon error = response.error();
            if (error.status() == 404 && !reportNotFound) {
                return NOT_FOUND;
            }
            errors.add(error.getMessage());
            return FAILED;
        }
    }
}
