package dev.pier.linux;

import dev.pier.linux.internal.Errno;
import dev.pier.linux.internal.ProcCalls;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Processes pierd does not start through {@link ProcessBuilder} but must still see end: the
 * container init processes that runc leaves behind. pierd becomes a child subreaper, so each
 * detached container process is re-parented to it; one platform thread waits on all their pidfds
 * with epoll and reaps each with waitid(P_PIDFD), which yields the real exit status and leaves the
 * JDK's own child reaping (by pid) untouched.
 */
public final class Processes {
    private Processes() {}

    public static final int SIGKILL = 9, SIGTERM = 15;

    /** How a watched process ended. */
    public sealed interface ExitStatus {
        /** Docker's convention: the exit code, 128 + signal for a signal, -1 when unknowable. */
        int code();

        record Exited(int status) implements ExitStatus {
            public int code() { return status; }
        }

        record Signaled(int signal, boolean coreDumped) implements ExitStatus {
            public int code() { return 128 + signal; }
        }

        /** Not our child (adopted after a restart, reaped elsewhere): it ended, how is unknown. */
        record Unknown() implements ExitStatus {
            public int code() { return -1; }
        }
    }

    /** prctl(PR_SET_CHILD_SUBREAPER): orphaned descendants become our children, not init's. */
    public static void becomeChildSubreaper() {
        ProcCalls.prctl(ProcCalls.PR_SET_CHILD_SUBREAPER, 1);
    }

    public static boolean isChildSubreaper() {
        return ProcCalls.isChildSubreaper();
    }

    /** Sends signal to pid; false when no such process exists (any more). */
    public static boolean signal(long pid, int signal) {
        int errno = ProcCalls.kill(toPid(pid), signal);
        if (errno == 0) return true;
        if (errno == Errno.ESRCH) return false;
        throw new KernelException(errno, "kill -" + signal, "pid " + pid);
    }

    /** True while pid exists (a zombie not yet reaped counts). */
    public static boolean exists(long pid) {
        int errno = ProcCalls.kill(toPid(pid), 0);
        return errno == 0 || errno == Errno.EPERM;
    }

    /**
     * Completes when pid ends. Our child is reaped here and its status reported; any other process
     * is only observed (status {@link ExitStatus.Unknown}). Calls for the same pid while it runs
     * share one future. Futures complete on a virtual thread, never on the watcher thread.
     */
    public static CompletableFuture<ExitStatus> onExit(long pid) {
        return Watcher.INSTANCE.watch(toPid(pid));
    }

    private static int toPid(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) throw new IllegalArgumentException("not a process id: " + pid);
        return (int) pid;
    }

    /**
     * The socket an OCI runtime sends a new terminal's master to (`--console-socket`). Abstract
     * (no file on disk, no path-length limit to meet); runc dials it from the host's namespace.
     */
    public static final class ConsoleSocket implements AutoCloseable {
        private final int fd;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final String address;

        private ConsoleSocket(int fd, String address) {
            this.fd = fd;
            this.address = address;
        }

        public static ConsoleSocket open() {
            String address = "@pier-console-" + UUID.randomUUID();
            return new ConsoleSocket(ProcCalls.unixListen(address), address);
        }

        /** The value for `--console-socket`. */
        public String address() {
            return address;
        }

        /** The terminal the runtime sent; call once the runtime command has returned successfully. */
        public Terminal receive() {
            int conn = ProcCalls.acceptNow(fd);
            if (conn < 0) throw new IllegalStateException("the runtime did not connect to console socket " + address);
            try {
                int master = ProcCalls.receiveFd(conn);
                ProcCalls.setBlocking(master);
                return new Terminal(master);
            } finally {
                ProcCalls.close(conn);
            }
        }

        /** Idempotent: a second close must not hit a descriptor number since reused elsewhere. */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) ProcCalls.close(fd);
        }
    }

    /**
     * The master side of a container's pseudo-terminal. Its output is read by one platform thread
     * (a blocking native read would pin a virtual thread's carrier) into {@link #copyTo} or
     * {@link #input()}; it ends when the last process on the terminal exits.
     */
    public static final class Terminal implements Closeable {
        private static final int POLL_MILLIS = 250;
        private final int fd;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final AtomicBoolean fdClosed = new AtomicBoolean();
        private final ReentrantReadWriteLock fdLock = new ReentrantReadWriteLock();
        private Thread pump;

        Terminal(int fd) {
            this.fd = fd;
        }

        /**
         * Starts program (`sleep infinity` does) with a duplicate of this terminal's master as its
         * descriptor {@link Holder#FD}, so the terminal stays open when pierd dies: the container's
         * output then waits in the terminal for a restarted pierd, which takes the master back with
         * {@link Holder#takeTerminal}. The holder gets a session of its own (no signal to pierd's
         * process group or hang-up of pierd's terminal reaches it), /dev/null as stdio, no other
         * descriptor of pierd's and, for environment, only {@link Holder#MARK}={@code mark}: what
         * {@link Holder#marked} finds it by should pierd die before it records the holder. It is
         * pierd's child: {@link Holder#kill} reaps it.
         */
        public Holder holdOpen(Path program, List<String> argv, String mark) {
            fdLock.readLock().lock();
            try {
                if (fdClosed.get()) throw new IllegalStateException("terminal closed");
                int pid = ProcCalls.spawnHolding(program.toString(), argv, List.of(Holder.MARK + "=" + mark), fd, Holder.FD);
                // Our child, not reaped: its /proc entry exists even should it have died already.
                return new Holder(pid, processStartTime(pid), Holder.FD);
            } finally {
                fdLock.readLock().unlock();
            }
        }

        /**
         * Copies everything written to the terminal into out, then closes out (at the terminal's
         * end or at {@link #close}). At most one of copyTo and input per terminal.
         */
        public synchronized void copyTo(OutputStream out) {
            if (pump != null) throw new IllegalStateException("the terminal's output is already being read");
            pump = Thread.ofPlatform().daemon().name("pier-terminal-" + fd).start(() -> pump(out));
        }

        /** The terminal's output as a stream (ends when the terminal does). */
        public InputStream input() {
            try {
                Pipe pipe = Pipe.open();
                copyTo(Channels.newOutputStream(pipe.sink()));
                return Channels.newInputStream(pipe.source());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** Writes go to the terminal: the container's process reads them as typed input. */
        public OutputStream output() {
            return new OutputStream() {
                @Override public void write(int b) throws IOException {
                    write(new byte[]{(byte) b}, 0, 1);
                }

                @Override public void write(byte[] b, int off, int len) throws IOException {
                    fdLock.readLock().lock();
                    try (Arena arena = Arena.ofConfined()) {
                        if (fdClosed.get()) throw new IOException("terminal closed");
                        MemorySegment buf = arena.allocate(Math.max(1, len));
                        MemorySegment.copy(b, off, buf, ValueLayout.JAVA_BYTE, 0, len);
                        ProcCalls.writeFully(fd, buf, len);
                    } catch (KernelException e) {
                        throw new IOException(e.getMessage(), e);
                    } finally {
                        fdLock.readLock().unlock();
                    }
                }
            };
        }

        /** Sets the terminal's size (the process gets SIGWINCH). */
        public void resize(int rows, int cols) {
            if (rows <= 0 || cols <= 0 || rows > 0xffff || cols > 0xffff) {
                throw new IllegalArgumentException("bad terminal size " + rows + "x" + cols);
            }
            fdLock.readLock().lock();
            try {
                if (fdClosed.get()) throw new IllegalStateException("terminal closed");
                ProcCalls.setWindowSize(fd, rows, cols);
            } finally {
                fdLock.readLock().unlock();
            }
        }

        private void pump(OutputStream out) {
            try (Arena arena = Arena.ofConfined(); out) {
                MemorySegment buf = arena.allocate(16384);
                byte[] bytes = new byte[16384];
                while (true) {
                    // Poll with a timeout so close() is noticed without closing an fd a read still uses;
                    // once closed, drain what is already there and stop.
                    boolean closing = closed.get();
                    if (!ProcCalls.pollIn(fd, closing ? 0 : POLL_MILLIS)) {
                        if (closing) break;
                        continue;
                    }
                    long n = ProcCalls.read(fd, buf, buf.byteSize());
                    if (n <= 0) break; // EIO: the last process on the terminal is gone
                    MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, bytes, 0, (int) n);
                    out.write(bytes, 0, (int) n);
                    out.flush();
                }
            } catch (IOException | RuntimeException ignored) {
                // the reader went away or the terminal broke: either way this terminal is done
            } finally {
                closeFd();
            }
        }

        private void closeFd() {
            fdLock.writeLock().lock();
            try {
                if (fdClosed.compareAndSet(false, true)) ProcCalls.close(fd);
            } finally {
                fdLock.writeLock().unlock();
            }
        }

        /** Stops reading; returns once what the terminal already held has been copied out. */
        @Override
        public synchronized void close() {
            closed.set(true);
            if (pump == null) {
                closeFd();
                return;
            }
            try {
                pump.join(Duration.ofSeconds(5)); // it notices within a poll interval and closes the fd
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A process that keeps a duplicate of a terminal's master open outside pierd (see
     * {@link Terminal#holdOpen}). pid alone could name a later process once the holder is gone;
     * startTime (clock ticks after boot, field 22 of /proc/PID/stat) tells them apart. fd is the
     * master's number inside the holder.
     */
    public record Holder(long pid, long startTime, int fd) {
        /** Where {@link Terminal#holdOpen} puts the master in the holder. */
        public static final int FD = 3;
        /** The one variable of a holder's environment: the mark it was started with. */
        public static final String MARK = "PIER_TERMINAL_HOLDER";

        /** A running holder and its mark. */
        public record Marked(Holder holder, String mark) {}

        /**
         * Every running holder whose mark starts with {@code prefix}, found by its environment in
         * /proc: the ones a pierd that died between starting and recording them never wrote down.
         */
        public static List<Marked> marked(String prefix) {
            String wanted = MARK + "=" + prefix;
            List<Marked> found = new java.util.ArrayList<>();
            try (var entries = Files.newDirectoryStream(Path.of("/proc"), name -> name.getFileName().toString().chars().allMatch(Character::isDigit))) {
                for (Path dir : entries) {
                    String environment;
                    try {
                        environment = new String(Files.readAllBytes(dir.resolve("environ")), java.nio.charset.StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        continue; // gone meanwhile, or a kernel thread
                    }
                    // A holder's environment is its mark alone.
                    if (!environment.startsWith(wanted) || environment.indexOf('\0') != environment.length() - 1) continue;
                    long pid = Long.parseLong(dir.getFileName().toString());
                    long start = processStartTime(pid);
                    if (start >= 0) found.add(new Marked(new Holder(pid, start, FD), environment.substring(MARK.length() + 1, environment.length() - 1)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return found;
        }
        private static final int END_WAIT_MILLIS = 5000;

        /**
         * A duplicate of the held master, read and written like the original (pidfd_getfd).
         *
         * @throws KernelException ESRCH when the holder is gone or its pid names another process
         */
        public Terminal takeTerminal() {
            int pidfd = open();
            if (pidfd < 0) throw new KernelException(Errno.ESRCH, "pidfd_open", "terminal holder " + pid + " (gone, or its pid names another process)");
            try {
                int master = ProcCalls.pidfdGetfd(pidfd, fd);
                ProcCalls.setBlocking(master);
                return new Terminal(master);
            } finally {
                ProcCalls.close(pidfd);
            }
        }

        /** True while the holder runs (a zombie not yet reaped counts). */
        public boolean alive() {
            int pidfd = open();
            if (pidfd < 0) return false;
            ProcCalls.close(pidfd);
            return true;
        }

        /**
         * SIGKILL to the holder, then waits (bounded) for its end, reaping it when it is our child
         * (else its parent, init after a pierd restart, does). False when it was already gone.
         */
        public boolean kill() {
            int pidfd = open();
            if (pidfd < 0) return false;
            try {
                int errno = ProcCalls.pidfdSendSignal(pidfd, SIGKILL);
                if (errno != 0 && errno != Errno.ESRCH) throw new KernelException(errno, "pidfd_send_signal", "terminal holder " + pid);
                // A pidfd turns readable once its process has ended, zombie or not.
                ProcCalls.pollIn(pidfd, END_WAIT_MILLIS);
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment siginfo = arena.allocate(ProcCalls.SIGINFO_SIZE, 8);
                    ProcCalls.waitidPidfd(pidfd, siginfo, ProcCalls.WEXITED | ProcCalls.WNOHANG); // ECHILD: not ours to reap
                }
                return errno == 0;
            } finally {
                ProcCalls.close(pidfd);
            }
        }

        /** A pidfd on the holder, or -1 when it is gone or its pid now names another process. */
        private int open() {
            int pidfd;
            try {
                pidfd = ProcCalls.pidfdOpen(toPid(pid));
            } catch (KernelException e) {
                if (e.errno() == Errno.ESRCH) return -1;
                throw e;
            }
            // Compared after the open: when the start time matches, the pidfd names the holder itself.
            if (processStartTime(pid) != startTime) {
                ProcCalls.close(pidfd);
                return -1;
            }
            return pidfd;
        }
    }

    /** Field 22 of /proc/PID/stat (clock ticks after boot); -1 when there is no such process. */
    static long processStartTime(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The command name in parentheses may hold spaces and parentheses: count from the last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[22 - 3]);
    }

    private static final class Watcher {
        static final Watcher INSTANCE = new Watcher();
        private static final int MAX_EVENTS = 64;

        private final int epfd = ProcCalls.epollCreate();
        private final Object lock = new Object();
        private final Map<Integer, CompletableFuture<ExitStatus>> byPid = new HashMap<>();
        private final Map<Integer, Integer> pidByFd = new HashMap<>();

        private Watcher() {
            Thread t = Thread.ofPlatform().daemon().name("pier-exit-watcher").unstarted(this::run);
            t.start();
        }

        CompletableFuture<ExitStatus> watch(int pid) {
            synchronized (lock) {
                CompletableFuture<ExitStatus> existing = byPid.get(pid);
                if (existing != null) return existing;
                int fd;
                try {
                    fd = ProcCalls.pidfdOpen(pid);
                } catch (KernelException e) {
                    if (e.errno() == Errno.ESRCH) return CompletableFuture.completedFuture(new ExitStatus.Unknown());
                    throw e;
                }
                CompletableFuture<ExitStatus> future = new CompletableFuture<>();
                byPid.put(pid, future);
                pidByFd.put(fd, pid);
                try {
                    // epoll_ctl from this thread is safe while the watcher sits in epoll_wait.
                    ProcCalls.epollCtl(epfd, ProcCalls.EPOLL_CTL_ADD, fd, ProcCalls.EPOLLIN);
                } catch (KernelException e) {
                    byPid.remove(pid);
                    pidByFd.remove(fd);
                    ProcCalls.close(fd);
                    throw e;
                }
                return future;
            }
        }

        private void run() {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment events = arena.allocate(ProcCalls.EPOLL_EVENT_SIZE * MAX_EVENTS, 8);
                MemorySegment siginfo = arena.allocate(ProcCalls.SIGINFO_SIZE, 8);
                while (true) {
                    int n = ProcCalls.epollWait(epfd, events, MAX_EVENTS, -1);
                    for (int i = 0; i < n; i++) {
                        int fd = ProcCalls.epollEventFd(events, i);
                        try {
                            handle(fd, siginfo);
                        } catch (RuntimeException e) {
                            // One bad watch must not end the thread every other container's exit depends on.
                            System.getLogger(Processes.class.getName()).log(System.Logger.Level.WARNING,
                                    "exit watch on fd " + fd + " failed", e);
                        }
                    }
                }
            }
        }

        private void handle(int fd, MemorySegment siginfo) {
            siginfo.fill((byte) 0);
            int errno = ProcCalls.waitidPidfd(fd, siginfo, ProcCalls.WEXITED | ProcCalls.WNOHANG);
            ExitStatus status;
            if (errno == 0) {
                if (ProcCalls.siginfoPid(siginfo) == 0) return; // readable but not yet waitable: wait again
                int code = ProcCalls.siginfoCode(siginfo);
                int value = ProcCalls.siginfoStatus(siginfo);
                status = switch (code) {
                    case ProcCalls.CLD_EXITED -> new ExitStatus.Exited(value);
                    case ProcCalls.CLD_KILLED -> new ExitStatus.Signaled(value, false);
                    case ProcCalls.CLD_DUMPED -> new ExitStatus.Signaled(value, true);
                    default -> new ExitStatus.Unknown();
                };
            } else {
                status = new ExitStatus.Unknown(); // ECHILD: not ours to reap, but it has ended
            }
            CompletableFuture<ExitStatus> future;
            synchronized (lock) {
                Integer pid = pidByFd.remove(fd);
                future = pid == null ? null : byPid.remove(pid);
                ProcCalls.epollCtl(epfd, ProcCalls.EPOLL_CTL_DEL, fd, 0);
                ProcCalls.close(fd);
            }
            if (future != null) {
                ExitStatus s = status;
                Thread.ofVirtual().name("pier-exit-notify").start(() -> future.complete(s));
            }
        }
    }
}
