package dev.pier.runtime;

import dev.pier.image.FileTrees;
import dev.pier.linux.KernelException;
import dev.pier.linux.Mounts;
import dev.pier.linux.Processes;
import dev.pier.linux.Processes.ExitStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The linux-module primitives the runtime stands on, against the real kernel. */
class ProcessesAndMountsTest {
    private Path dir;

    @BeforeAll
    static void subreaper() {
        Processes.becomeChildSubreaper();
    }

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("prt-prim");
    }

    @AfterEach
    void tearDown() throws Exception {
        OciRuntimeTest.unmountEverythingUnder(dir);
        FileTrees.deleteRecursively(dir);
    }

    /** Starts sh -c script, which prints the pid of a background job and returns at once. */
    private static long orphan(String job) throws Exception {
        Process sh = new ProcessBuilder("sh", "-c", job + " >/dev/null 2>&1 & echo $!").start();
        long pid = Long.parseLong(new String(sh.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip());
        assertThat(sh.waitFor()).isZero();
        return pid;
    }

    @Test
    void anOrphanComesBackToUsAndItsExitStatusIsReaped() throws Exception {
        assertThat(Processes.isChildSubreaper()).isTrue();
        long exits7 = orphan("sh -c 'sleep 0.2; exit 7'");
        assertThat(Processes.onExit(exits7).get(60, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Exited(7));
        assertThat(Processes.exists(exits7)).isFalse();   // reaped, no zombie left

        long sleeper = orphan("sleep 100");
        var exit = Processes.onExit(sleeper);
        assertThat(Processes.onExit(sleeper)).isSameAs(exit);
        assertThat(Processes.signal(sleeper, Processes.SIGKILL)).isTrue();
        ExitStatus status = exit.get(60, TimeUnit.SECONDS);
        assertThat(status).isEqualTo(new ExitStatus.Signaled(9, false));
        assertThat(status.code()).isEqualTo(137);
        assertThat(Processes.signal(sleeper, 0)).isFalse();
    }

    @Test
    void aProcessThatIsNotOurChildEndsWithAnUnknownStatus() throws Exception {
        // The shell stays alive and reaps its own child: we only observe it end.
        Process sh = new ProcessBuilder("sh", "-c", "sleep 1 & echo $!; wait").start();
        long pid = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(sh.getInputStream(), StandardCharsets.US_ASCII)).readLine().strip());
        ExitStatus status = Processes.onExit(pid).get(60, TimeUnit.SECONDS);
        assertThat(status).isEqualTo(new ExitStatus.Unknown());
        assertThat(status.code()).isEqualTo(-1);
        sh.waitFor();
        assertThat(Processes.onExit(pid).get(60, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Unknown());
        assertThatThrownBy(() -> Processes.onExit(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bindsOverlaysAndUnmounts() throws Exception {
        Path lower1 = Files.createDirectories(dir.resolve("l1")), lower2 = Files.createDirectories(dir.resolve("l2"));
        Files.writeString(lower1.resolve("f"), "bottom");
        Files.writeString(lower2.resolve("f"), "top");
        Path merged = Files.createDirectories(dir.resolve("merged"));
        Mounts.overlay(List.of(lower2, lower1), Files.createDirectories(dir.resolve("u")), Files.createDirectories(dir.resolve("w")), merged);
        assertThat(Mounts.isMountPoint(merged)).isTrue();
        assertThat(Files.readString(merged.resolve("f"))).isEqualTo("top");
        Files.writeString(merged.resolve("new"), "x");
        assertThat(dir.resolve("u/new")).exists();

        Path ro = Files.createDirectories(dir.resolve("ro"));
        Mounts.bind(lower1, ro, true);
        assertThat(Files.readString(ro.resolve("f"))).isEqualTo("bottom");
        assertThatThrownBy(() -> Files.writeString(ro.resolve("g"), "x")).hasMessageContaining("Read-only");

        assertThat(Mounts.unmount(ro, false)).isTrue();
        assertThat(Mounts.unmount(merged, false)).isTrue();
        assertThat(Mounts.unmount(merged, false)).isFalse();
        assertThat(Mounts.isMountPoint(merged)).isFalse();
        assertThatThrownBy(() -> Mounts.overlay(List.of(dir.resolve("a,b")), dir.resolve("u"), dir.resolve("w"), merged))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("may not contain");
        assertThatThrownBy(() -> Mounts.overlay(List.of(dir.resolve("missing")), dir.resolve("u"), dir.resolve("w"), merged))
                .isInstanceOf(KernelException.class).hasMessageContaining("ENOENT");
    }

    @Test
    void mountsMoreLayersThanOnePageOfOptionsHolds() throws Exception {
        List<Path> lowers = new java.util.ArrayList<>();
        for (int i = 0; i < 80; i++) {
            Path layer = Files.createDirectories(dir.resolve("layer-with-a-rather-long-name-like-a-digest-" + "0".repeat(40) + "-" + i));
            Files.writeString(layer.resolve("f" + i), String.valueOf(i));
            Files.writeString(layer.resolve("top"), String.valueOf(i));
            lowers.addFirst(layer);   // top-most first: layer 79 wins
        }
        Path merged = Files.createDirectories(dir.resolve("merged"));
        Mounts.overlay(lowers, Files.createDirectories(dir.resolve("u")), Files.createDirectories(dir.resolve("w")), merged);
        try {
            assertThat(Files.readString(merged.resolve("f0"))).isEqualTo("0");
            assertThat(Files.readString(merged.resolve("f79"))).isEqualTo("79");
            assertThat(Files.readString(merged.resolve("top"))).isEqualTo("79");
        } finally {
            Mounts.unmount(merged, true);
        }
    }

    @Test
    void makesFifosWhiteoutsAndDevices() throws Exception {
        Mounts.makeFifo(dir.resolve("fifo"), 0600);
        assertThat((int) Files.getAttribute(dir.resolve("fifo"), "unix:mode") & 0170000).isEqualTo(0010000);
        Mounts.makeWhiteout(dir.resolve("gone"));
        assertThat(Mounts.isWhiteout(dir.resolve("gone"))).isTrue();
        Mounts.makeDevice(dir.resolve("null"), false, 1, 3, 0666);
        assertThat(Files.getAttribute(dir.resolve("null"), "unix:rdev")).isEqualTo(0x103L);
        assertThat(Mounts.isWhiteout(dir.resolve("null"))).isFalse();
        assertThatThrownBy(() -> Mounts.makeFifo(dir.resolve("fifo"), 0600)).isInstanceOf(KernelException.class)
                .hasMessageContaining("EEXIST");
    }
}
