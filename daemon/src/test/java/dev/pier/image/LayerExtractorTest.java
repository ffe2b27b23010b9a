package dev.pier.image;

import dev.pier.linux.Mounts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LayerExtractorTest {
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("prt-layer");
    }

    @AfterEach
    void tearDown() throws Exception {
        FileTrees.deleteRecursively(dir);
    }

    private LayerExtractor.Result extract(byte[] tar) throws Exception {
        return LayerExtractor.extract(new ByteArrayInputStream(tar), dir);
    }

    @Test
    void extractsFilesDirectoriesLinksWithModesAndOwners() throws Exception {
        byte[] tar = new TarBuilder()
                .dir("./", 0755)
                .dir("./etc/", 0750)
                .file("./etc/passwd", 0644, "root:x:0:0::/root:/bin/sh\n")
                .file("./bin/tool", 04755, 1000, 1001, "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8))
                .symlink("./bin/sh", "busybox")
                .hardlink("./bin/tool2", "./bin/tool")
                .longFile("a/" + "x".repeat(150), "long")
                .build();
        LayerExtractor.Result r = extract(tar);

        assertThat(r.diffId()).isEqualTo("sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tar)));
        assertThat(r.size()).isEqualTo(26 + 10 + 4);
        assertThat(Files.readString(dir.resolve("etc/passwd"))).startsWith("root:");
        assertThat(Files.getAttribute(dir.resolve("etc"), "unix:mode")).isEqualTo(040750);
        Path tool = dir.resolve("bin/tool");
        assertThat((int) Files.getAttribute(tool, "unix:mode") & 07777).isEqualTo(04755);
        assertThat(Files.getAttribute(tool, "unix:uid")).isEqualTo(1000);
        assertThat(Files.getAttribute(tool, "unix:gid")).isEqualTo(1001);
        assertThat(Files.readSymbolicLink(dir.resolve("bin/sh")).toString()).isEqualTo("busybox");
        assertThat(Files.isSameFile(tool, dir.resolve("bin/tool2"))).isTrue();
        assertThat(Files.readString(dir.resolve("a/" + "x".repeat(150)))).isEqualTo("long");
        assertThat(Files.getLastModifiedTime(dir.resolve("etc")).toMillis()).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void turnsDockerWhiteoutsIntoOverlayWhiteouts() throws Exception {
        extract(new TarBuilder()
                .dir("etc/", 0755)
                .file("etc/.wh.motd", 0644, "")
                .dir("var/cache/", 0755)
                .file("var/cache/.wh..wh..opq", 0644, "")
                .file("var/cache/.wh..wh.plnk", 0644, "")
                .build());
        assertThat(Mounts.isWhiteout(dir.resolve("etc/motd"))).isTrue();
        assertThat(Files.exists(dir.resolve("etc/.wh.motd"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Mounts.isOpaque(dir.resolve("var/cache"))).isTrue();
        assertThat(dir.resolve("var/cache").toFile().list()).isEmpty();
    }

    @Test
    void appliesFileCapabilitiesButNotOverlayAttributes() throws Exception {
        // security.capability v2 for cap_net_raw+ep
        byte[] cap = HexFormat.of().parseHex("0100000200200000000000000000000000000000");
        extract(new TarBuilder()
                .fileWithXattr("ping", "security.capability", cap, "x")
                .fileWithXattr("evil", "trusted.overlay.redirect", "/etc".getBytes(), "y")
                .build());
        assertThat(Mounts.getXattr(dir.resolve("ping"), "security.capability")).hasValue(cap);
        assertThat(Mounts.getXattr(dir.resolve("evil"), "trusted.overlay.redirect")).isEmpty();
    }

    @Test
    void acceptsGzip() throws Exception {
        byte[] tar = new TarBuilder().file("hello", 0644, "hi").build();
        LayerExtractor.Result r = extract(TarBuilder.gzip(tar));
        assertThat(Files.readString(dir.resolve("hello"))).isEqualTo("hi");
        // The diff id is the digest of the uncompressed tar.
        assertThat(r.diffId()).isEqualTo("sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tar)));
    }

    @Test
    void refusesEntriesOutsideTheLayer() {
        assertThatThrownBy(() -> extract(new TarBuilder().file("../escape", 0644, "x").build()))
                .isInstanceOf(ImageException.class).hasMessageContaining("outside the layer");
        assertThat(Files.exists(dir.getParent().resolve("escape"))).isFalse();
    }

    @Test
    void symlinksAreResolvedInsideTheLayer() throws Exception {
        Path outside = Files.createTempDirectory("prt-outside");
        try {
            extract(new TarBuilder()
                    .symlink("abs", outside.toString())
                    .file("abs/planted", 0644, "x")
                    .symlink("rel", "../../../../../..")
                    .file("rel/planted2", 0644, "y")
                    .build());
            assertThat(outside.toFile().list()).isEmpty();
            // An absolute link means the layer's own "/": the files land under the layer.
            assertThat(Files.readString(dir.resolve(outside.toString().substring(1)).resolve("planted"))).isEqualTo("x");
            assertThat(Files.readString(dir.resolve("planted2"))).isEqualTo("y");
        } finally {
            FileTrees.deleteRecursively(outside);
        }
    }

    @Test
    void namesBadInput() {
        assertThatThrownBy(() -> extract("this is not a tar archive at all".repeat(40).getBytes()))
                .isInstanceOf(ImageException.class).hasMessageContaining("not a tar archive");
        assertThatThrownBy(() -> extract(new byte[0]))
                .isInstanceOf(ImageException.class).hasMessageContaining("empty");
        byte[] tar = new TarBuilder().file("f", 0644, "x".repeat(2000)).build();
        byte[] truncated = java.util.Arrays.copyOf(tar, 1024);
        assertThatThrownBy(() -> extract(truncated))
                .isInstanceOf(ImageException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> extract(new TarBuilder().hardlink("h", "missing").build()))
                .isInstanceOf(ImageException.class).hasMessageContaining("does not contain");
    }
}
