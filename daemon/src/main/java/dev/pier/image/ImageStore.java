package dev.pier.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The local image store. Everything lives under {@code <dataRoot>/image/}:
 * <pre>
 *   layers/&lt;diff hex&gt;/         one extracted layer (an overlay lower directory), shared by images
 *   images/&lt;id hex&gt;/config.json the image config exactly as loaded (its sha256 is the image id)
 *   images/&lt;id hex&gt;/meta.json   what the config does not say: the layers' content sizes
 *   repositories.json          tags: "repo:tag" -&gt; image id
 *   tmp/                       work in progress; emptied at start
 * </pre>
 * Layers are extracted under tmp/ and renamed into place, metadata is written with fsync and
 * atomic rename, tags last: a crash leaves either the whole image or, at the next start, nothing.
 * Thread-safe: metadata changes are serialized, extraction runs outside the lock.
 * <p>
 * The store does not know containers: the engine must refuse to remove an image a container
 * still uses (its layers are that container's overlay lower directories).
 */
public final class ImageStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern HEX_PREFIX = Pattern.compile("[0-9a-f]{1,64}");

    private final Path layersDir;
    private final Path imagesDir;
    private final Path tmpDir;
    private final Path repositoriesFile;

    private final Object lock = new Object();
    private final Map<String, Stored> images = new HashMap<>();        // id -> image
    private final Map<String, String> tags = new TreeMap<>();          // "repo:tag" -> id
    private final Map<String, Long> layerSizes = new HashMap<>();      // diff id -> content bytes

    private record Stored(String id, Instant created, ImageConfig config, List<String> layerIds, long size) {}

    /** A layer ready to commit: already extracted (tmp != null) or already in the store. */
    private record PendingLayer(String diffId, Path tmp, long size) {}

    private record PendingImage(String id, byte[] configJson, Instant created, ImageConfig config,
                                List<PendingLayer> layers, List<String> repoTags) {}

    public ImageStore(Path dataRoot) {
        Path root = dataRoot.resolve("image");
        this.layersDir = root.resolve("layers");
        this.imagesDir = root.resolve("images");
        this.tmpDir = root.resolve("tmp");
        this.repositoriesFile = root.resolve("repositories.json");
        try {
            Files.createDirectories(layersDir);
            Files.createDirectories(imagesDir);
            FileTrees.deleteRecursively(tmpDir);
            Files.createDirectories(tmpDir);
            loadState();
        } catch (IOException e) {
            throw new UncheckedIOException("opening the image store under " + root, e);
        }
    }

    // ---------------------------------------------------------------- queries

    /**
     * Finds an image by reference ("busybox" meaning "busybox:latest", "busybox:1.36"), by full id
     * ("sha256:..."), or by a unique prefix of the id's hex digits (with or without "sha256:").
     *
     * @throws ImageException when an id prefix matches several images
     */
    public Optional<Image> find(String ref) {
        synchronized (lock) {
            return resolve(ref).map(this::toImage);
        }
    }

    /** All images, newest first. */
    public List<Image> list() {
        synchronized (lock) {
            return images.values().stream()
                    .sorted(Comparator.comparing(Stored::created).reversed().thenComparing(Stored::id))
                    .map(this::toImage).toList();
        }
    }

    /** The image's extracted layer directories, top-most first (overlay's lowerdir order). */
    public List<Path> layerDirs(Image image) {
        List<Path> dirs = new ArrayList<>();
        for (int i = image.layerIds().size() - 1; i >= 0; i--) {
            String diffId = image.layerIds().get(i);
            Path dir = layersDir.resolve(hex(diffId));
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new ImageException(ImageException.Reason.NOT_FOUND,
                        "layer " + diffId + " of image " + image.id() + " is missing from the store");
            }
            dirs.add(dir);
        }
        return dirs;
    }

    // ---------------------------------------------------------------- changes

    /**
     * `docker import`: the tar (plain or gzip'ed) becomes the only layer of a new image.
     *
     * @param repoTag nullable; "busybox" means "busybox:latest"
     * @param config  nullable; what containers of this image inherit
     */
    public Image importRootfs(InputStream tar, String repoTag, ImageConfig config) {
        String tag = repoTag == null ? null : ImageRef.normalize(repoTag);
        ImageConfig cfg = config == null ? ImageConfig.EMPTY : config;
        Path work = newWorkDir("import");
        try {
            Path layerDir = Files.createDirectory(work.resolve("layer"));
            LayerExtractor.Result layer = LayerExtractor.extract(tar, layerDir);
            Instant created = Instant.now();
            byte[] configJson = importConfig(cfg, created, layer.diffId());
            String id = "sha256:" + sha256Hex(configJson);
            PendingImage pending = new PendingImage(id, configJson, created, cfg,
                    List.of(new PendingLayer(layer.diffId(), layerDir, layer.size())),
                    tag == null ? List.of() : List.of(tag));
            commit(List.of(pending));
            return find(id).orElseThrow();
        } catch (IOException e) {
            throw new ImageException("import failed: " + e.getMessage(), e);
        } finally {
            FileTrees.deleteQuietly(work);
        }
    }

    /**
     * `docker load`: a docker-save archive (manifest.json, config JSON files, layer tars), or an
     * OCI image layout (index.json, blobs/), plain or gzip'ed. All its images are stored, or none.
     */
    public List<Image> load(InputStream archive) {
        Path work = newWorkDir("load");
        try {
            Path files = Files.createDirectory(work.resolve("archive"));
            LayerExtractor.extract(archive, files);
            List<PendingImage> pending;
            if (Files.isRegularFile(files.resolve("manifest.json"))) {
                pending = fromDockerManifest(files, work);
            } else if (Files.isRegularFile(files.resolve("index.json"))) {
                pending = fromOciIndex(files, work);
            } else {
                throw new ImageException("not an image archive: it has neither manifest.json (docker save) nor index.json (OCI layout)");
            }
            if (pending.isEmpty()) throw new ImageException("the archive's manifest lists no images");
            commit(pending);
            List<Image> loaded = new ArrayList<>();
            for (PendingImage p : pending) loaded.add(find(p.id()).orElseThrow());
            return loaded;
        } catch (IOException e) {
            throw new ImageException("load failed: " + e.getMessage(), e);
        } finally {
            FileTrees.deleteQuietly(work);
        }
    }

    /** Points repoTag at the image ref names (moving it away from any other image). */
    public void tag(String ref, String repoTag) {
        String tag = ImageRef.normalize(repoTag);
        synchronized (lock) {
            Stored image = resolve(ref).orElseThrow(() -> ImageException.notFound(ref));
            String previous = tags.put(tag, image.id());
            try {
                writeRepositories();
            } catch (IOException e) {
                if (previous == null) tags.remove(tag); else tags.put(tag, previous);
                throw new UncheckedIOException("writing " + repositoriesFile, e);
            }
        }
    }

    /**
     * `docker rmi`: by tag, removes that tag and deletes the image when it was the last; by id,
     * removes all its tags (only with force when there are several) and deletes it. Returns
     * Docker's ImageDeleteResponse lines: "Untagged: busybox:latest", "Deleted: sha256:...".
     */
    public List<String> remove(String ref, boolean force) {
        List<String> lines = new ArrayList<>();
        List<Path> trash = new ArrayList<>();
        synchronized (lock) {
            Stored image = resolve(ref).orElseThrow(() -> ImageException.notFound(ref));
            List<String> imageTags = tagsOf(image.id());
            String byName = tagReference(ref).filter(t -> image.id().equals(tags.get(t))).orElse(null);
            Map<String, String> before = new TreeMap<>(tags);
            if (byName != null) {
                tags.remove(byName);
                lines.add("Untagged: " + byName);
                if (imageTags.size() > 1) {
                    persistTags(before);
                    return lines;
                }
            } else {
                if (imageTags.size() > 1 && !force) {
                    throw new ImageException(ImageException.Reason.CONFLICT, "conflict: unable to delete "
                            + shortHex(image.id()) + " (must be forced) - image is referenced in multiple repositories");
                }
                for (String t : imageTags) {
                    tags.remove(t);
                    lines.add("Untagged: " + t);
                }
            }
            persistTags(before);
            // Tags are gone; now the image and the layers nobody else uses.
            images.remove(image.id());
            trash.add(moveToTrash(imagesDir.resolve(hex(image.id()))));
            lines.add("Deleted: " + image.id());
            Set<String> stillUsed = new LinkedHashSet<>();
            for (Stored s : images.values()) stillUsed.addAll(s.layerIds());
            for (String diffId : new LinkedHashSet<>(image.layerIds())) {
                if (stillUsed.contains(diffId)) continue;
                layerSizes.remove(diffId);
                trash.add(moveToTrash(layersDir.resolve(hex(diffId))));
                lines.add("Deleted: " + diffId);
            }
        }
        for (Path t : trash) FileTrees.deleteQuietly(t);
        return lines;
    }

    // ---------------------------------------------------------------- internals

    private Optional<Stored> resolve(String ref) {
        if (ref == null || ref.isBlank()) return Optional.empty();
        String r = ref.trim();
        if (r.startsWith("sha256:")) return byIdPrefix(r.substring("sha256:".length()), ref);
        Optional<String> tag = tagReference(r);
        if (tag.isPresent() && tags.containsKey(tag.get())) return Optional.ofNullable(images.get(tags.get(tag.get())));
        if (HEX_PREFIX.matcher(r).matches()) return byIdPrefix(r, ref);
        return Optional.empty();
    }

    private static Optional<String> tagReference(String ref) {
        try {
            return Optional.of(ImageRef.normalize(ref));
        } catch (ImageException e) {
            return Optional.empty();
        }
    }

    private Optional<Stored> byIdPrefix(String prefix, String ref) {
        if (!HEX_PREFIX.matcher(prefix).matches()) return Optional.empty();
        List<Stored> matches = images.values().stream().filter(s -> hex(s.id()).startsWith(prefix)).toList();
        if (matches.size() > 1) {
            throw new ImageException("image id prefix " + ref + " is ambiguous: it matches " + matches.size() + " images");
        }
        return matches.stream().findFirst();
    }

    private List<String> tagsOf(String id) {
        List<String> out = new ArrayList<>();
        for (var e : tags.entrySet()) if (e.getValue().equals(id)) out.add(e.getKey());
        return out;
    }

    private Image toImage(Stored s) {
        return new Image(s.id(), tagsOf(s.id()), s.created(), s.size(), s.config(), s.layerIds());
    }

    private void persistTags(Map<String, String> before) {
        try {
            writeRepositories();
        } catch (IOException e) {
            tags.clear();
            tags.putAll(before);
            throw new UncheckedIOException("writing " + repositoriesFile, e);
        }
    }

    private Path moveToTrash(Path p) {
        Path trash = tmpDir.resolve("trash-" + UUID.randomUUID());
        try {
            Files.move(p, trash, StandardCopyOption.ATOMIC_MOVE);
            return trash;
        } catch (IOException e) {
            return p; // deleted in place, after the lock is released
        }
    }

    private Path newWorkDir(String what) {
        try {
            return Files.createDirectory(tmpDir.resolve(what + "-" + UUID.randomUUID()));
        } catch (IOException e) {
            throw new UncheckedIOException("creating a work directory under " + tmpDir, e);
        }
    }

    /** Renames the layers into place, writes each image's files, then the tags: all under the lock. */
    private void commit(List<PendingImage> pending) throws IOException {
        synchronized (lock) {
            for (PendingImage p : pending) {
                for (PendingLayer l : p.layers()) {
                    Path dir = layersDir.resolve(hex(l.diffId()));
                    if (l.tmp() != null && !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                        Files.move(l.tmp(), dir, StandardCopyOption.ATOMIC_MOVE);
                    } else if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                        throw new ImageException("layer " + l.diffId() + " disappeared while loading");
                    }
                }
            }
            FileTrees.syncDirectory(layersDir);
            for (PendingImage p : pending) {
                Path dir = imagesDir.resolve(hex(p.id()));
                Files.createDirectories(dir);
                ObjectNode meta = JSON.createObjectNode();
                ObjectNode sizes = meta.putObject("layerSizes");
                long size = 0;
                for (PendingLayer l : p.layers()) {
                    sizes.put(l.diffId(), l.size());
                    size += l.size();
                }
                FileTrees.writeAtomically(dir.resolve("config.json"), p.configJson());
                FileTrees.writeAtomically(dir.resolve("meta.json"), JSON.writeValueAsBytes(meta));
                FileTrees.syncDirectory(imagesDir);
                List<String> layerIds = p.layers().stream().map(PendingLayer::diffId).toList();
                images.put(p.id(), new Stored(p.id(), p.created(), p.config(), layerIds, size));
                for (PendingLayer l : p.layers()) layerSizes.put(l.diffId(), l.size());
            }
            Map<String, String> before = new TreeMap<>(tags);
            for (PendingImage p : pending) for (String t : p.repoTags()) tags.put(t, p.id());
            persistTags(before);
        }
    }

    private void writeRepositories() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode t = root.putObject("tags");
        tags.forEach(t::put);
        FileTrees.writeAtomically(repositoriesFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }

    /** Reads images and tags; drops what a crash left half-written (images without meta, orphan layers). */
    private void loadState() throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(imagesDir)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                Path config = dir.resolve("config.json"), meta = dir.resolve("meta.json");
                if (!HEX64.matcher(name).matches() || !Files.isRegularFile(config) || !Files.isRegularFile(meta)) {
                    FileTrees.deleteRecursively(dir);
                    continue;
                }
                byte[] configJson = Files.readAllBytes(config);
                ParsedConfig parsed = parseConfig(configJson, "image " + name);
                JsonNode sizes = JSON.readTree(Files.readAllBytes(meta)).path("layerSizes");
                long size = 0;
                for (String diffId : parsed.diffIds()) {
                    long s = sizes.path(diffId).asLong(0);
                    layerSizes.put(diffId, s);
                    size += s;
                }
                String id = "sha256:" + name;
                images.put(id, new Stored(id, parsed.created(), parsed.config(), parsed.diffIds(), size));
            }
        }
        if (Files.isRegularFile(repositoriesFile)) {
            JsonNode t = JSON.readTree(Files.readAllBytes(repositoriesFile)).path("tags");
            for (Map.Entry<String, JsonNode> e : t.properties()) {
                if (images.containsKey(e.getValue().asText())) tags.put(e.getKey(), e.getValue().asText());
            }
        }
        Set<String> used = new LinkedHashSet<>();
        for (Stored s : images.values()) for (String d : s.layerIds()) used.add(hex(d));
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(layersDir)) {
            for (Path dir : dirs) {
                if (!used.contains(dir.getFileName().toString())) FileTrees.deleteRecursively(dir);
            }
        }
    }

    // ---------------------------------------------------------------- archive formats

    private List<PendingImage> fromDockerManifest(Path files, Path work) throws IOException {
        JsonNode manifest = readJson(files.resolve("manifest.json"), "manifest.json");
        if (!manifest.isArray()) throw new ImageException("manifest.json is not a JSON array");
        List<PendingImage> out = new ArrayList<>();
        int n = 0;
        for (JsonNode entry : manifest) {
            String what = "manifest.json entry " + n++;
            String configName = entry.path("Config").asText("");
            if (configName.isEmpty()) throw new ImageException(what + " has no Config");
            byte[] configJson = Files.readAllBytes(member(files, configName, what));
            List<String> layerNames = new ArrayList<>();
            for (JsonNode l : entry.path("Layers")) layerNames.add(l.asText());
            List<String> repoTags = new ArrayList<>();
            for (JsonNode t : entry.path("RepoTags")) repoTags.add(ImageRef.normalize(t.asText()));
            out.add(pendingImage(files, work, configJson, layerNames, repoTags, what));
        }
        return out;
    }

    private List<PendingImage> fromOciIndex(Path files, Path work) throws IOException {
        JsonNode index = readJson(files.resolve("index.json"), "index.json");
        List<PendingImage> out = new ArrayList<>();
        for (JsonNode desc : index.path("manifests")) {
            String tag = null;
            String name = desc.path("annotations").path("io.containerd.image.name").asText("");
            String refName = desc.path("annotations").path("org.opencontainers.image.ref.name").asText("");
            if (!name.isEmpty()) tag = ImageRef.normalize(name);
            else if (refName.contains("/") || refName.contains(":")) tag = ImageRef.normalize(refName);
            JsonNode manifest = ociManifest(files, desc, 0);
            String configDigest = manifest.path("config").path("digest").asText("");
            byte[] configJson = Files.readAllBytes(blob(files, configDigest));
            List<String> layerNames = new ArrayList<>();
            for (JsonNode l : manifest.path("layers")) layerNames.add(blobName(l.path("digest").asText("")));
            out.add(pendingImage(files, work, configJson, layerNames, tag == null ? List.of() : List.of(tag),
                    "OCI manifest " + desc.path("digest").asText()));
        }
        return out;
    }

    /** Follows an index (manifest list) down to one image manifest, preferring this machine's platform. */
    private JsonNode ociManifest(Path files, JsonNode desc, int depth) throws IOException {
        if (depth > 4) throw new ImageException("OCI index nests too deep");
        JsonNode doc = readJson(blob(files, desc.path("digest").asText("")), "blob " + desc.path("digest").asText());
        JsonNode manifests = doc.path("manifests");
        if (!manifests.isArray()) return doc;
        JsonNode chosen = null;
        for (JsonNode m : manifests) {
            JsonNode platform = m.path("platform");
            if (platform.path("os").asText("linux").equals("linux") && platform.path("architecture").asText(architecture()).equals(architecture())) {
                chosen = m;
                break;
            }
        }
        if (chosen == null) throw new ImageException("the OCI index has no manifest for linux/" + architecture());
        return ociManifest(files, chosen, depth + 1);
    }

    private static String blobName(String digest) {
        int colon = digest.indexOf(':');
        if (colon <= 0 || !digest.substring(colon + 1).matches("[0-9a-f]+")) {
            throw new ImageException("bad digest in OCI layout: \"" + digest + "\"");
        }
        return "blobs/" + digest.substring(0, colon) + "/" + digest.substring(colon + 1);
    }

    private static Path blob(Path files, String digest) throws IOException {
        return member(files, blobName(digest), "OCI layout");
    }

    /** A member of the unpacked archive, symlinks resolved inside it (docker save links shared layers). */
    private static Path member(Path files, String name, String what) throws IOException {
        Path p = FileTrees.resolveInRoot(files, name);
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageException(what + " names " + name + ", which the archive does not contain");
        }
        return p;
    }

    private static JsonNode readJson(Path file, String what) throws IOException {
        try {
            return JSON.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw new ImageException(what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** Extracts the layers the store lacks and checks each against the config's diff ids. */
    private PendingImage pendingImage(Path files, Path work, byte[] configJson, List<String> layerNames,
                                      List<String> repoTags, String what) throws IOException {
        String id = "sha256:" + sha256Hex(configJson);
        ParsedConfig parsed = parseConfig(configJson, what);
        if (!parsed.diffIds().isEmpty() && parsed.diffIds().size() != layerNames.size()) {
            throw new ImageException(what + " lists " + layerNames.size() + " layers but its config has "
                    + parsed.diffIds().size() + " diff ids");
        }
        List<PendingLayer> layers = new ArrayList<>();
        for (int i = 0; i < layerNames.size(); i++) {
            Path layerFile = member(files, layerNames.get(i), what);
            String expected = parsed.diffIds().isEmpty() ? null : parsed.diffIds().get(i);
            Long known;
            synchronized (lock) {
                known = expected == null ? null : layerSizes.get(expected);
            }
            if (known != null && Files.isDirectory(layersDir.resolve(hex(expected)))) {
                layers.add(new PendingLayer(expected, null, known));
                continue;
            }
            Path dir = Files.createDirectory(work.resolve("layer-" + UUID.randomUUID()));
            LayerExtractor.Result r;
            try (InputStream in = Files.newInputStream(layerFile)) {
                r = LayerExtractor.extract(in, dir);
            } catch (ImageException e) {
                throw new ImageException("layer " + layerNames.get(i) + ": " + e.getMessage(), e);
            }
            if (expected != null && !expected.equals(r.diffId())) {
                throw new ImageException("layer " + layerNames.get(i) + " has diff id " + r.diffId()
                        + " but the image config says " + expected);
            }
            layers.add(new PendingLayer(r.diffId(), dir, r.size()));
        }
        return new PendingImage(id, configJson, parsed.created(), parsed.config(), layers, repoTags);
    }

    private record ParsedConfig(Instant created, ImageConfig config, List<String> diffIds) {}

    private static ParsedConfig parseConfig(byte[] json, String what) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new ImageException("the config of " + what + " is not valid JSON");
        }
        if (root == null || !root.isObject()) throw new ImageException("the config of " + what + " is not a JSON object");
        Instant created = Instant.EPOCH;
        String c = root.path("created").asText("");
        if (!c.isEmpty()) {
            try {
                created = Instant.parse(c);
            } catch (DateTimeParseException e) {
                created = Instant.EPOCH;
            }
        }
        JsonNode cfg = root.path("config");
        Set<String> ports = new LinkedHashSet<>();
        cfg.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        Map<String, String> labels = new LinkedHashMap<>();
        cfg.path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        ImageConfig config = new ImageConfig(strings(cfg.path("Env")), strings(cfg.path("Cmd")),
                strings(cfg.path("Entrypoint")), cfg.path("WorkingDir").asText(""), cfg.path("User").asText(""),
                ports, labels);
        List<String> diffIds = new ArrayList<>();
        for (JsonNode d : root.path("rootfs").path("diff_ids")) {
            String id = d.asText("");
            if (!id.startsWith("sha256:") || !HEX64.matcher(id.substring(7)).matches()) {
                throw new ImageException("the config of " + what + " has a bad diff id \"" + id + "\"");
            }
            diffIds.add(id);
        }
        return new ParsedConfig(created, config, diffIds);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isArray()) for (JsonNode n : array) out.add(n.asText());
        return out;
    }

    /** A config in Docker's shape for an imported layer: its sha256 is the image id. */
    private static byte[] importConfig(ImageConfig cfg, Instant created, String diffId) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("architecture", architecture());
        ObjectNode c = root.putObject("config");
        c.put("User", cfg.user());
        putStrings(c, "Env", cfg.env());
        putStrings(c, "Cmd", cfg.cmd());
        putStrings(c, "Entrypoint", cfg.entrypoint());
        c.put("WorkingDir", cfg.workingDir());
        if (cfg.exposedPorts().isEmpty()) c.putNull("ExposedPorts");
        else {
            ObjectNode ports = c.putObject("ExposedPorts");
            for (String p : cfg.exposedPorts()) ports.putObject(p);
        }
        if (cfg.labels().isEmpty()) c.putNull("Labels");
        else {
            ObjectNode labels = c.putObject("Labels");
            cfg.labels().forEach(labels::put);
        }
        root.put("created", created.toString());
        ArrayNode history = root.putArray("history");
        history.addObject().put("created", created.toString()).put("comment", "Imported from -");
        root.put("os", "linux");
        ObjectNode rootfs = root.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids").add(diffId);
        return JSON.writeValueAsBytes(root);
    }

    private static void putStrings(ObjectNode node, String field, List<String> values) {
        if (values.isEmpty()) {
            node.putNull(field);
        } else {
            ArrayNode a = node.putArray(field);
            values.forEach(a::add);
        }
    }

    /** The OCI/Go name of this machine's architecture. */
    static String architecture() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
    }

    private static String hex(String id) {
        String h = id.startsWith("sha256:") ? id.substring(7) : id;
        if (!HEX64.matcher(h).matches()) throw new ImageException("not a sha256 id: " + id);
        return h;
    }

    private static String shortHex(String id) {
        return hex(id).substring(0, 12);
    }

    static String sha256Hex(byte[] data) {
        return HexFormat.of().formatHex(LayerExtractor.sha256().digest(data));
    }
}
