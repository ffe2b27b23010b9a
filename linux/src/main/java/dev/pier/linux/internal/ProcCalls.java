package dev.pier.linux.internal;

import dev.pier.linux.KernelException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static dev.pier.linux.internal.Libc.CAPTURE_ERRNO;
import static dev.pier.linux.internal.Libc.LIBC;
import static dev.pier.linux.internal.Libc.LINKER;
import static dev.pier.linux.internal.Libc.check;
import static dev.pier.linux.internal.Libc.downcall;
import static dev.pier.linux.internal.Libc.errno;
import static dev.pier.linux.internal.Libc.state;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * C library calls for processes (subreaper, pidfd, waitid, epoll, posix_spawn of terminal
 * holders), for terminals, and for the files an overlay root filesystem needs (whiteout devices,
 * xattrs, FIFOs). Same errno-capture pattern as
 * {@link Libc}: errno is read from FFM's captured call state, never from a later call.
 */
public final class ProcCalls {
    private ProcCalls() {}

    public static final int PR_SET_CHILD_SUBREAPER = 36;
    public static final int PR_GET_CHILD_SUBREAPER = 37;

    public static final int P_PIDFD = 3;
    public static final int WEXITED = 4;
    public static final int WNOHANG = 1;
    /** siginfo_t.si_code values for SIGCHLD. */
    public static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;

    public static final int EPOLL_CLOEXEC = 02000000;
    public static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2;
    public static final int EPOLLIN = 0x001;

    public static final int S_IFCHR = 0020000, S_IFBLK = 0060000, S_IFIFO = 0010000;

    public static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_NONBLOCK = 04000, SOCK_CLOEXEC = 02000000;
    public static final int SOL_SOCKET = 1, SCM_RIGHTS = 1, MSG_CMSG_CLOEXEC = 0x40000000;
    public static final int F_GETFL = 3, F_SETFL = 4, O_NONBLOCK = 04000;
    public static final long TIOCSWINSZ = 0x5414;
    /** struct sockaddr_un: a short family and 108 bytes of path. */
    private static final int SOCKADDR_UN_SIZE = 110;


    /** struct epoll_event is packed on x86_64 (12 bytes) and naturally aligned elsewhere (16). */
    private static final boolean X86_64 = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    public static final long EPOLL_EVENT_SIZE = X86_64 ? 12 : 16;
    private static final long EPOLL_DATA_OFFSET = X86_64 ? 4 : 8;
    /** siginfo_t is 128 bytes; for SIGCHLD: signo, errno, code, (pad), pid, uid, status. */
    public static final long SIGINFO_SIZE = 128;

    private static final MethodHandle PRCTL = LINKER.downcallHandle(LIBC.find("prctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final MethodHandle PIDFD_OPEN = LIBC.find("pidfd_open")
            .map(s -> LINKER.downcallHandle(s, FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO))
            .orElse(null);
    /** Fallback for a glibc older than 2.36: syscall(SYS_pidfd_open = 434 on every 64-bit arch). */
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(LIBC.find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final MethodHandle WAITID = downcall("waitid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle KILL = downcall("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CREATE1 = downcall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = downcall("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = downcall("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MKFIFO = downcall("mkfifo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle MKNOD = downcall("mknod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
    private static final MethodHandle LSETXATTR = downcall("lsetxattr", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle LGETXATTR = downcall("lgetxattr", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));

    private static final MethodHandle SOCKET = downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = downcall("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = downcall("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = downcall("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle READ = downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle FSOPEN = optional("fsopen", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FSCONFIG = optional("fsconfig", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle FSMOUNT = optional("fsmount", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle MOVE_MOUNT = optional("move_mount", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle POLL = downcall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle FCNTL = LINKER.downcallHandle(LIBC.find("fcntl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    private static final MethodHandle IOCTL = LINKER.downcallHandle(LIBC.find("ioctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);

    private static final MethodHandle PIDFD_GETFD = optional("pidfd_getfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle PIDFD_SEND_SIGNAL = optional("pidfd_send_signal",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    /** syscall(2) with three arguments, for pidfd_getfd (438) and pidfd_send_signal (424) under a glibc older than 2.36. */
    private static final MethodHandle SYSCALL3 = LINKER.downcallHandle(LIBC.find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final MethodHandle SPAWN = downcall("posix_spawn",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle SPAWN_ACTIONS_INIT = downcall("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SPAWN_ACTIONS_DESTROY = downcall("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SPAWN_ADD_DUP2 = downcall("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle SPAWN_ADD_OPEN = downcall("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle SPAWN_ADD_CLOSEFROM = optional("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SPAWNATTR_INIT = downcall("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SPAWNATTR_DESTROY = downcall("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SPAWNATTR_SETFLAGS = downcall("posix_spawnattr_setflags",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, java.lang.foreign.ValueLayout.JAVA_SHORT));
    private static final MethodHandle SPAWNATTR_SETSIGMASK = downcall("posix_spawnattr_setsigmask",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    private static final MethodHandle IOCTL_LONG = LINKER.downcallHandle(LIBC.find("ioctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    /** A call only newer C libraries have (glibc 2.36+); null when absent. */
    private static MethodHandle optional(String name, FunctionDescriptor descriptor) {
        return LIBC.find(name).map(s -> LINKER.downcallHandle(s, descriptor, CAPTURE_ERRNO)).orElse(null);
    }

    public static int prctl(int option, long arg2) {
        MemorySegment st = state();
        try {
            return check((int) PRCTL.invokeExact(st, option, arg2, 0L, 0L, 0L), st, "prctl", "option " + option);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** prctl(PR_GET_CHILD_SUBREAPER): the flag is written through a pointer. */
    public static boolean isChildSubreaper() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment flag = arena.allocate(JAVA_INT);
            MemorySegment st = state();
            check((int) PRCTL.invokeExact(st, PR_GET_CHILD_SUBREAPER, flag.address(), 0L, 0L, 0L),
                    st, "prctl", "PR_GET_CHILD_SUBREAPER");
            return flag.get(JAVA_INT, 0) != 0;
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** pidfd_open(2) with close-on-exec (implied by the kernel for pidfds). */
    public static int pidfdOpen(int pid) {
        MemorySegment st = state();
        try {
            int rc = PIDFD_OPEN != null
                    ? (int) PIDFD_OPEN.invokeExact(st, pid, 0)
                    : (int) (long) SYSCALL.invokeExact(st, 434L, (long) pid, 0L);
            return check(rc, st, "pidfd_open", "pid " + pid);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /**
     * waitid(P_PIDFD, fd, info, options). Returns 0 or the errno (ECHILD when the process is not
     * our child, so somebody else reaps it); the caller reads si_code and si_status from info.
     */
    public static int waitidPidfd(int pidfd, MemorySegment siginfo, int options) {
        MemorySegment st = state();
        try {
            while (true) {
                int rc = (int) WAITID.invokeExact(st, P_PIDFD, pidfd, siginfo, options);
                if (rc == 0) return 0;
                int e = errno(st);
                if (e != Errno.EINTR) return e;
            }
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** pidfd_getfd(2): a duplicate, close-on-exec, of descriptor targetFd of the process behind pidfd. */
    public static int pidfdGetfd(int pidfd, int targetFd) {
        MemorySegment st = state();
        try {
            int rc = PIDFD_GETFD != null
                    ? (int) PIDFD_GETFD.invokeExact(st, pidfd, targetFd, 0)
                    : (int) (long) SYSCALL3.invokeExact(st, 438L, (long) pidfd, (long) targetFd, 0L);
            return check(rc, st, "pidfd_getfd", "fd " + targetFd);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** pidfd_send_signal(2); returns 0 or the errno (ESRCH once the process has been reaped). */
    public static int pidfdSendSignal(int pidfd, int signal) {
        MemorySegment st = state();
        try {
            int rc = PIDFD_SEND_SIGNAL != null
                    ? (int) PIDFD_SEND_SIGNAL.invokeExact(st, pidfd, signal, MemorySegment.NULL, 0)
                    : (int) (long) SYSCALL3.invokeExact(st, 424L, (long) pidfd, (long) signal, 0L);
            return rc < 0 ? errno(st) : 0;
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    public static final int POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSID = 0x80;
    /** glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 on LP64: room to spare. */
    private static final long SPAWN_ACTIONS_SIZE = 256, SPAWNATTR_SIZE = 1024, SIGSET_SIZE = 128;
    private static final int O_WRONLY = 1;

    /**
     * posix_spawn(3) of program with fd duplicated onto targetFd (>= 3), /dev/null as 0, 1 and 2,
     * every other descriptor closed (the JVM leaves many without close-on-exec), an empty signal
     * mask, only the given environment ("NAME=value" entries), and a session of its own. glibc spawns with CLONE_VFORK, so
     * this is safe from a multi-threaded JVM, and reports a failed exec as the error. Returns the
     * child's pid: our child, which the caller reaps.
     */
    public static int spawnHolding(String program, java.util.List<String> argv, java.util.List<String> environment, int fd, int targetFd) {
        if (targetFd < 3) throw new IllegalArgumentException("target descriptor must not be 0, 1 or 2: " + targetFd);
        if (SPAWN_ADD_CLOSEFROM == null) {
            throw new KernelException(Errno.ENOSYS, "posix_spawn_file_actions_addclosefrom_np", program + " (the C library is older than glibc 2.34)");
        }
        MemorySegment st = state();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(SPAWN_ACTIONS_SIZE, 8);
            MemorySegment attr = arena.allocate(SPAWNATTR_SIZE, 8);
            spawnCheck((int) SPAWN_ACTIONS_INIT.invokeExact(st, actions), "posix_spawn_file_actions_init", program);
            try {
                spawnCheck((int) SPAWNATTR_INIT.invokeExact(st, attr), "posix_spawnattr_init", program);
                try {
                    // dup2 first: onto the same number glibc clears close-on-exec instead (2.29+).
                    spawnCheck((int) SPAWN_ADD_DUP2.invokeExact(st, actions, fd, targetFd), "posix_spawn_file_actions_adddup2", program);
                    MemorySegment devNull = arena.allocateFrom("/dev/null");
                    for (int std = 0; std < 3; std++) {
                        spawnCheck((int) SPAWN_ADD_OPEN.invokeExact(st, actions, std, devNull, std == 0 ? 0 : O_WRONLY, 0),
                                "posix_spawn_file_actions_addopen", program);
                    }
                    spawnCheck((int) SPAWN_ADD_CLOSEFROM.invokeExact(st, actions, targetFd + 1), "posix_spawn_file_actions_addclosefrom_np", program);
                    spawnCheck((int) SPAWNATTR_SETFLAGS.invokeExact(st, attr, (short) (POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK)),
                            "posix_spawnattr_setflags", program);
                    spawnCheck((int) SPAWNATTR_SETSIGMASK.invokeExact(st, attr, arena.allocate(SIGSET_SIZE, 8)), "posix_spawnattr_setsigmask", program);
                    MemorySegment args = arena.allocate(ADDRESS, argv.size() + 1);
                    for (int i = 0; i < argv.size(); i++) args.setAtIndex(ADDRESS, i, arena.allocateFrom(argv.get(i)));
                    args.setAtIndex(ADDRESS, argv.size(), MemorySegment.NULL);
                    MemorySegment env = arena.allocate(ADDRESS, environment.size() + 1);
                    for (int i = 0; i < environment.size(); i++) env.setAtIndex(ADDRESS, i, arena.allocateFrom(environment.get(i)));
                    env.setAtIndex(ADDRESS, environment.size(), MemorySegment.NULL);
                    MemorySegment pid = arena.allocate(JAVA_INT);
                    spawnCheck((int) SPAWN.invokeExact(st, pid, arena.allocateFrom(program), actions, attr, args, env), "posix_spawn", program);
                    return pid.get(JAVA_INT, 0);
                } finally {
                    int ignored = (int) SPAWNATTR_DESTROY.invokeExact(st, attr);
                }
            } finally {
                int ignored = (int) SPAWN_ACTIONS_DESTROY.invokeExact(st, actions);
            }
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** The posix_spawn family returns its error number instead of setting errno. */
    private static void spawnCheck(int rc, String operation, String object) {
        if (rc != 0) throw new KernelException(rc, operation, object);
    }

    public static int siginfoCode(MemorySegment siginfo) { return siginfo.get(JAVA_INT, 8); }
    public static int siginfoPid(MemorySegment siginfo) { return siginfo.get(JAVA_INT, 16); }
    public static int siginfoStatus(MemorySegment siginfo) { return siginfo.get(JAVA_INT, 24); }

    /** kill(2); returns 0 or the errno (ESRCH when the process is gone). */
    public static int kill(int pid, int signal) {
        MemorySegment st = state();
        try {
            int rc = (int) KILL.invokeExact(st, pid, signal);
            return rc < 0 ? errno(st) : 0;
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    public static int epollCreate() {
        MemorySegment st = state();
        try {
            return check((int) EPOLL_CREATE1.invokeExact(st, EPOLL_CLOEXEC), st, "epoll_create1", "watcher");
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** Adds (EPOLL_CTL_ADD) or removes (EPOLL_CTL_DEL) fd, with the fd itself as the event data. */
    public static void epollCtl(int epfd, int op, int fd, int events) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ev = arena.allocate(EPOLL_EVENT_SIZE, 8);
            ev.set(JAVA_INT, 0, events);
            ev.set(JAVA_LONG.withByteAlignment(1), EPOLL_DATA_OFFSET, fd);
            MemorySegment st = state();
            check((int) EPOLL_CTL.invokeExact(st, epfd, op, fd, ev), st, "epoll_ctl", "fd " + fd);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** epoll_wait(2), retried on EINTR; returns the number of events written to events. */
    public static int epollWait(int epfd, MemorySegment events, int maxEvents, int timeoutMillis) {
        MemorySegment st = state();
        try {
            while (true) {
                int n = (int) EPOLL_WAIT.invokeExact(st, epfd, events, maxEvents, timeoutMillis);
                if (n >= 0) return n;
                int e = errno(st);
                if (e != Errno.EINTR) throw new KernelException(e, "epoll_wait", "watcher");
            }
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** The fd stored as data of the i-th event of an epoll_wait result. */
    public static int epollEventFd(MemorySegment events, int i) {
        return (int) events.get(JAVA_LONG.withByteAlignment(1), i * EPOLL_EVENT_SIZE + EPOLL_DATA_OFFSET);
    }

    public static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(state(), fd);
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    public static void mkfifo(String path, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            check((int) MKFIFO.invokeExact(st, arena.allocateFrom(path), mode), st, "mkfifo", path);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** mknod(2); dev is the kernel's makedev(major, minor) encoding. */
    public static void mknod(String path, int mode, long dev) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            check((int) MKNOD.invokeExact(st, arena.allocateFrom(path), mode, dev), st, "mknod", path);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** glibc's makedev: 12 bits of major and 20 of minor spread over a 64-bit dev_t. */
    public static long makedev(long major, long minor) {
        return ((major & 0xfffL) << 8) | ((major & ~0xfffL) << 32)
                | (minor & 0xffL) | ((minor & ~0xffL) << 12);
    }

    public static void lsetxattr(String path, String name, byte[] value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, JAVA_BYTE, 0, value.length);
            MemorySegment st = state();
            check((int) LSETXATTR.invokeExact(st, arena.allocateFrom(path), arena.allocateFrom(name), v,
                    (long) value.length, 0), st, "lsetxattr " + name, path);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** lgetxattr(2); empty when the attribute is absent (ENODATA). */
    public static Optional<byte[]> lgetxattr(String path, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(65536);
            MemorySegment st = state();
            long n = (long) LGETXATTR.invokeExact(st, arena.allocateFrom(path), arena.allocateFrom(name), buf, buf.byteSize());
            if (n < 0) {
                int e = errno(st);
                if (e == Errno.ENODATA) return Optional.empty();
                throw new KernelException(e, "lgetxattr " + name, path);
            }
            return Optional.of(buf.asSlice(0, n).toArray(JAVA_BYTE));
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    // ---------------------------------------------------------------- unix sockets and terminals

    /**
     * A non-blocking listening AF_UNIX stream socket. A name starting with '@' is abstract (no
     * file, no length trouble with deep directories), as Go's net package reads it.
     */
    public static int unixListen(String name) {
        byte[] path = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (path.length == 0 || path.length > SOCKADDR_UN_SIZE - 3) throw new IllegalArgumentException("bad unix socket name: " + name);
        int fd;
        MemorySegment st = state();
        try {
            fd = check((int) SOCKET.invokeExact(st, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), st, "socket", name);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(SOCKADDR_UN_SIZE, 2);
            addr.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(path, 0, addr, JAVA_BYTE, 2, path.length);
            if (path[0] == '@') addr.set(JAVA_BYTE, 2, (byte) 0);
            // Abstract names are exactly their length; file names carry their NUL.
            int len = 2 + path.length + (path[0] == '@' ? 0 : 1);
            check((int) BIND.invokeExact(st, fd, addr, len), st, "bind", name);
            check((int) LISTEN.invokeExact(st, fd, 4), st, "listen", name);
            return fd;
        } catch (Throwable t) {
            close(fd);
            if (t instanceof KernelException e) throw e;
            throw new AssertionError(t);
        }
    }

    /** accept4(2) on a non-blocking listener: -1 when nobody has connected. */
    public static int acceptNow(int listenFd) {
        MemorySegment st = state();
        try {
            int fd = (int) ACCEPT4.invokeExact(st, listenFd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
            if (fd >= 0) return fd;
            int e = errno(st);
            if (e == Errno.EAGAIN) return -1;
            throw new KernelException(e, "accept", "unix socket");
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** Receives one message carrying one file descriptor (SCM_RIGHTS); returns that descriptor. */
    public static int receiveFd(int socketFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(4096);
            MemorySegment iov = arena.allocate(Libc.IOVEC);
            iov.set(ADDRESS, 0, data);
            iov.set(JAVA_LONG, 8, data.byteSize());
            long controlSize = 64;   // CMSG_SPACE(sizeof(int) * n) for a few descriptors
            MemorySegment control = arena.allocate(controlSize, 8);
            MemorySegment msg = arena.allocate(Libc.MSGHDR);
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1L);
            msg.set(ADDRESS, 32, control);
            msg.set(JAVA_LONG, 40, controlSize);
            MemorySegment st = state();
            long n;
            while (true) {
                n = (long) RECVMSG.invokeExact(st, socketFd, msg, MSG_CMSG_CLOEXEC);
                if (n >= 0 || errno(st) != Errno.EINTR) break;
            }
            if (n < 0) throw new KernelException(errno(st), "recvmsg", "console socket");
            long controlLen = msg.get(JAVA_LONG, 40);
            // struct cmsghdr: size_t len, int level, int type, then the descriptors.
            if (controlLen < 20 || control.get(JAVA_INT, 8) != SOL_SOCKET || control.get(JAVA_INT, 12) != SCM_RIGHTS) {
                throw new KernelException(Errno.EPROTO, "recvmsg", "console socket (no file descriptor in the message)");
            }
            return control.get(JAVA_INT, 16);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** Clears O_NONBLOCK so reads wait for data. */
    public static void setBlocking(int fd) {
        MemorySegment st = state();
        try {
            int flags = check((int) FCNTL.invokeExact(st, fd, F_GETFL, 0), st, "fcntl", "fd " + fd);
            check((int) FCNTL.invokeExact(st, fd, F_SETFL, flags & ~O_NONBLOCK), st, "fcntl", "fd " + fd);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** read(2), retried on EINTR; 0 at end of file, -1 for EIO (a terminal whose other side closed). */
    public static long read(int fd, MemorySegment buf, long len) {
        MemorySegment st = state();
        try {
            while (true) {
                long n = (long) READ.invokeExact(st, fd, buf, len);
                if (n >= 0) return n;
                int e = errno(st);
                if (e == Errno.EIO) return -1;
                if (e != Errno.EINTR) throw new KernelException(e, "read", "fd " + fd);
            }
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** write(2) of all len bytes, retried on EINTR and short writes. */
    public static void writeFully(int fd, MemorySegment buf, long len) {
        MemorySegment st = state();
        try {
            long off = 0;
            while (off < len) {
                long n = (long) WRITE.invokeExact(st, fd, buf.asSlice(off), len - off);
                if (n < 0) {
                    int e = errno(st);
                    if (e == Errno.EINTR) continue;
                    throw new KernelException(e, "write", "fd " + fd);
                }
                off += n;
            }
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    private static final long TIOCSPTLCK = 0x40045431L, TIOCGPTPEER = 0x5441L;
    private static final int O_RDWR = 2, O_NOCTTY = 0400;

    /**
     * A new pseudo-terminal: {master, slave}, both close-on-exec, the slave opened through the
     * master (TIOCGPTPEER) so no /dev/pts path is involved. Tests stand in for a runtime with it.
     */
    public static int[] openPty() {
        int master = Libc.open("/dev/ptmx", O_RDWR | O_NOCTTY | Libc.O_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment unlock = arena.allocate(JAVA_INT);   // 0: unlocked
            MemorySegment st = state();
            check((int) IOCTL.invokeExact(st, master, TIOCSPTLCK, unlock), st, "ioctl TIOCSPTLCK", "/dev/ptmx");
            int slave = check((int) IOCTL_LONG.invokeExact(st, master, TIOCGPTPEER, (long) (O_RDWR | O_NOCTTY | Libc.O_CLOEXEC)),
                    st, "ioctl TIOCGPTPEER", "/dev/ptmx");
            return new int[]{master, slave};
        } catch (Throwable t) {
            close(master);
            if (t instanceof KernelException e) throw e;
            throw new AssertionError(t);
        }
    }

    /** ioctl(TIOCSWINSZ): the terminal's size in rows and columns. */
    public static void setWindowSize(int fd, int rows, int cols) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ws = arena.allocate(8, 2);
            ws.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) rows);
            ws.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 2, (short) cols);
            MemorySegment st = state();
            check((int) IOCTL.invokeExact(st, fd, TIOCSWINSZ, ws), st, "ioctl TIOCSWINSZ", "fd " + fd);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** poll(2) of one fd for input: true when readable or hung up, false on timeout. */
    public static boolean pollIn(int fd, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pfd = arena.allocate(8, 4);
            pfd.set(JAVA_INT, 0, fd);
            pfd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, (short) 0x001 /* POLLIN */);
            MemorySegment st = state();
            int n = (int) POLL.invokeExact(st, pfd, 1L, timeoutMillis);
            if (n < 0) {
                if (errno(st) == Errno.EINTR) return false;
                throw new KernelException(errno(st), "poll", "fd " + fd);
            }
            return n > 0;
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /**
     * Mounts a filesystem at target through the new mount API (fsopen, fsconfig, fsmount,
     * move_mount): each option is its own call, so no one-page limit on the option string, and
     * repeated keys such as overlay's "lowerdir+" (Linux 6.8+) work.
     */
    public static void mountWithOptions(String fsType, java.util.List<String[]> options, String target) {
        if (FSOPEN == null) throw new KernelException(Errno.ENOSYS, "fsopen", fsType + " (the C library is older than glibc 2.36)");
        MemorySegment st = state();
        try (Arena arena = Arena.ofConfined()) {
            int fs = check((int) FSOPEN.invokeExact(st, arena.allocateFrom(fsType), 1 /* FSOPEN_CLOEXEC */), st, "fsopen", fsType);
            try {
                for (String[] kv : options) {
                    MemorySegment value = kv[1] == null ? MemorySegment.NULL : arena.allocateFrom(kv[1]);
                    int cmd = kv[1] == null ? 0 /* FSCONFIG_SET_FLAG */ : 1 /* FSCONFIG_SET_STRING */;
                    check((int) FSCONFIG.invokeExact(st, fs, cmd, arena.allocateFrom(kv[0]), value, 0), st,
                            "fsconfig " + kv[0] + (kv[1] == null ? "" : "=" + kv[1]), target);
                }
                check((int) FSCONFIG.invokeExact(st, fs, 6 /* FSCONFIG_CMD_CREATE */, MemorySegment.NULL, MemorySegment.NULL, 0),
                        st, "fsconfig create " + fsType, target);
                int mnt = check((int) FSMOUNT.invokeExact(st, fs, 1 /* FSMOUNT_CLOEXEC */, 0), st, "fsmount", target);
                try {
                    check((int) MOVE_MOUNT.invokeExact(st, mnt, arena.allocateFrom(""), -100 /* AT_FDCWD */,
                            arena.allocateFrom(target), 4 /* MOVE_MOUNT_F_EMPTY_PATH */), st, "move_mount", target);
                } finally {
                    close(mnt);
                }
            } finally {
                close(fs);
            }
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }
}
