package dev.pier.cli.format;

import dev.pier.cli.json.Json;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One container of {@code GET /containers/json} as {@code pier ps} shows it (Docker's ContainerContext). */
public final class ContainerRow extends FieldContext {
    public static final String DEFAULT_TABLE =
            "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

    private static final String[] JSON_FIELDS = {
        "Command", "CreatedAt", "ID", "Image", "Labels", "LocalVolumes", "Mounts", "Names", "Networks", "Platform",
        "Ports", "RunningFor", "Size", "State", "Status",
    };

    private final Map<String, Object> container;
    private final boolean truncate;
    private final long nowMillis;

    public ContainerRow(Map<String, Object> container, boolean truncate, long nowMillis) {
        this.container = container;
        this.truncate = truncate;
        this.nowMillis = nowMillis;
    }

    public static Map<String, String> header() {
        Map<String, String> header = new HashMap<>();
        header.put("ID", "CONTAINER ID");
        header.put("Names", "NAMES");
        header.put("Image", "IMAGE");
        header.put("Command", "COMMAND");
        header.put("CreatedAt", "CREATED AT");
        header.put("RunningFor", "CREATED");
        header.put("Ports", "PORTS");
        header.put("State", "STATE");
        header.put("Status", "STATUS");
        header.put("Size", "SIZE");
        header.put("Labels", "LABELS");
        header.put("Mounts", "MOUNTS");
        header.put("LocalVolumes", "LOCAL VOLUMES");
        header.put("Networks", "NETWORKS");
        header.put("Platform", "PLATFORM");
        return header;
    }

    @Override
    public Object field(String name) {
        return switch (name) {
            case "ID" -> id();
            case "Names" -> names();
            case "Image" -> image();
            case "Command" -> command();
            case "CreatedAt" -> Humanize.unixTime(Json.number(container.get("Created")));
            case "RunningFor" -> Humanize.duration(nowMillis - Json.number(container.get("Created")) * 1000) + " ago";
            case "Ports" -> displayablePorts(Json.array(container.get("Ports")));
            case "State" -> Json.string(container, "State");
            case "Status" -> Json.string(container, "Status");
            case "Size" -> size();
            case "Labels" -> labels(Json.object(container.get("Labels")));
            case "Mounts" -> mounts();
            case "LocalVolumes" -> localVolumes();
            case "Networks" -> networks();
            case "Platform" -> null;
            default -> UNKNOWN;
        };
    }

    @Override
    public Object method(String name, List<Object> args) {
        if (name.equals("Label") && args.size() == 1) {
            Object value = Json.object(container.get("Labels")).get(String.valueOf(args.get(0)));
            return value instanceof String s ? s : "";
        }
        return UNKNOWN;
    }

    @Override
    public String typeName() {
        return "*formatter.ContainerContext";
    }

    @Override
    protected String[] jsonFields() {
        return JSON_FIELDS;
    }

    public String id() {
        String id = Json.string(container, "Id");
        return truncate ? Humanize.truncateId(id) : id;
    }

    private String names() {
        List<Object> names = Json.array(container.get("Names"));
        StringBuilder out = new StringBuilder();
        for (Object n : names) {
            String name = Json.string(n);
            if (name.startsWith("/")) {
                name = name.substring(1);
            }
            if (truncate) {
                // one name, skipping legacy link names such as "other/alias"
                if (name.indexOf('/') < 0) {
                    return name;
                }
                continue;
            }
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(name);
        }
        return out.toString();
    }

    private String image() {
        String image = Json.string(container, "Image");
        if (image.isEmpty()) {
            return "<no image>";
        }
        if (!truncate) {
            return image;
        }
        String imageId = Json.string(container, "ImageID");
        if (Humanize.truncateId(imageId).equals(Humanize.truncateId(image))) {
            return Humanize.truncateId(image);
        }
        int at = image.indexOf('@');
        if (at >= 0) {
            image = image.substring(0, at); // drop the digest, keep a tag if any
        }
        if (image.startsWith("docker.io/library/")) {
            image = image.substring("docker.io/library/".length());
        } else if (image.startsWith("docker.io/")) {
            image = image.substring("docker.io/".length());
        }
        return image;
    }

    private String command() {
        String command = Json.string(container, "Command");
        if (truncate) {
            command = Humanize.ellipsis(command, 20);
        }
        return GoFormat.quote(command);
    }

    private String size() {
        String rw = Humanize.size(Json.number(container.get("SizeRw")), 3);
        long rootFs = Json.number(container.get("SizeRootFs"));
        return rootFs > 0 ? rw + " (virtual " + Humanize.size(rootFs, 3) + ")" : rw;
    }

    private String mounts() {
        StringBuilder out = new StringBuilder();
        for (Object m : Json.array(container.get("Mounts"))) {
            Map<String, Object> mount = Json.object(m);
            String name = Json.string(mount, "Name");
            if (name.isEmpty()) {
                name = Json.string(mount, "Source");
            }
            if (truncate) {
                name = Humanize.ellipsis(name, 15);
            }
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(name);
        }
        return out.toString();
    }

    private String localVolumes() {
        int count = 0;
        for (Object m : Json.array(container.get("Mounts"))) {
            if ("local".equals(Json.object(m).get("Driver"))) {
                count++;
            }
        }
        return Integer.toString(count);
    }

    private String networks() {
        Map<String, Object> settings = Json.object(container.get("NetworkSettings"));
        List<String> names = new ArrayList<>(Json.object(settings.get("Networks")).keySet());
        names.sort(null);
        return String.join(",", names);
    }

    /** k=v pairs sorted and joined with commas, as Docker shows labels. */
    static String labels(Map<String, Object> labels) {
        List<String> pairs = new ArrayList<>(labels.size());
        for (Map.Entry<String, Object> e : labels.entrySet()) {
            pairs.add(e.getKey() + "=" + Json.string(e.getValue()));
        }
        pairs.sort(null);
        return String.join(",", pairs);
    }

    /**
     * Docker's DisplayablePorts: ports sorted, consecutive unpublished (or same-number published)
     * ports grouped into ranges, published mappings as {@code 0.0.0.0:8080->80/tcp}.
     */
    public static String displayablePorts(List<Object> ports) {
        List<Map<String, Object>> sorted = new ArrayList<>(ports.size());
        for (Object p : ports) {
            sorted.add(Json.object(p));
        }
        // insertion sort: a handful of ports, and no lambda on the start-up path
        for (int i = 1; i < sorted.size(); i++) {
            Map<String, Object> item = sorted.get(i);
            int j = i - 1;
            while (j >= 0 && comparePorts(sorted.get(j), item) > 0) {
                sorted.set(j + 1, sorted.get(j));
                j--;
            }
            sorted.set(j + 1, item);
        }
        Map<String, int[]> groups = new LinkedHashMap<>();
        List<String> result = new ArrayList<>();
        List<String> hostMappings = new ArrayList<>();
        for (Map<String, Object> port : sorted) {
            int current = (int) Json.number(port.get("PrivatePort"));
            String type = Json.string(port, "Type");
            String ip = Json.string(port, "IP");
            String key = type;
            if (!ip.isEmpty()) {
                int publicPort = (int) Json.number(port.get("PublicPort"));
                if (publicPort != current) {
                    hostMappings.add(joinHostPort(ip, Integer.toString(publicPort)) + "->" + current + "/" + type);
                    continue;
                }
                key = ip + "/" + type;
            }
            int[] group = groups.get(key);
            if (group == null) {
                groups.put(key, new int[] {current, current});
                continue;
            }
            if (current == group[1] + 1) {
                group[1] = current;
                continue;
            }
            result.add(formatGroup(key, group[0], group[1]));
            group[0] = current;
            group[1] = current;
        }
        for (Map.Entry<String, int[]> e : groups.entrySet()) {
            result.add(formatGroup(e.getKey(), e.getValue()[0], e.getValue()[1]));
        }
        result.addAll(hostMappings);
        return String.join(", ", result);
    }

    private static String formatGroup(String key, int first, int last) {
        int slash = key.lastIndexOf('/');
        String ip = slash >= 0 ? key.substring(0, slash) : "";
        String type = slash >= 0 ? key.substring(slash + 1) : key;
        String group = first == last ? Integer.toString(first) : first + "-" + last;
        if (!ip.isEmpty()) {
            group = joinHostPort(ip, group) + "->" + group;
        }
        return group + "/" + type;
    }

    static String joinHostPort(String host, String port) {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    private static int comparePorts(Map<String, Object> a, Map<String, Object> b) {
        long privateA = Json.number(a.get("PrivatePort"));
        long privateB = Json.number(b.get("PrivatePort"));
        if (privateA != privateB) {
            return Long.compare(privateA, privateB);
        }
        int ip = Json.string(a, "IP").compareTo(Json.string(b, "IP"));
        if (ip != 0) {
            return ip;
        }
        long publicA = Json.number(a.get("PublicPort"));
        long publicB = Json.number(b.get("PublicPort"));
        if (publicA != publicB) {
            return Long.compare(publicA, publicB);
        }
        return Json.string(a, "Type").compareTo(Json.string(b, "Type"));
    }
}
