package dev.pier.linux.internal;

import dev.pier.linux.KernelException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C library calls the kernel layer needs, and nothing more. Every call captures errno at the
 * call site (FFM's captureCallState), so a failure can be named even when the JVM makes other
 * native calls in between.
 */
public final class Libc {
    private Libc() {}

    public static final int AF_NETLINK = 16;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int NETLINK_ROUTE = 0;
    public static final int SOL_NETLINK = 270;
    public static final int MSG_TRUNC = 0x20;
    public static final int NETLINK_EXT_ACK = 11;
    public static final int NETLINK_GET_STRICT_CHK = 12;
    public static final int SOL_SOCKET = 1;
    public static final int SO_RCVBUF = 8;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SO_SNDBUFFORCE = 32;

    public static final int O_RDONLY = 0;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_CLOEXEC = 02000000;

    public static final int CLONE_NEWNET = 0x40000000;
    public static final int MS_BIND = 4096;
    public static final int MS_REC = 16384;
    public static final int MS_SHARED = 1 << 20;
    public static final int MS_PRIVATE = 1 << 18;
    public static final int MNT_DETACH = 2;

    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** errno captured at the call site (ProcCalls and NsCalls use the same plumbing). */
    static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** struct sockaddr_nl: family, pad, pid, groups. */
    public static final StructLayout SOCKADDR_NL = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("nl_family"),
            ValueLayout.JAVA_SHORT.withName("nl_pad"),
            JAVA_INT.withName("nl_pid"),
            JAVA_INT.withName("nl_groups"));

    /** struct iovec and struct msghdr (x86_64 / aarch64 LP64 layouts). */
    public static final StructLayout IOVEC = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"), JAVA_LONG.withName("iov_len"));
    public static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"), MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"), MemoryLayout.paddingLayout(4));

    private static final MethodHandle SOCKET = downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = downcall("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CONNECT = downcall("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = downcall("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SENDMSG = downcall("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECV = downcall("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETNS = downcall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle UNSHARE = downcall("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MOUNT = downcall("mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle UMOUNT2 = downcall("umount2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle STATX = downcall("statx", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle GETTID = LINKER.downcallHandle(LIBC.find("gettid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), descriptor, CAPTURE_ERRNO);
    }

    /** Per-thread capture buffer: errno is read right after the call that set it. */
    private static final ThreadLocal<MemorySegment> CALL_STATE_BUFFER =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    static MemorySegment state() {
        return CALL_STATE_BUFFER.get();
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static int check(int rc, MemorySegment state, String operation, String object) {
        if (rc < 0) throw new KernelException(errno(state), operation, object);
        return rc;
    }

    public static int socket(int domain, int type, int protocol) {
        MemorySegment st = state();
        try {
            return check((int) SOCKET.invokeExact(st, domain, type, protocol), st, "socket", "netlink");
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    public static void bind(int fd, MemorySegment addr, int len) {
        MemorySegment st = state();
        try {
            check((int) BIND.invokeExact(st, fd, addr, len), st, "bind", "netlink socket");
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** bind(2) of any socket; {@code object} names it in the error. */
    public static void bind(int fd, MemorySegment addr, int len, String object) {
        MemorySegment st = state();
        try {
            check((int) BIND.invokeExact(st, fd, addr, len), st, "bind", object);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** connect(2) of any socket; {@code object} names it in the error. */
    public static void connect(int fd, MemorySegment addr, int len, String object) {
        MemorySegment st = state();
        try {
            check((int) CONNECT.invokeExact(st, fd, addr, len), st, "connect", object);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    public static void listen(int fd, int backlog, String object) {
        MemorySegment st = state();
        try {
            check((int) LISTEN.invokeExact(st, fd, backlog), st, "listen", object);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** socket(2) of any kind; {@code object} names it in the error. */
    public static int socket(int domain, int type, int protocol, String object) {
        MemorySegment st = state();
        try {
            return check((int) SOCKET.invokeExact(st, domain, type, protocol), st, "socket", object);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** setsockopt(2) with an option of any shape. */
    public static void setsockopt(int fd, int level, int name, MemorySegment value, String object) {
        MemorySegment st = state();
        try {
            check((int) SETSOCKOPT.invokeExact(st, fd, level, name, value, (int) value.byteSize()), st, "setsockopt", object);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    public static void setsockoptInt(int fd, int level, int name, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            MemorySegment st = state();
            check((int) SETSOCKOPT.invokeExact(st, fd, level, name, v, 4), st, "setsockopt", "option " + name);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** Returns the netlink port id the kernel assigned to the socket. */
    public static int netlinkPortId(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(SOCKADDR_NL);
            getsockname(fd, addr, "netlink socket");
            return addr.get(JAVA_INT, 4);
        }
    }

    /** getsockname(2) into {@code addr} (its byteSize is the room there is). */
    public static void getsockname(int fd, MemorySegment addr, String object) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, (int) addr.byteSize());
            MemorySegment st = state();
            check((int) GETSOCKNAME.invokeExact(st, fd, addr, len), st, "getsockname", object);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** sendmsg(2) of a prepared msghdr; returns bytes sent or throws with errno. */
    public static long sendmsg(int fd, MemorySegment msghdr, String object) {
        MemorySegment st = state();
        try {
            long n = (long) SENDMSG.invokeExact(st, fd, msghdr, 0);
            if (n < 0) throw new KernelException(errno(st), "sendmsg", object);
            return n;
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** recv(2), retried on EINTR. */
    public static long recv(int fd, MemorySegment buf, String object) {
        return recv(fd, buf, 0, object);
    }

    /** With MSG_TRUNC, returns a datagram's real length even when the buffer was too small. */
    public static long recv(int fd, MemorySegment buf, int flags, String object) {
        MemorySegment st = state();
        try {
            while (true) {
                long n = (long) RECV.invokeExact(st, fd, buf, buf.byteSize(), flags);
                if (n >= 0) return n;
                int e = errno(st);
                if (e != Errno.EINTR) throw new KernelException(e, "recv", object);
            }
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    public static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(state(), fd);
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    public static int open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            return check((int) OPEN.invokeExact(st, arena.allocateFrom(path), flags, mode), st, "open", path);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    public static void setns(int fd, int nstype, String object) {
        MemorySegment st = state();
        try {
            check((int) SETNS.invokeExact(st, fd, nstype), st, "setns", object);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    public static void unshare(int flags, String object) {
        MemorySegment st = state();
        try {
            check((int) UNSHARE.invokeExact(st, flags), st, "unshare", object);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    public static void mount(String source, String target, String fstype, long flags, String data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = source == null ? MemorySegment.NULL : arena.allocateFrom(source);
            MemorySegment fs = fstype == null ? MemorySegment.NULL : arena.allocateFrom(fstype);
            MemorySegment opts = data == null ? MemorySegment.NULL : arena.allocateFrom(data);
            MemorySegment st = state();
            check((int) MOUNT.invokeExact(st, src, arena.allocateFrom(target), fs, flags, opts),
                    st, "mount", target);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** umount2(2); returns errno (0 on success) so callers may ignore EINVAL/ENOENT on cleanup. */
    public static int umount2(String target, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            int rc = (int) UMOUNT2.invokeExact(st, arena.allocateFrom(target), flags);
            return rc < 0 ? errno(st) : 0;
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    public static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100;
    public static final long STATX_ATTR_MOUNT_ROOT = 0x2000;

    /**
     * Whether {@code path} is the root of a mount, from statx(2)'s attributes: 1 yes, 0 no, -1 when
     * the kernel does not report it, -errno when statx fails.
     */
    public static int isMountRoot(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            MemorySegment buf = arena.allocate(256, 8);
            int rc = (int) STATX.invokeExact(st, AT_FDCWD, arena.allocateFrom(path), 0, 0, buf);
            if (rc < 0) return -errno(st);
            long attributes = buf.get(JAVA_LONG, 8);
            long supported = buf.get(JAVA_LONG, 56); // stx_attributes_mask
            if ((supported & STATX_ATTR_MOUNT_ROOT) == 0) return -1;
            return (attributes & STATX_ATTR_MOUNT_ROOT) != 0 ? 1 : 0;
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    public static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) { throw new AssertionError(t); }
    }
}
