package dev.pier.linux.internal;

/** Linux errno numbers and their symbolic names (asm-generic, shared by x86_64 and aarch64). */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7,
            EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17,
            EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24,
            ENOSPC = 28, EROFS = 30, EMLINK = 31, EPIPE = 32, ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38,
            ENOTEMPTY = 39, ELOOP = 40, ENOMSG = 42, ENODATA = 61, ENOLINK = 67, EPROTO = 71,
            EOVERFLOW = 75, EMSGSIZE = 90, EPROTONOSUPPORT = 93, EOPNOTSUPP = 95, EAFNOSUPPORT = 97,
            EADDRINUSE = 98, EADDRNOTAVAIL = 99, ENETDOWN = 100, ENETUNREACH = 101, ENOBUFS = 105,
            ENOTCONN = 107, ETIMEDOUT = 110, ECONNREFUSED = 111, EHOSTUNREACH = 113, EALREADY = 114;

    public static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM"; case ENOENT -> "ENOENT"; case ESRCH -> "ESRCH"; case EINTR -> "EINTR";
            case EIO -> "EIO"; case ENXIO -> "ENXIO"; case E2BIG -> "E2BIG"; case EBADF -> "EBADF";
            case ECHILD -> "ECHILD";
            case EAGAIN -> "EAGAIN"; case ENOMEM -> "ENOMEM"; case EACCES -> "EACCES"; case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY"; case EEXIST -> "EEXIST"; case EXDEV -> "EXDEV"; case ENODEV -> "ENODEV";
            case ENOTDIR -> "ENOTDIR"; case EISDIR -> "EISDIR"; case EINVAL -> "EINVAL"; case ENFILE -> "ENFILE";
            case EMFILE -> "EMFILE"; case ENOSPC -> "ENOSPC"; case EROFS -> "EROFS"; case EMLINK -> "EMLINK";
            case EPIPE -> "EPIPE"; case ERANGE -> "ERANGE"; case ENAMETOOLONG -> "ENAMETOOLONG";
            case ENOSYS -> "ENOSYS"; case ENOTEMPTY -> "ENOTEMPTY"; case ELOOP -> "ELOOP"; case ENOMSG -> "ENOMSG";
            case ENODATA -> "ENODATA"; case ENOLINK -> "ENOLINK"; case EPROTO -> "EPROTO";
            case EOVERFLOW -> "EOVERFLOW"; case EMSGSIZE -> "EMSGSIZE"; case EPROTONOSUPPORT -> "EPROTONOSUPPORT";
            case EOPNOTSUPP -> "EOPNOTSUPP"; case EAFNOSUPPORT -> "EAFNOSUPPORT"; case EADDRINUSE -> "EADDRINUSE";
            case EADDRNOTAVAIL -> "EADDRNOTAVAIL"; case ENETDOWN -> "ENETDOWN"; case ENETUNREACH -> "ENETUNREACH";
            case ENOBUFS -> "ENOBUFS"; case ENOTCONN -> "ENOTCONN"; case ETIMEDOUT -> "ETIMEDOUT";
            case ECONNREFUSED -> "ECONNREFUSED"; case EHOSTUNREACH -> "EHOSTUNREACH"; case EALREADY -> "EALREADY";
            default -> "errno " + errno;
        };
    }
}
