package dev.pier.linux;

import dev.pier.linux.internal.Errno;
import dev.pier.linux.internal.Libc;
import dev.pier.linux.internal.ProcCalls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Mounts and the special files of an overlay root filesystem: overlay and bind mounts, unmount,
 * mount-point test, and the overlay whiteout forms (0/0 character device, opaque directory xattr)
 * that image layers are extracted to.
 */
public final class Mounts {
    private Mounts() {}

    private static final int MS_RDONLY = 1;
    /** mount(2) takes the option string in one page, terminator included. */
    private static final int MAX_MOUNT_DATA = 4095;
    private static final String OPAQUE_XATTR = "trusted.overlay.opaque";

    /**
     * Mounts an overlay at target: lowerDirs top-most first (the order overlayfs reads them),
     * upper and work on the same filesystem. Paths may not contain ',' ':' or '\\' (overlay's
     * option separators). Beyond one page of options (dozens of layers) it uses the new mount
     * API with one "lowerdir+" per layer (Linux 6.8+).
     */
    public static void overlay(List<Path> lowerDirs, Path upper, Path work, Path target) {
        if (lowerDirs.isEmpty()) throw new IllegalArgumentException("overlay needs at least one lower directory");
        StringBuilder data = new StringBuilder("lowerdir=");
        for (int i = 0; i < lowerDirs.size(); i++) {
            if (i > 0) data.append(':');
            data.append(optionPath(lowerDirs.get(i)));
        }
        data.append(",upperdir=").append(optionPath(upper))
                .append(",workdir=").append(optionPath(work))
                // The same image layers serve many mounts at once; the inode index would tie them to one.
                .append(",index=off");
        if (data.length() <= MAX_MOUNT_DATA) {
            Libc.mount("overlay", target.toString(), "overlay", 0, data.toString());
            return;
        }
        // Too many layers for mount(2)'s one page of options: one "lowerdir+" per layer instead.
        List<String[]> options = new java.util.ArrayList<>();
        for (Path lower : lowerDirs) options.add(new String[]{"lowerdir+", optionPath(lower)});
        options.add(new String[]{"upperdir", optionPath(upper)});
        options.add(new String[]{"workdir", optionPath(work)});
        options.add(new String[]{"index", "off"});
        ProcCalls.mountWithOptions("overlay", options, target.toString());
    }

    private static String optionPath(Path p) {
        String s = p.toAbsolutePath().normalize().toString();
        if (s.indexOf(',') >= 0 || s.indexOf(':') >= 0 || s.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("overlay path may not contain ',' ':' or '\\': " + s);
        }
        return s;
    }

    /** Bind-mounts source (file or directory) onto target, then remounts it read-only if asked. */
    public static void bind(Path source, Path target, boolean readOnly) {
        Libc.mount(source.toString(), target.toString(), null, Libc.MS_BIND, null);
        if (readOnly) {
            try {
                Libc.mount(null, target.toString(), null, Libc.MS_BIND | 32 /* MS_REMOUNT */ | MS_RDONLY, null);
            } catch (KernelException e) {
                Libc.umount2(target.toString(), Libc.MNT_DETACH);
                throw e;
            }
        }
    }

    /**
     * Unmounts target; detach = lazily (MNT_DETACH), for a mount that may still be busy. Returns
     * false when nothing was mounted there (or the path is gone), so cleanup can call it blindly.
     */
    public static boolean unmount(Path target, boolean detach) {
        int errno = Libc.umount2(target.toString(), detach ? Libc.MNT_DETACH : 0);
        if (errno == 0) return true;
        if (errno == Errno.EINVAL || errno == Errno.ENOENT) return false;
        throw new KernelException(errno, "umount", target.toString());
    }

    /** True when target is the mount point of some mount in this process's mount namespace. */
    public static boolean isMountPoint(Path target) {
        // statx answers for one path in microseconds; mountinfo grows with every container.
        int root = Libc.isMountRoot(target.toString());
        if (root == 1) return true;
        if (root == 0 || root == -Errno.ENOENT || root == -Errno.ENOTDIR) return false;
        String wanted = canonical(target);
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
                String[] fields = line.split(" ", 6);
                if (fields.length > 4 && unescapeMountinfo(fields[4]).equals(wanted)) return true;
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("reading /proc/self/mountinfo", e);
        }
    }

    private static String canonical(Path p) {
        try {
            return p.toRealPath().toString();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize().toString();
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
    private static String unescapeMountinfo(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Creates an overlay whiteout at path: a character device 0/0 hiding the name in lower layers. */
    public static void makeWhiteout(Path path) {
        ProcCalls.mknod(path.toString(), ProcCalls.S_IFCHR, 0L);
    }

    /** True when path is an overlay whiteout (character device 0/0). */
    public static boolean isWhiteout(Path path) {
        try {
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) return false;
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            long rdev = (Long) Files.getAttribute(path, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
            return (mode & 0170000) == ProcCalls.S_IFCHR && rdev == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Marks dir opaque: overlayfs shows none of the lower layers' entries under it. */
    public static void markOpaque(Path dir) {
        ProcCalls.lsetxattr(dir.toString(), OPAQUE_XATTR, "y".getBytes(StandardCharsets.US_ASCII));
    }

    public static boolean isOpaque(Path dir) {
        return ProcCalls.lgetxattr(dir.toString(), OPAQUE_XATTR)
                .map(v -> new String(v, StandardCharsets.US_ASCII).equals("y")).orElse(false);
    }

    /** Creates a device node; permissions are the low 12 mode bits. */
    public static void makeDevice(Path path, boolean block, int major, int minor, int permissions) {
        int type = block ? ProcCalls.S_IFBLK : ProcCalls.S_IFCHR;
        ProcCalls.mknod(path.toString(), type | (permissions & 07777), ProcCalls.makedev(major, minor));
    }

    /** Creates a named pipe. */
    public static void makeFifo(Path path, int permissions) {
        ProcCalls.mkfifo(path.toString(), permissions & 07777);
    }

    /** Sets an extended attribute on path itself (not a symlink's target), e.g. security.capability. */
    public static void setXattr(Path path, String name, byte[] value) {
        ProcCalls.lsetxattr(path.toString(), name, value);
    }

    public static Optional<byte[]> getXattr(Path path, String name) {
        return ProcCalls.lgetxattr(path.toString(), name);
    }
}
