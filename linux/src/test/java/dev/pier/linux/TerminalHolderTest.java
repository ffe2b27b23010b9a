package dev.pier.linux;

import dev.pier.linux.internal.ProcCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A terminal's master kept open by a holder process (posix_spawn, own session) and taken back
 * with pidfd_open + pidfd_getfd: what lets a tty container's output outlive pierd.
 */
class TerminalHolderTest {
    private static final Path SLEEP = Path.of(Files.isExecutable(Path.of("/usr/bin/sleep")) ? "/usr/bin/sleep" : "/bin/sleep");
    /** Unique per run: the marked() scan must find this test's holders and nobody else's. */
    private static final String MARK = "/tmp/plt-" + Long.toHexString(System.nanoTime()) + "/bundles/c1";
    private final List<Processes.Holder> holders = new ArrayList<>();
    private final List<Integer> fds = new ArrayList<>();
    private final List<Processes.Terminal> terminals = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (Processes.Terminal t : terminals) t.close();
        for (Processes.Holder h : holders) h.kill();
        for (int fd : fds) ProcCalls.close(fd);
    }

    @Test
    void aHolderNobodyRecordedIsFoundByItsMark() {
        Processes.Holder holder = held().holder();
        String prefix = MARK.substring(0, MARK.lastIndexOf('/') + 1);
        assertThat(Processes.Holder.marked(prefix)).containsExactly(new Processes.Holder.Marked(holder, MARK));
        assertThat(Processes.Holder.marked(prefix + "other")).isEmpty();
        assertThat(holder.kill()).isTrue();
        assertThat(Processes.Holder.marked(prefix)).isEmpty();
    }

    @Test
    void aHeldMasterIsTakenBackAndCarriesWhatTheSlaveWrites() throws Exception {
        Held held = held();
        Processes.Holder holder = held.holder();
        // pierd's own copy goes (as with a kill -9): the holder's keeps the terminal open.
        held.original().close();

        Path master = Path.of("/proc", Long.toString(holder.pid()), "fd", Integer.toString(holder.fd()));
        assertThat(Files.readSymbolicLink(master).toString()).endsWith("ptmx");
        // Nothing else of ours leaked into it: stdio on /dev/null, the master, no more.
        try (var entries = Files.list(master.getParent())) {
            assertThat(entries.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("0", "1", "2", "3");
        }
        assertThat(Files.readSymbolicLink(master.resolveSibling("1")).toString()).isEqualTo("/dev/null");
        String stat = Files.readString(Path.of("/proc", Long.toString(holder.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        assertThat(fields[5 - 3]).as("session id: its own").isEqualTo(Long.toString(holder.pid()));

        Processes.Terminal back = holder.takeTerminal();
        terminals.add(back);
        InputStream out = back.input();
        write(held.slave(), "written after the take-back\n");
        byte[] buf = new byte[64];
        StringBuilder got = new StringBuilder();
        while (!got.toString().contains("take-back")) {
            int n = out.read(buf);
            assertThat(n).isPositive();
            got.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        back.resize(40, 120);   // an ioctl on the taken-back descriptor works as on the original

        assertThat(holder.alive()).isTrue();
        assertThat(holder.kill()).isTrue();
        assertThat(Path.of("/proc", Long.toString(holder.pid()))).as("killed and reaped").doesNotExist();
        assertThat(holder.alive()).isFalse();
        assertThat(holder.kill()).isFalse();
        assertThatThrownBy(holder::takeTerminal).isInstanceOf(KernelException.class)
                .satisfies(e -> assertThat(((KernelException) e).errno()).isEqualTo(KernelException.ESRCH));
    }

    @Test
    void aHolderWithAnotherStartTimeIsNotTouched() {
        Processes.Holder holder = held().holder();

        // The same pid with another start time stands for a later process that reused the pid.
        Processes.Holder impostor = new Processes.Holder(holder.pid(), holder.startTime() + 1, holder.fd());
        assertThat(impostor.alive()).isFalse();
        assertThat(impostor.kill()).isFalse();
        assertThatThrownBy(impostor::takeTerminal).isInstanceOf(KernelException.class);
        assertThat(holder.alive()).as("the real holder is left alone").isTrue();
    }

    /** A pty's master held by a holder marked MARK; the slave stays open here (closed after the test). */
    private record Held(Processes.Terminal original, Processes.Holder holder, int slave) {}

    private Held held() {
        int[] pty = ProcCalls.openPty();
        fds.add(pty[1]);
        Processes.Terminal original = new Processes.Terminal(pty[0]);
        terminals.add(original);
        Processes.Holder holder = original.holdOpen(SLEEP, List.of("plt-holder", "infinity"), MARK);
        holders.add(holder);
        return new Held(original, holder, pty[1]);
    }

    private static void write(int fd, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, bytes);
            ProcCalls.writeFully(fd, buf, bytes.length);
        }
    }
}
