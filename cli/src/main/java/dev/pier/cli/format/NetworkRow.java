package dev.pier.cli.format;

import dev.pier.cli.json.Json;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One network of {@code GET /networks} as {@code pier network ls} shows it. */
public final class NetworkRow extends FieldContext {
    public static final String DEFAULT_TABLE = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";

    private static final String[] JSON_FIELDS = {
        "CreatedAt", "Driver", "ID", "IPv4", "IPv6", "Internal", "Labels", "Name", "Scope",
    };

    private final Map<String, Object> network;
    private final boolean truncate;

    public NetworkRow(Map<String, Object> network, boolean truncate) {
        this.network = network;
        this.truncate = truncate;
    }

    public static Map<String, String> header() {
        Map<String, String> header = new HashMap<>();
        header.put("ID", "NETWORK ID");
        header.put("Name", "NAME");
        header.put("Driver", "DRIVER");
        header.put("Scope", "SCOPE");
        header.put("IPv4", "IPV4");
        header.put("IPv6", "IPV6");
        header.put("Internal", "INTERNAL");
        header.put("Labels", "LABELS");
        header.put("CreatedAt", "CREATED AT");
        return header;
    }

    public String name() {
        return Json.string(network, "Name");
    }

    public String id() {
        String id = Json.string(network, "Id");
        return truncate ? Humanize.truncateId(id) : id;
    }

    @Override
    public Object field(String name) {
        return switch (name) {
            case "ID" -> id();
            case "Name" -> name();
            case "Driver" -> Json.string(network, "Driver");
            case "Scope" -> Json.string(network, "Scope");
            // API 1.41 has no EnableIPv4 field: every network has IPv4 then
            case "IPv4" -> network.containsKey("EnableIPv4") ? Boolean.toString(Json.bool(network.get("EnableIPv4"))) : "true";
            case "IPv6" -> Boolean.toString(Json.bool(network.get("EnableIPv6")));
            case "Internal" -> Boolean.toString(Json.bool(network.get("Internal")));
            case "Labels" -> ContainerRow.labels(Json.object(network.get("Labels")));
            case "CreatedAt" -> Humanize.rfc3339AsGo(Json.string(network, "Created"));
            default -> UNKNOWN;
        };
    }

    @Override
    public Object method(String name, List<Object> args) {
        if (name.equals("Label") && args.size() == 1) {
            Object value = Json.object(network.get("Labels")).get(String.valueOf(args.get(0)));
            return value instanceof String s ? s : "";
        }
        return UNKNOWN;
    }

    @Override
    public String typeName() {
        return "*network.networkContext";
    }

    @Override
    protected String[] jsonFields() {
        return JSON_FIELDS;
    }
}
