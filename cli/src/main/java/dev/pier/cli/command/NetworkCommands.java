package dev.pier.cli.command;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.pier.cli.Cli;
import dev.pier.cli.CliError;
import dev.pier.cli.args.FlagSet;
import dev.pier.cli.args.Parsed;
import dev.pier.cli.format.ListFormatter;
import dev.pier.cli.format.NetworkRow;
import dev.pier.cli.format.TemplateException;
import dev.pier.cli.http.ApiClient;
import dev.pier.cli.http.ApiClient.Query;
import dev.pier.cli.http.Response;
import dev.pier.cli.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** pier network create | ls | inspect | rm | prune | connect | disconnect. */
public final class NetworkCommands {
    static final String USAGE = """

            Usage:  pier network COMMAND

            Manage networks

            Commands:
              connect     Connect a container to a network
              create      Create a network
              disconnect  Disconnect a container from a network
              inspect     Display detailed information on one or more networks
              ls          List networks
              prune       Remove all unused networks
              rm          Remove one or more networks

            Run 'pier network COMMAND --help' for more information on a command.
            """;

    private NetworkCommands() {
    }

    public static int dispatch(Cli cli, String[] args, int from) throws CliError, IOException {
        if (from >= args.length || args[from].equals("--help") || args[from].equals("-h")) {
            throw new CliError.Help(USAGE);
        }
        String sub = args[from];
        return switch (sub) {
            case "ls", "list" -> ls(cli, args, from + 1);
            case "create" -> create(cli, args, from + 1);
            case "inspect" -> inspect(cli, args, from + 1);
            case "rm", "remove" -> rm(cli, args, from + 1);
            case "prune" -> prune(cli, args, from + 1);
            case "connect" -> connect(cli, args, from + 1);
            case "disconnect" -> disconnect(cli, args, from + 1);
            default -> throw unknown("network", sub);
        };
    }

    /** {@code pier: unknown command: pier network frob}, exit 1. */
    static CliError.Usage unknown(String group, String sub) {
        if (sub.startsWith("-")) {
            String flag = sub.startsWith("--") ? "unknown flag: " + sub : "unknown shorthand flag: '" + sub.charAt(1) + "' in " + sub;
            return new CliError.Usage(flag, group, "pier " + group + " COMMAND", true, false);
        }
        return new CliError.Usage("pier: unknown command: pier " + group + " " + sub, group, "pier " + group, false, false);
    }

    private static String path(String network, String rest) {
        return "/networks/" + ApiClient.segment(network) + rest;
    }

    // ---- ls ------------------------------------------------------------------------------------------

    static int ls(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("network ls", "[OPTIONS]", "List networks")
                .list("filter", 'f', "Provide filter values (e.g. \"driver=bridge\")")
                .string("format", (char) 0, "string", "Format output using a custom template")
                .bool("no-trunc", (char) 0, "Do not truncate the output")
                .bool("quiet", 'q', "Only display network IDs")
                .aliases("pier network ls, pier network list");
        Parsed p = flags.parse(args, from);
        p.noArgs();
        String format = p.string("format", "");
        if (format.isEmpty() || format.equals("table")) {
            format = p.bool("quiet") ? "{{.ID}}" : NetworkRow.DEFAULT_TABLE;
        }
        String filters = Support.filters(flags, p.list("filter"));
        String query = filters == null ? "" : new Query().add("filters", filters).toString();
        List<Object> networks = Json.array(cli.api().getJson("/networks" + query));
        boolean truncate = !p.bool("no-trunc");
        List<NetworkRow> rows = new ArrayList<>(networks.size());
        for (Object n : networks) {
            rows.add(new NetworkRow(Json.object(n), truncate));
        }
        sortByName(rows);
        try {
            cli.out().print(ListFormatter.render(format, rows, NetworkRow.header()));
        } catch (TemplateException e) {
            throw new CliError.Failure(e.getMessage());
        }
        return 0;
    }

    private static void sortByName(List<NetworkRow> rows) {
        for (int i = 1; i < rows.size(); i++) {
            NetworkRow row = rows.get(i);
            int j = i - 1;
            while (j >= 0 && NaturalOrder.compare(rows.get(j).name(), row.name()) > 0) {
                rows.set(j + 1, rows.get(j));
                j--;
            }
            rows.set(j + 1, row);
        }
    }

    // ---- create ----------------------------------------------------------------------------------------

    static int create(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("network create", "[OPTIONS] NETWORK", "Create a network")
                .string("driver", 'd', "string", "Driver to manage the Network (default \"bridge\")")
                .list("opt", 'o', "Set driver specific options")
                .list("label", (char) 0, "Set metadata on a network")
                .bool("internal", (char) 0, "Restrict external access to the network")
                .bool("ipv4", (char) 0, "Enable or disable IPv4 address assignment (default true)")
                .bool("ipv6", (char) 0, "Enable or disable IPv6 address assignment")
                .bool("attachable", (char) 0, "Enable manual container attachment")
                .bool("ingress", (char) 0, "Create swarm routing-mesh network")
                .string("scope", (char) 0, "string", "Control the network's scope")
                .string("ipam-driver", (char) 0, "string", "IP Address Management Driver (default \"default\")")
                .list("subnet", (char) 0, "Subnet in CIDR format that represents a network segment")
                .list("ip-range", (char) 0, "Allocate container ip from a sub-range")
                .list("gateway", (char) 0, "IPv4 or IPv6 Gateway for the master subnet")
                .list("aux-address", (char) 0, "Auxiliary IPv4 or IPv6 addresses used by Network driver")
                .list("ipam-opt", (char) 0, "Set IPAM driver specific options");
        Parsed p = flags.parse(args, from);
        p.exactArgs(1);
        String name = p.arg(0);
        List<Map<String, Object>> ipam = ipamConfig(flags, p);
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
        JsonGenerator g = Json.factory().createGenerator(buffer);
        g.writeStartObject();
        g.writeStringField("Name", name);
        g.writeBooleanField("CheckDuplicate", true);
        g.writeStringField("Driver", p.string("driver", "bridge"));
        g.writeStringField("Scope", p.string("scope", ""));
        if (p.isSet("ipv4")) {
            g.writeBooleanField("EnableIPv4", p.bool("ipv4"));
        }
        g.writeBooleanField("EnableIPv6", p.bool("ipv6"));
        g.writeObjectFieldStart("IPAM");
        g.writeStringField("Driver", p.string("ipam-driver", "default"));
        g.writeArrayFieldStart("Config");
        for (Map<String, Object> config : ipam) {
            g.writeStartObject();
            for (Map.Entry<String, Object> e : config.entrySet()) {
                if (e.getValue() instanceof Map<?, ?> aux) {
                    g.writeObjectFieldStart(e.getKey());
                    for (Map.Entry<?, ?> a : aux.entrySet()) {
                        g.writeStringField(String.valueOf(a.getKey()), String.valueOf(a.getValue()));
                    }
                    g.writeEndObject();
                } else {
                    g.writeStringField(e.getKey(), String.valueOf(e.getValue()));
                }
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        writeMap(g, "Options", keyValues(flags, "ipam-opt", p.list("ipam-opt")));
        g.writeEndObject();
        g.writeBooleanField("Internal", p.bool("internal"));
        g.writeBooleanField("Attachable", p.bool("attachable"));
        g.writeBooleanField("Ingress", p.bool("ingress"));
        g.writeBooleanField("ConfigOnly", false);
        writeMap(g, "Options", keyValues(flags, "opt", p.list("opt")));
        writeMap(g, "Labels", keyValues(flags, "label", p.list("label")));
        g.writeEndObject();
        g.close();
        Map<String, Object> created = Json.object(cli.api().postJson("/networks/create", buffer.toByteArray()));
        String warning = Json.string(created, "Warning");
        if (!warning.isEmpty()) {
            cli.err().println("WARNING: " + warning);
        }
        cli.out().println(Json.string(created, "Id"));
        return 0;
    }

    private static void writeMap(JsonGenerator g, String field, Map<String, String> values) throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, String> e : values.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    /** {@code k=v} list flags as a map; a bare {@code k} has the empty value. */
    static Map<String, String> keyValues(FlagSet flags, String flag, List<String> values) throws CliError.Usage {
        Map<String, String> map = new LinkedHashMap<>();
        for (String value : values) {
            int eq = value.indexOf('=');
            String key = eq < 0 ? value : value.substring(0, eq);
            if (key.isEmpty()) {
                throw flags.invalidArgument(flag, value, "invalid key '" + value + "': empty name");
            }
            map.put(key, eq < 0 ? "" : value.substring(eq + 1));
        }
        return map;
    }

    /**
     * Docker's IPAM consolidation: each --ip-range, --gateway and --aux-address goes with the --subnet
     * that contains it; overlapping subnets and orphans are refused before anything is sent.
     */
    static List<Map<String, Object>> ipamConfig(FlagSet flags, Parsed p) throws CliError {
        List<String> subnets = p.list("subnet");
        List<String> ranges = p.list("ip-range");
        List<String> gateways = p.list("gateway");
        for (String range : ranges) {
            if (Addresses.cidr(range) == null) {
                throw flags.invalidArgument("ip-range", range, "invalid CIDR address: " + range);
            }
        }
        for (String gateway : gateways) {
            if (!Addresses.isIp(gateway)) {
                throw flags.invalidArgument("gateway", gateway, "invalid string being converted to IP address: " + gateway);
            }
        }
        Map<String, String> aux = keyValues(flags, "aux-address", p.list("aux-address"));
        if (subnets.size() < ranges.size() || subnets.size() < gateways.size()) {
            throw new CliError.Failure("every ip-range or gateway must have a corresponding subnet");
        }
        List<Addresses.Cidr> parsed = new ArrayList<>();
        List<Map<String, Object>> configs = new ArrayList<>();
        for (String subnet : subnets) {
            Addresses.Cidr cidr = Addresses.cidr(subnet);
            if (cidr == null) {
                throw new CliError.Failure("invalid subnet: invalid CIDR address: " + subnet);
            }
            for (Addresses.Cidr other : parsed) {
                if (other.contains(address(cidr.address())) || cidr.contains(address(other.address()))) {
                    throw new CliError.Failure("multiple overlapping subnet configuration is not supported");
                }
            }
            parsed.add(cidr);
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("Subnet", subnet);
            configs.add(config);
        }
        for (String range : ranges) {
            InetAddress start = address(Addresses.cidr(range).address());
            boolean match = false;
            for (int i = 0; i < parsed.size(); i++) {
                if (!parsed.get(i).contains(start)) {
                    continue;
                }
                Map<String, Object> config = configs.get(i);
                if (config.containsKey("IPRange")) {
                    throw new CliError.Failure("cannot configure multiple ranges (" + range + ", " + config.get("IPRange")
                            + ") on the same subnet (" + subnets.get(i) + ")");
                }
                config.put("IPRange", range);
                match = true;
            }
            if (!match) {
                throw new CliError.Failure("no matching subnet for range " + range);
            }
        }
        for (String gateway : gateways) {
            InetAddress address = Addresses.parse(gateway);
            boolean match = false;
            for (int i = 0; i < parsed.size(); i++) {
                if (!parsed.get(i).contains(address)) {
                    continue;
                }
                Map<String, Object> config = configs.get(i);
                if (config.containsKey("Gateway")) {
                    throw new CliError.Failure("cannot configure multiple gateways (" + gateway + ", " + config.get("Gateway")
                            + ") for the same subnet (" + subnets.get(i) + ")");
                }
                config.put("Gateway", gateway);
                match = true;
            }
            if (!match) {
                throw new CliError.Failure("no matching subnet for gateway " + gateway);
            }
        }
        for (Map.Entry<String, String> entry : aux.entrySet()) {
            InetAddress address = Addresses.parse(entry.getValue());
            if (address == null) {
                throw new CliError.Failure("ParseAddr(\"" + entry.getValue() + "\"): unable to parse IP");
            }
            boolean match = false;
            for (int i = 0; i < parsed.size(); i++) {
                if (!parsed.get(i).contains(address)) {
                    continue;
                }
                @SuppressWarnings("unchecked")
                Map<String, String> auxiliary = (Map<String, String>) configs.get(i).get("AuxiliaryAddresses");
                if (auxiliary == null) {
                    auxiliary = new LinkedHashMap<>();
                    configs.get(i).put("AuxiliaryAddresses", auxiliary);
                }
                auxiliary.put(entry.getKey(), entry.getValue());
                match = true;
            }
            if (!match) {
                throw new CliError.Failure("no matching subnet for aux-address " + entry.getValue());
            }
        }
        return configs;
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- inspect / rm / prune -------------------------------------------------------------------------

    static int inspect(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("network inspect", "[OPTIONS] NETWORK [NETWORK...]",
                "Display detailed information on one or more networks")
                .string("format", 'f', "string", "Format output using a custom template")
                .bool("verbose", 'v', "Verbose output for diagnostics");
        Parsed p = flags.parse(args, from);
        p.minArgs(1);
        List<byte[]> documents = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        String query = p.bool("verbose") ? "?verbose=true" : "";
        for (String name : p.args()) {
            try (Response response = cli.api().request("GET", path(name, query), null, null)) {
                if (!response.ok()) {
                    errors.add(response.error().getMessage());
                    continue;
                }
                documents.add(response.bytes());
            }
        }
        Support.printInspected(cli, documents, p.string("format"));
        return Support.finish(cli, errors);
    }

    static int rm(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("network rm", "NETWORK [NETWORK...]", "Remove one or more networks")
                .bool("force", 'f', "Do not error if the network does not exist")
                .aliases("pier network rm, pier network remove");
        Parsed p = flags.parse(args, from);
        p.minArgs(1);
        List<String> errors = new ArrayList<>();
        for (String name : p.args()) {
            try (Response response = cli.api().request("DELETE", path(name, ""), null, null)) {
                if (!response.ok()) {
                    CliError.Daemon error = response.error();
                    if (!(p.bool("force") && error.status() == 404)) {
                        errors.add(error.getMessage());
                    }
                    continue;
                }
            }
            cli.out().println(name);
        }
        return Support.finish(cli, errors);
    }

    static int prune(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("network prune", "[OPTIONS]", "Remove all unused networks")
                .list("filter", (char) 0, "Provide filter values (e.g. \"until=<timestamp>\")")
                .bool("force", 'f', "Do not prompt for confirmation");
        Parsed p = flags.parse(args, from);
        p.noArgs();
        if (!p.bool("force") && !Support.confirmed(cli, "This will remove all custom networks not used by at least one container.")) {
            return 0;
        }
        String filters = Support.filters(flags, p.list("filter"));
        String query = filters == null ? "" : new Query().add("filters", filters).toString();
        Map<String, Object> report = Json.object(cli.api().postJson("/networks/prune" + query, null));
        Support.printDeleted(cli, "Deleted Networks", Json.array(report.get("NetworksDeleted")));
        return 0;
    }

    // ---- connect / disconnect ---------------------------------------------------------------------------

    static int connect(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("network connect", "[OPTIONS] NETWORK CONTAINER", "Connect a container to a network")
                .list("alias", (char) 0, "Add network-scoped alias for the container")
                .list("driver-opt", (char) 0, "driver options for the network")
                .string("ip", (char) 0, "string", "IPv4 address (e.g., \"172.30.100.104\")")
                .string("ip6", (char) 0, "string", "IPv6 address (e.g., \"2001:db8::33\")")
                .list("link", (char) 0, "Add link to another container")
                .list("link-local-ip", (char) 0, "Add a link-local address for the container");
        Parsed p = flags.parse(args, from);
        p.exactArgs(2);
        String ip = p.string("ip");
        String ip6 = p.string("ip6");
        if (ip != null && !Addresses.isIpv4(ip)) {
            throw flags.invalidArgument("ip", ip, "invalid string being converted to IP address: " + ip);
        }
        if (ip6 != null && !Addresses.isIpv6(ip6)) {
            throw flags.invalidArgument("ip6", ip6, "invalid string being converted to IP address: " + ip6);
        }
        for (String local : p.list("link-local-ip")) {
            if (!Addresses.isIp(local)) {
                throw flags.invalidArgument("link-local-ip", local, "invalid string being converted to IP address: " + local);
            }
        }
        for (String link : p.list("link")) {
            String[] parts = link.split(":", -1);
            if (parts.length > 2 || parts[0].isEmpty()) {
                throw flags.invalidArgument("link", link, "bad format for links: " + link);
            }
        }
        Map<String, Object> endpoint = new LinkedHashMap<>();
        if (ip != null || ip6 != null || !p.list("link-local-ip").isEmpty()) {
            Map<String, Object> ipam = new LinkedHashMap<>();
            if (ip != null) {
                ipam.put("IPv4Address", ip);
            }
            if (ip6 != null) {
                ipam.put("IPv6Address", ip6);
            }
            if (!p.list("link-local-ip").isEmpty()) {
                ipam.put("LinkLocalIPs", p.list("link-local-ip"));
            }
            endpoint.put("IPAMConfig", ipam);
        }
        endpoint.put("Links", p.list("link").isEmpty() ? null : p.list("link"));
        endpoint.put("Aliases", p.list("alias").isEmpty() ? null : p.list("alias"));
        Map<String, String> driverOpts = keyValues(flags, "driver-opt", p.list("driver-opt"));
        if (!driverOpts.isEmpty()) {
            endpoint.put("DriverOpts", driverOpts);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Container", p.arg(1));
        body.put("EndpointConfig", endpoint);
        try (Response response = cli.api().request("POST", path(p.arg(0), "/connect"),
                Json.write(body, false).getBytes(StandardCharsets.UTF_8), "application/json").check()) {
            response.bytes();
        }
        return 0;
    }

    static int disconnect(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("network disconnect", "[OPTIONS] NETWORK CONTAINER",
                "Disconnect a container from a network")
                .bool("force", 'f', "Force the container to disconnect from a network");
        Parsed p = flags.parse(args, from);
        p.exactArgs(2);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Container", p.arg(1));
        body.put("Force", p.bool("force"));
        try (Response response = cli.api().request("POST", path(p.arg(0), "/disconnect"),
                Json.write(body, false).getBytes(StandardCharsets.UTF_8), "application/json").check()) {
            response.bytes();
        }
        return 0;
    }
}
