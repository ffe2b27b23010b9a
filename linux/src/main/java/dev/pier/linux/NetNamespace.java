package dev.pier.linux;

import dev.pier.linux.internal.Errno;
import dev.pier.linux.internal.Libc;
import dev.pier.linux.internal.NamespaceThreads;
import dev.pier.linux.internal.NsCalls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A network namespace, held by an open file descriptor on its nsfs file.
 *
 * <p>Named namespaces live as bind mounts under a directory of the caller's choosing (the daemon's
 * exec root), each linked from {@code /run/netns/<name>} so that {@code ip netns} and
 * {@code ip netns exec} see them as their own.
 *
 * <p>{@link #run} executes code inside the namespace on a pooled platform thread; every thread the
 * JVM otherwise runs stays in the host namespace.
 */
public final class NetNamespace implements AutoCloseable {
    /** Where iproute2 looks for named namespaces. */
    private static final Path RUN_NETNS = Path.of("/run/netns");
    private static final Path SELF_NETNS = Path.of("/proc/self/ns/net");

    /** Directories already made shared bind mounts by this process. */
    private static final Set<Path> SHARED_DIRS = ConcurrentHashMap.newKeySet();

    // /proc/self is the thread-group leader, so this is the process's namespace whichever thread loads the class.
    private static final NetNamespace HOST = new NetNamespace("host", SELF_NETNS,
            Libc.open(SELF_NETNS.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC, 0), true);
    private static final NamespaceThreads THREADS = new NamespaceThreads(HOST.fd);

    private final String name;
    private final Path path;
    private final int fd;
    private final boolean isHost;
    /** In-flight setns users times two, plus 1 once closed: the fd is closed when both say so. */
    private final AtomicInteger state = new AtomicInteger();

    private NetNamespace(String name, Path path, int fd, boolean isHost) {
        this.name = name;
        this.path = path;
        this.fd = fd;
        this.isHost = isHost;
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Creates a new named namespace: a bind mount at {@code dir/name}, linked from
     * {@code /run/netns/name} (unless {@code dir} is {@code /run/netns} itself). Its loopback is
     * left down. Throws a {@link KernelException} with EEXIST, and changes nothing, when either
     * name is taken.
     */
    public static NetNamespace create(Path dir, String name) {
        Objects.requireNonNull(dir, "dir");
        validateName(name);
        Path directory = dir.toAbsolutePath().normalize();
        Path file = directory.resolve(name);
        Path link = RUN_NETNS.resolve(name);
        boolean linked = !directory.equals(RUN_NETNS);

        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) throw nameTaken(name, file);
        if (linked && Files.exists(link, LinkOption.NOFOLLOW_LINKS)) throw nameTaken(name, link);

        makeSharedMountDir(directory);
        claimFile(name, file);
        boolean linkMade = false;
        boolean mounted = false;
        try {
            if (linked) {
                createDirectories(RUN_NETNS);
                try {
                    Files.createSymbolicLink(link, file);
                } catch (FileAlreadyExistsException e) {
                    throw nameTaken(name, link);
                }
                linkMade = true;
            }
            bindNewNamespace(name, file);
            mounted = true;
            return open(file);
        } catch (RuntimeException | IOException e) {
            if (mounted) Libc.umount2(file.toString(), Libc.MNT_DETACH);
            deleteQuietly(file);
            if (linkMade) deleteQuietly(link);
            if (e instanceof IOException io) throw new UncheckedIOException("create netns " + name + ": " + io.getMessage(), io);
            throw (RuntimeException) e;
        }
    }

    /** Opens an existing namespace file: a bind mount, {@code /proc/<pid>/ns/net}, {@code /run/netns/<name>}. */
    public static NetNamespace open(Path nsFile) {
        Objects.requireNonNull(nsFile, "nsFile");
        int fd = Libc.open(nsFile.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        try {
            int type;
            try {
                type = NsCalls.namespaceType(fd, nsFile.toString());
            } catch (KernelException e) {
                throw new IllegalArgumentException(nsFile + " is not a namespace file (" + e.errnoName() + ")");
            }
            if (type != Libc.CLONE_NEWNET) {
                throw new IllegalArgumentException(nsFile + " is a namespace of another kind (type 0x"
                        + Integer.toHexString(type) + "), not a network namespace");
            }
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
        Path fileName = nsFile.getFileName();
        return new NetNamespace(fileName == null ? nsFile.toString() : fileName.toString(), nsFile, fd, false);
    }

    /** The process's own namespace, opened once at class initialization. */
    public static NetNamespace host() {
        return HOST;
    }

    /**
     * Unmounts and removes {@code dir/name}, and the {@code /run/netns/name} link if it points there.
     * Nothing there is not an error. The namespace itself lives on while anything (an open
     * NetNamespace, a process, a socket) still holds it.
     */
    public static void delete(Path dir, String name) {
        Objects.requireNonNull(dir, "dir");
        validateName(name);
        Path directory = dir.toAbsolutePath().normalize();
        Path file = directory.resolve(name);
        Path link = RUN_NETNS.resolve(name);

        int err = Libc.umount2(file.toString(), Libc.MNT_DETACH);
        // EINVAL: not a mount point (already unmounted); ENOENT: no such file.
        if (err != 0 && err != Errno.EINVAL && err != Errno.ENOENT) {
            throw new KernelException(err, "umount netns", file.toString());
        }
        try {
            Files.deleteIfExists(file);
            if (!directory.equals(RUN_NETNS) && Files.isSymbolicLink(link)
                    && link.resolveSibling(Files.readSymbolicLink(link)).normalize().equals(file)) {
                Files.deleteIfExists(link);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("delete netns " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes the {@code /run/netns} links that point into {@code dir} at a file no longer there: what
     * is left when a daemon's exec root went away under it (its namespaces with it). Returns their names.
     */
    public static List<String> deleteDanglingLinks(Path dir) {
        Path directory = dir.toAbsolutePath().normalize();
        List<String> removed = new ArrayList<>();
        if (directory.equals(RUN_NETNS) || !Files.isDirectory(RUN_NETNS)) return removed;
        try (var links = Files.list(RUN_NETNS)) {
            for (Path link : links.toList()) {
                if (!Files.isSymbolicLink(link)) continue;
                Path target = link.resolveSibling(Files.readSymbolicLink(link)).normalize();
                if (target.getParent() != null && target.getParent().equals(directory) && !Files.exists(target)) {
                    Files.deleteIfExists(link);
                    removed.add(link.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("sweep " + RUN_NETNS + ": " + e.getMessage(), e);
        }
        return removed;
    }

    // ---------------------------------------------------------------- accessors

    /** The namespace file's name, or "host". */
    public String name() { return name; }

    /** The namespace file this was opened from. */
    public Path path() { return path; }

    /** An O_RDONLY|O_CLOEXEC fd on the namespace, valid until {@link #close()} (IFLA_NET_NS_FD, setns). */
    public int fd() {
        if ((state.get() & 1) != 0) throw closedError();
        return fd;
    }

    // ---------------------------------------------------------------- running inside

    /**
     * Runs {@code task} on a platform thread that has joined this namespace, and returns its result.
     * Sockets the task opens stay in this namespace for their whole life. Whatever the task throws
     * reaches the caller unchanged, checked exceptions included (they are not declared: catch
     * {@code Exception} to see them). Threads the task starts are born inside this namespace. If the
     * caller is interrupted while waiting, the task is interrupted too and the caller gets a
     * {@link java.util.concurrent.CancellationException}. Safe to call from any thread, virtual or
     * not, concurrently.
     */
    public <T> T run(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        if ((state.get() & 1) != 0) throw closedError();
        return THREADS.call(this::enterOnCurrentThread, task, name);
    }

    /** {@link #run(Callable)} for a task without a result. */
    public void run(Runnable task) {
        Objects.requireNonNull(task, "task");
        run(() -> {
            task.run();
            return null;
        });
    }

    /** Called on a pool worker: setns(2) into this namespace, holding the fd open meanwhile. */
    private void enterOnCurrentThread() {
        if (!acquire()) throw closedError();
        try {
            Libc.setns(fd, Libc.CLONE_NEWNET, "netns " + name);
        } finally {
            release();
        }
    }

    /** Closes the fd once no run() is between acquire and setns. The host namespace is never closed. */
    @Override
    public void close() {
        if (isHost) return;
        while (true) {
            int s = state.get();
            if ((s & 1) != 0) return;
            if (state.compareAndSet(s, s | 1)) {
                if (s == 0) Libc.close(fd);
                return;
            }
        }
    }

    private boolean acquire() {
        while (true) {
            int s = state.get();
            if ((s & 1) != 0) return false;
            if (state.compareAndSet(s, s + 2)) return true;
        }
    }

    private void release() {
        if (state.addAndGet(-2) == 1) Libc.close(fd); // closed while we held it: we were the last
    }

    private IllegalStateException closedError() {
        return new IllegalStateException("netns " + name + " is closed");
    }

    @Override
    public String toString() {
        return "NetNamespace[" + name + " " + path + "]";
    }

    // ---------------------------------------------------------------- creation helpers

    static void validateName(String name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("netns name must not be empty");
        if (name.indexOf('/') >= 0 || name.contains("..") || name.equals(".") || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid netns name '" + name + "': no '/', '..' or NUL allowed");
        }
        if (name.length() > 255) throw new IllegalArgumentException("netns name longer than 255 characters: " + name);
    }

    private static KernelException nameTaken(String name, Path where) {
        return new KernelException(Errno.EEXIST, "create netns " + name, where.toString());
    }

    /**
     * Makes {@code dir} a shared mount (bind-mounting it onto itself first if it is not a mount point),
     * as iproute2 does for /run/netns: an unmount there then propagates to every mount namespace that
     * copied it, so a deleted namespace is not kept alive by a stale copy of its bind mount.
     */
    private static void makeSharedMountDir(Path dir) {
        if (SHARED_DIRS.contains(dir)) return;
        synchronized (SHARED_DIRS) {
            if (SHARED_DIRS.contains(dir)) return;
            try {
                createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("create netns directory " + dir + ": " + e.getMessage(), e);
            }
            String target = dir.toString();
            try {
                Libc.mount("none", target, null, Libc.MS_SHARED | Libc.MS_REC, null);
            } catch (KernelException e) {
                if (e.errno() != Errno.EINVAL) throw e;
                // EINVAL: not a mount point yet.
                Libc.mount(target, target, null, Libc.MS_BIND | Libc.MS_REC, null);
                Libc.mount("none", target, null, Libc.MS_SHARED | Libc.MS_REC, null);
            }
            SHARED_DIRS.add(dir);
        }
    }

    private static void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    /** Creates the empty mount point with O_EXCL: a concurrent creator of the same name loses cleanly. */
    private static void claimFile(String name, Path file) {
        int fd;
        try {
            fd = Libc.open(file.toString(), Libc.O_RDONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, 0);
        } catch (KernelException e) {
            if (e.errno() == Errno.EEXIST) throw nameTaken(name, file);
            throw e;
        }
        Libc.close(fd);
    }

    /** unshare(2) on a throwaway platform thread, then pin its new namespace with a bind mount. */
    private static void bindNewNamespace(String name, Path file) {
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().name("pier-netns-create-" + name).start(() -> {
            try {
                Libc.unshare(Libc.CLONE_NEWNET, "netns " + name);
                Libc.mount("/proc/self/task/" + Libc.gettid() + "/ns/net", file.toString(), null, Libc.MS_BIND, null);
            } catch (RuntimeException e) {
                failure.set(e);
            }
        });
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // finish: the mount must be known made or not before undoing anything
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (failure.get() != null) throw failure.get();
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // best effort while undoing a failed create; the original error matters more
        }
    }
}
