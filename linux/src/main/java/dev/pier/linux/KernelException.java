package dev.pier.linux;

import dev.pier.linux.internal.Errno;
import dev.pier.linux.internal.Libc;

/**
 * A refusal from the kernel, named: the errno's symbol, what was being done and to which object,
 * and the kernel's extended-ack text when it gave one. Callers switch on {@link #errno()} with the
 * constants below instead of parsing messages.
 */
public class KernelException extends RuntimeException {
    public static final int EPERM = Errno.EPERM, ENOENT = Errno.ENOENT, EEXIST = Errno.EEXIST,
            ENODEV = Errno.ENODEV, EBUSY = Errno.EBUSY, EINVAL = Errno.EINVAL, EADDRINUSE = Errno.EADDRINUSE,
            EADDRNOTAVAIL = Errno.EADDRNOTAVAIL, ENETUNREACH = Errno.ENETUNREACH, ERANGE = Errno.ERANGE,
            EOPNOTSUPP = Errno.EOPNOTSUPP, ESRCH = Errno.ESRCH, ENOTEMPTY = Errno.ENOTEMPTY,
            EPROTONOSUPPORT = Errno.EPROTONOSUPPORT, EAFNOSUPPORT = Errno.EAFNOSUPPORT;

    private final int errno;
    private final String operation;
    private final String object;

    public KernelException(int errno, String operation, String object) {
        this(errno, operation, object, null);
    }

    public KernelException(int errno, String operation, String object, String kernelText) {
        super(format(errno, operation, object, kernelText));
        this.errno = errno;
        this.operation = operation;
        this.object = object;
    }

    private static String format(int errno, String operation, String object, String kernelText) {
        StringBuilder sb = new StringBuilder(operation).append(' ').append(object).append(": ")
                .append(Errno.name(errno)).append(" (").append(Libc.strerror(errno)).append(')');
        if (kernelText != null && !kernelText.isBlank()) sb.append(": ").append(kernelText);
        return sb.toString();
    }

    public int errno() { return errno; }
    public String errnoName() { return Errno.name(errno); }
    public String operation() { return operation; }
    public String object() { return object; }
}
