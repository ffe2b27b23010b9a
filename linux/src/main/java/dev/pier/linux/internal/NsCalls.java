package dev.pier.linux.internal;

import dev.pier.linux.KernelException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Calls for namespaces and nftables that {@link Libc} does not carry. Same discipline: errno is
 * captured at the call site, never read later from a JVM that may have made other native calls in
 * between.
 */
public final class NsCalls {
    private NsCalls() {}

    /** ioctl on an nsfs file: which kind of namespace it is (linux/nsfs.h, _IO(0xb7, 0x3)). */
    private static final long NS_GET_NSTYPE = (0xb7L << 8) | 0x3;

    // ioctl is variadic in C; the request takes no argument here, so only the fixed part is passed.
    private static final MethodHandle IOCTL = Libc.downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));

    public static final int MFD_CLOEXEC = 1;

    private static final MethodHandle MEMFD_CREATE = Libc.downcall("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    /** The CLONE_NEW* type of the namespace {@code fd} refers to; ENOTTY/EINVAL when it is not a namespace file. */
    public static int namespaceType(int fd, String object) {
        MemorySegment state = Libc.state();
        try {
            int rc = (int) IOCTL.invokeExact(state, fd, NS_GET_NSTYPE);
            if (rc < 0) throw new KernelException(Libc.errno(state), "ioctl NS_GET_NSTYPE", object);
            return rc;
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** An anonymous in-memory file (memfd_create(2)); the caller closes it. */
    public static int memfdCreate(String name, int flags) {
        MemorySegment state = Libc.state();
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) MEMFD_CREATE.invokeExact(state, arena.allocateFrom(name), flags);
            if (fd < 0) throw new KernelException(Libc.errno(state), "memfd_create", name);
            return fd;
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }
}
