package dev.pier.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pier.linux.Mounts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageStoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private Path dataRoot;
    private ImageStore store;

    @BeforeEach
    void setUp() throws Exception {
        dataRoot = Files.createTempDirectory("prt-images");
        store = new ImageStore(dataRoot);
    }

    @AfterEach
    void tearDown() throws Exception {
        FileTrees.deleteRecursively(dataRoot);
    }

    private static byte[] rootfs(String marker) {
        return new TarBuilder().dir("./", 0755).dir("bin/", 0755).file("bin/marker", 0644, marker).build();
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void importsFindsTagsAndRemovesLikeDocker() throws Exception {
        Image image = store.importRootfs(new ByteArrayInputStream(rootfs("one")), "prt-test/app", null);
        String hex = image.id().substring(7);
        assertThat(image.repoTags()).containsExactly("prt-test/app:latest");
        assertThat(image.layerIds()).containsExactly("sha256:" + sha256(rootfs("one")));
        // The id is the digest of the stored config, as in Docker.
        byte[] config = Files.readAllBytes(dataRoot.resolve("image/images/" + hex + "/config.json"));
        assertThat(hex).isEqualTo(sha256(config));

        for (String ref : List.of("prt-test/app", "prt-test/app:latest", "docker.io/prt-test/app:latest",
                image.id(), hex, hex.substring(0, 12), "sha256:" + hex.substring(0, 12))) {
            assertThat(store.find(ref)).as(ref).map(Image::id).hasValue(image.id());
        }
        assertThat(store.find("prt-test/app:v2")).isEmpty();
        assertThat(store.find("prt-nothing")).isEmpty();
        assertThat(Files.readString(store.layerDirs(image).getFirst().resolve("bin/marker"))).isEqualTo("one");

        store.tag("prt-test/app", "prt-other:v1");
        assertThat(store.find(image.id()).orElseThrow().repoTags()).containsExactly("prt-other:v1", "prt-test/app:latest");
        assertThat(store.remove("prt-other:v1", false)).containsExactly("Untagged: prt-other:v1");
        assertThat(store.find(image.id())).isPresent();

        store.tag(image.id(), "prt-other:v1");
        assertThatThrownBy(() -> store.remove(hex.substring(0, 12), false))
                .isInstanceOfSatisfying(ImageException.class, e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.CONFLICT))
                .hasMessageContaining("must be forced");
        assertThat(store.remove(hex.substring(0, 12), true)).containsExactly(
                "Untagged: prt-other:v1", "Untagged: prt-test/app:latest", "Deleted: " + image.id(),
                "Deleted: " + image.layerIds().getFirst());
        assertThat(store.list()).isEmpty();
        assertThat(dataRoot.resolve("image/layers").toFile().list()).isEmpty();
        assertThatThrownBy(() -> store.remove("prt-test/app", false))
                .isInstanceOfSatisfying(ImageException.class, e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.NOT_FOUND));
    }

    @Test
    void removingTheLastTagDeletesTheImageButKeepsSharedLayers() {
        Image a = store.importRootfs(new ByteArrayInputStream(rootfs("same")), "prt-a", null);
        Image b = store.importRootfs(new ByteArrayInputStream(rootfs("same")), "prt-b", ImageConfig.EMPTY);
        assertThat(a.id()).isNotEqualTo(b.id());          // created differs
        assertThat(a.layerIds()).isEqualTo(b.layerIds());  // one layer, stored once
        assertThat(store.remove("prt-a", false)).containsExactly("Untagged: prt-a:latest", "Deleted: " + a.id());
        assertThat(store.layerDirs(b).getFirst()).isDirectory();
    }

    @Test
    void keepsConfigTagsAndImagesAcrossReopen() {
        ImageConfig config = new ImageConfig(List.of("A=1"), List.of("sh"), List.of("/bin/entry"), "/srv", "nobody",
                Set.of("80/tcp"), Map.of("k", "v"));
        Image image = store.importRootfs(new ByteArrayInputStream(TarBuilder.gzip(rootfs("gz"))), "prt-conf:1", config);
        ImageStore reopened = new ImageStore(dataRoot);
        Image again = reopened.find("prt-conf:1").orElseThrow();
        assertThat(again).isEqualTo(image);
        assertThat(again.config()).isEqualTo(config);
    }

    @Test
    void reopeningDropsWhatACrashLeftHalfWritten() throws Exception {
        Image kept = store.importRootfs(new ByteArrayInputStream(rootfs("kept")), "prt-kept", null);
        Path image = dataRoot.resolve("image");
        Files.createDirectories(image.resolve("layers/" + "a".repeat(64)));            // layer renamed, image never written
        Files.createDirectories(image.resolve("images/" + "b".repeat(64)));            // config written, meta not
        Files.writeString(image.resolve("images/" + "b".repeat(64) + "/config.json"), "{}");
        Files.createDirectories(image.resolve("tmp/load-interrupted/archive"));
        ImageStore reopened = new ImageStore(dataRoot);
        assertThat(reopened.list()).containsExactly(kept);
        assertThat(image.resolve("layers").toFile().list()).containsExactly(kept.layerIds().getFirst().substring(7));
        assertThat(image.resolve("images").toFile().list()).containsExactly(kept.id().substring(7));
        assertThat(image.resolve("tmp").toFile().list()).isEmpty();
    }

    @Test
    void refusesBadReferencesAndBadInputLeavingNothing() throws Exception {
        assertThatThrownBy(() -> store.importRootfs(new ByteArrayInputStream(rootfs("x")), "Prt-Upper", null))
                .isInstanceOf(ImageException.class).hasMessageContaining("lowercase");
        assertThatThrownBy(() -> store.importRootfs(new ByteArrayInputStream("garbage".repeat(200).getBytes()), "prt-x", null))
                .isInstanceOf(ImageException.class).hasMessageContaining("not a tar archive");
        assertThatThrownBy(() -> store.load(new ByteArrayInputStream("garbage".repeat(200).getBytes())))
                .isInstanceOf(ImageException.class).hasMessageContaining("not a tar archive");
        assertThatThrownBy(() -> store.load(new ByteArrayInputStream(new TarBuilder().file("hello", 0644, "x").build())))
                .isInstanceOf(ImageException.class).hasMessageContaining("neither manifest.json");
        assertThatThrownBy(() -> store.load(new ByteArrayInputStream(new TarBuilder().file("manifest.json", 0644, "{nope").build())))
                .isInstanceOf(ImageException.class).hasMessageContaining("manifest.json is not valid JSON");
        assertThatThrownBy(() -> store.tag("prt-none", "prt-y"))
                .isInstanceOfSatisfying(ImageException.class, e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.NOT_FOUND));
        assertNothingStored();
    }

    private void assertNothingStored() {
        assertThat(store.list()).isEmpty();
        assertThat(dataRoot.resolve("image/layers").toFile().list()).isEmpty();
        assertThat(dataRoot.resolve("image/images").toFile().list()).isEmpty();
        assertThat(dataRoot.resolve("image/tmp").toFile().list()).isEmpty();
    }

    /** A docker-save archive: two images sharing a base layer (the second by symlink, as docker does). */
    private static byte[] dockerSave(boolean corruptDiffId) throws Exception {
        byte[] base = new TarBuilder().dir("etc/", 0755).file("etc/a", 0644, "A").file("etc/b", 0644, "B").build();
        byte[] top = new TarBuilder().dir("etc/", 0755).file("etc/.wh.b", 0644, "").file("etc/c", 0644, "C").build();
        byte[] config1 = config(List.of(sha256(base), corruptDiffId ? sha256(base) : sha256(top)), "prt-one");
        byte[] config2 = config(List.of(sha256(base)), "prt-two");
        ArrayNode manifest = JSON.createArrayNode();
        ObjectNode m1 = manifest.addObject();
        m1.put("Config", sha256(config1) + ".json");
        m1.putArray("RepoTags").add("prt-loaded:1");
        m1.putArray("Layers").add("base/layer.tar").add("top/layer.tar");
        ObjectNode m2 = manifest.addObject();
        m2.put("Config", sha256(config2) + ".json");
        m2.putArray("RepoTags").add("docker.io/library/prt-loaded:2");
        m2.putArray("Layers").add("alias/layer.tar");
        return new TarBuilder()
                .dir("base/", 0755).file("base/layer.tar", 0644, 0, 0, base)
                .dir("top/", 0755).file("top/layer.tar", 0644, 0, 0, top)
                .dir("alias/", 0755).symlink("alias/layer.tar", "../base/layer.tar")
                .file(sha256(config1) + ".json", 0644, 0, 0, config1)
                .file(sha256(config2) + ".json", 0644, 0, 0, config2)
                .file("manifest.json", 0644, 0, 0, JSON.writeValueAsBytes(manifest))
                .build();
    }

    private static byte[] config(List<String> diffIds, String cmd) throws Exception {
        ObjectNode c = JSON.createObjectNode();
        c.put("architecture", "amd64");
        c.put("created", "2024-01-02T03:04:05.123456789Z");
        ObjectNode cfg = c.putObject("config");
        cfg.putArray("Env").add("PATH=/bin");
        cfg.putArray("Cmd").add(cmd);
        cfg.putObject("ExposedPorts").putObject("8080/tcp");
        c.put("os", "linux");
        ObjectNode rootfs = c.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        for (String d : diffIds) ids.add("sha256:" + d);
        return JSON.writeValueAsBytes(c);
    }

    @Test
    void loadsADockerSaveArchiveWhoseLayersStackInOverlay() throws Exception {
        List<Image> loaded = store.load(new ByteArrayInputStream(dockerSave(false)));
        assertThat(loaded).hasSize(2);
        Image one = store.find("prt-loaded:1").orElseThrow();
        Image two = store.find("prt-loaded:2").orElseThrow();
        assertThat(one.config().cmd()).containsExactly("prt-one");
        assertThat(one.config().exposedPorts()).containsExactly("8080/tcp");
        assertThat(one.created()).isEqualTo("2024-01-02T03:04:05.123456789Z");
        assertThat(one.layerIds()).hasSize(2);
        assertThat(two.layerIds()).containsExactly(one.layerIds().getFirst());
        assertThat(dataRoot.resolve("image/layers").toFile().list()).hasSize(2);
        List<Path> lower = store.layerDirs(one);
        assertThat(lower.getFirst().getFileName().toString()).isEqualTo(one.layerIds().get(1).substring(7));

        Path work = Files.createTempDirectory("prt-overlay");
        Path merged = Files.createDirectory(work.resolve("merged"));
        try {
            Mounts.overlay(lower, Files.createDirectory(work.resolve("upper")), Files.createDirectory(work.resolve("work")), merged);
            try {
                assertThat(Files.readString(merged.resolve("etc/a"))).isEqualTo("A");
                assertThat(Files.readString(merged.resolve("etc/c"))).isEqualTo("C");
                assertThat(merged.resolve("etc/b")).doesNotExist();   // whited out by the top layer
            } finally {
                Mounts.unmount(merged, true);
            }
        } finally {
            FileTrees.deleteRecursively(work);
        }
    }

    @Test
    void loadRefusesALayerThatDoesNotMatchItsDiffId() throws Exception {
        assertThatThrownBy(() -> store.load(new ByteArrayInputStream(dockerSave(true))))
                .isInstanceOf(ImageException.class).hasMessageContaining("diff id");
        assertNothingStored();
    }

    @Test
    void loadsAnOciLayout() throws Exception {
        byte[] layer = new TarBuilder().file("hello", 0644, "oci").build();
        byte[] gz = TarBuilder.gzip(layer);
        byte[] config = config(List.of(sha256(layer)), "oci-cmd");
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.putObject("config").put("digest", "sha256:" + sha256(config));
        manifest.putArray("layers").addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip")
                .put("digest", "sha256:" + sha256(gz));
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        ObjectNode index = JSON.createObjectNode();
        ObjectNode desc = index.putArray("manifests").addObject();
        desc.put("digest", "sha256:" + sha256(manifestBytes));
        desc.putObject("annotations").put("io.containerd.image.name", "docker.io/library/prt-oci:3");
        byte[] archive = new TarBuilder()
                .file("oci-layout", 0644, "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", 0644, 0, 0, JSON.writeValueAsBytes(index))
                .file("blobs/sha256/" + sha256(manifestBytes), 0644, 0, 0, manifestBytes)
                .file("blobs/sha256/" + sha256(config), 0644, 0, 0, config)
                .file("blobs/sha256/" + sha256(gz), 0644, 0, 0, gz)
                .build();
        List<Image> loaded = store.load(new ByteArrayInputStream(archive));
        assertThat(loaded).singleElement().satisfies(i -> {
            assertThat(i.repoTags()).containsExactly("prt-oci:3");
            assertThat(i.config().cmd()).containsExactly("oci-cmd");
        });
        assertThat(Files.readString(store.layerDirs(loaded.getFirst()).getFirst().resolve("hello"))).isEqualTo("oci");
    }

    @Test
    void normalizesReferencesTheDockerWay() {
        assertThat(ImageRef.normalize("busybox")).isEqualTo("busybox:latest");
        assertThat(ImageRef.normalize("docker.io/library/busybox:1.36")).isEqualTo("busybox:1.36");
        assertThat(ImageRef.normalize("docker.io/team/app")).isEqualTo("team/app:latest");
        assertThat(ImageRef.normalize("localhost:5000/team/app:v2")).isEqualTo("localhost:5000/team/app:v2");
        assertThat(ImageRef.normalize("localhost/busybox")).isEqualTo("localhost/busybox:latest");
        for (String bad : List.of("", "Busybox", "busybox:", "busy box", "a//b", "busybox@sha256:00", "x:" + "t".repeat(200))) {
            assertThatThrownBy(() -> ImageRef.normalize(bad)).as(bad).isInstanceOf(ImageException.class)
                    .hasMessageContaining("invalid reference format");
        }
        assertThat(StandardCharsets.UTF_8).isNotNull();
    }
}
