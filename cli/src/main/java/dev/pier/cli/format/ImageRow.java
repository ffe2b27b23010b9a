package dev.pier.cli.format;

import dev.pier.cli.json.Json;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One repository:tag row of {@code pier images}; an image with two tags is two rows, as in Docker. */
public final class ImageRow extends FieldContext {
    public static final String DEFAULT_TABLE =
            "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";

    private static final String[] JSON_FIELDS = {
        "Containers", "CreatedAt", "CreatedSince", "Digest", "ID", "Repository", "SharedSize", "Size", "Tag",
        "UniqueSize", "VirtualSize",
    };

    private final Map<String, Object> image;
    private final boolean truncate;
    private final String repository;
    private final String tag;
    private final String digest;
    private final long nowMillis;

    ImageRow(Map<String, Object> image, boolean truncate, String repository, String tag, String digest, long nowMillis) {
        this.image = image;
        this.truncate = truncate;
        this.repository = repository;
        this.tag = tag;
        this.digest = digest;
        this.nowMillis = nowMillis;
    }

    /** Expands an image summary into one row per tag ({@code <none>} rows for dangling images). */
    public static List<ImageRow> rows(Map<String, Object> image, boolean truncate, long nowMillis) {
        List<ImageRow> rows = new ArrayList<>();
        List<Object> tags = Json.array(image.get("RepoTags"));
        List<Object> digests = Json.array(image.get("RepoDigests"));
        for (Object t : tags) {
            String ref = Json.string(t);
            if (ref.equals("<none>:<none>")) {
                continue;
            }
            int colon = tagSeparator(ref);
            String repository = colon < 0 ? ref : ref.substring(0, colon);
            String tag = colon < 0 ? "<none>" : ref.substring(colon + 1);
            rows.add(new ImageRow(image, truncate, repository, tag, digestFor(repository, digests), nowMillis));
        }
        if (rows.isEmpty()) {
            for (Object d : digests) {
                String ref = Json.string(d);
                int at = ref.indexOf('@');
                if (at > 0 && !ref.startsWith("<none>")) {
                    rows.add(new ImageRow(image, truncate, ref.substring(0, at), "<none>", ref.substring(at + 1), nowMillis));
                }
            }
        }
        if (rows.isEmpty()) {
            rows.add(new ImageRow(image, truncate, "<none>", "<none>", "<none>", nowMillis));
        }
        return rows;
    }

    /** The colon before a tag: the last one after the last slash (a registry port is not a tag). */
    public static int tagSeparator(String ref) {
        int colon = ref.lastIndexOf(':');
        return colon > ref.lastIndexOf('/') ? colon : -1;
    }

    private static String digestFor(String repository, List<Object> digests) {
        for (Object d : digests) {
            String ref = Json.string(d);
            if (ref.startsWith(repository + "@")) {
                return ref.substring(repository.length() + 1);
            }
        }
        return "<none>";
    }

    public static Map<String, String> header() {
        Map<String, String> header = new HashMap<>();
        header.put("ID", "IMAGE ID");
        header.put("Repository", "REPOSITORY");
        header.put("Tag", "TAG");
        header.put("Digest", "DIGEST");
        header.put("CreatedSince", "CREATED");
        header.put("CreatedAt", "CREATED AT");
        header.put("Size", "SIZE");
        header.put("Containers", "CONTAINERS");
        header.put("VirtualSize", "VIRTUAL SIZE");
        header.put("SharedSize", "SHARED SIZE");
        header.put("UniqueSize", "UNIQUE SIZE");
        return header;
    }

    public String id() {
        String id = Json.string(image, "Id");
        return truncate ? Humanize.truncateId(id) : id;
    }

    @Override
    public Object field(String name) {
        long size = Json.number(image.get("Size"));
        long created = Json.number(image.get("Created"));
        return switch (name) {
            case "ID" -> id();
            case "Repository" -> repository;
            case "Tag" -> tag;
            case "Digest" -> digest;
            case "CreatedSince" -> created == 0 ? "N/A" : Humanize.duration(nowMillis - created * 1000) + " ago";
            case "CreatedAt" -> Humanize.unixTime(created);
            case "Size" -> Humanize.size(size, 3);
            case "Containers" -> {
                long containers = image.containsKey("Containers") ? Json.number(image.get("Containers")) : -1;
                yield containers == -1 ? "N/A" : Long.toString(containers);
            }
            case "VirtualSize" -> Humanize.size(image.containsKey("VirtualSize") ? Json.number(image.get("VirtualSize")) : size);
            case "SharedSize" -> {
                long shared = image.containsKey("SharedSize") ? Json.number(image.get("SharedSize")) : -1;
                yield shared == -1 ? "N/A" : Humanize.size(shared);
            }
            case "UniqueSize" -> {
                long shared = image.containsKey("SharedSize") ? Json.number(image.get("SharedSize")) : -1;
                yield shared == -1 ? "N/A" : Humanize.size(size - shared);
            }
            default -> UNKNOWN;
        };
    }

    @Override
    public String typeName() {
        return "*formatter.imageContext";
    }

    @Override
    protected String[] jsonFields() {
        return JSON_FIELDS;
    }
}
