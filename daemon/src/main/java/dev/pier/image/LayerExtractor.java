package dev.pier.image;

import dev.pier.linux.KernelException;
import dev.pier.linux.Mounts;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Extracts one image layer (a tar, plain or gzip'ed) into a directory that overlayfs can use as a
 * lower layer: files, directories, symlinks, hard links, devices and FIFOs keep their mode, owner
 * and mtime; Docker's whiteouts become overlay's (".wh.NAME" a 0/0 character device NAME,
 * ".wh..wh..opq" the opaque xattr on the directory). No entry may land outside the directory,
 * neither by ".." nor through a symlink the layer itself planted.
 */
final class LayerExtractor {
    private LayerExtractor() {}

    /** diffId: "sha256:" + digest of the uncompressed tar; size: bytes of regular file content. */
    record Result(String diffId, long size) {}

    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";

    /** Extracts the layer in into dir (an existing, empty directory). */
    static Result extract(InputStream in, Path dir) throws IOException {
        MessageDigest sha256 = sha256();
        InputStream tar = new DigestInputStream(decompressed(in), sha256);
        TarReader reader = new TarReader(tar);
        Path root = dir.toRealPath();
        List<DirTime> dirTimes = new ArrayList<>();
        long size = 0;
        for (TarReader.Entry e; (e = reader.next()) != null; ) {
            size += apply(root, e, reader, dirTimes);
        }
        reader.drain();
        // Directory mtimes last: creating their children changed them.
        for (int i = dirTimes.size() - 1; i >= 0; i--) {
            DirTime d = dirTimes.get(i);
            Files.getFileAttributeView(d.dir(), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(d.mtime(), null, null);
        }
        return new Result("sha256:" + HexFormat.of().formatHex(sha256.digest()), size);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** gzip is recognised by its magic; other compressions are named in the error. */
    static InputStream decompressed(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 65536);
        in.mark(6);
        byte[] magic = in.readNBytes(6);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            try {
                return new GZIPInputStream(in, 65536);
            } catch (java.util.zip.ZipException e) {
                throw new ImageException("corrupt gzip stream: " + e.getMessage());
            }
        }
        if (magic.length >= 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
            throw new ImageException("zstd-compressed layers are not supported (use plain or gzip'ed tar)");
        }
        if (magic.length >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') {
            throw new ImageException("bzip2-compressed layers are not supported (use plain or gzip'ed tar)");
        }
        if (magic.length >= 6 && (magic[0] & 0xff) == 0xfd && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X') {
            throw new ImageException("xz-compressed layers are not supported (use plain or gzip'ed tar)");
        }
        return in;
    }

    private record DirTime(Path dir, FileTime mtime) {}

    /** Applies one entry; returns the bytes of content it wrote. */
    private static long apply(Path root, TarReader.Entry e, TarReader reader, List<DirTime> dirTimes) throws IOException {
        String rel = relative(e.name());
        if (rel.isEmpty()) {
            // "./" itself: the layer's root directory takes the entry's attributes.
            if (e.type() == TarReader.Type.DIRECTORY) {
                setAttributes(root, e);
                dirTimes.add(new DirTime(root, FileTime.fromMillis(e.mtimeSeconds() * 1000)));
            }
            return 0;
        }
        Path parent = safeParent(root, root.resolve(rel), e.name());
        String base = Path.of(rel).getFileName().toString();
        Path target = parent.resolve(base);

        if (base.startsWith(WHITEOUT)) {
            if (base.equals(OPAQUE)) {
                Mounts.markOpaque(parent);
            } else if (!base.startsWith(WHITEOUT + WHITEOUT)) {   // other .wh..wh.* are Docker's own markers
                Path hidden = parent.resolve(base.substring(WHITEOUT.length()));
                FileTrees.deleteRecursively(hidden);
                Mounts.makeWhiteout(hidden);
            }
            return 0;
        }

        boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        if (exists && !(e.type() == TarReader.Type.DIRECTORY && Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS))) {
            FileTrees.deleteRecursively(target);   // a later entry replaces an earlier one
            exists = false;
        }
        long written = 0;
        switch (e.type()) {
            case DIRECTORY -> {
                if (!exists) Files.createDirectory(target);
                dirTimes.add(new DirTime(target, FileTime.fromMillis(e.mtimeSeconds() * 1000)));
            }
            case FILE -> {
                try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    written = reader.content().transferTo(out);
                }
            }
            case HARDLINK -> {
                String linkRel = relative(e.linkName());
                if (linkRel.isEmpty()) throw new ImageException("hard link " + e.name() + " has no target");
                Path source = safeParent(root, root.resolve(linkRel), e.linkName())
                        .resolve(Path.of(linkRel).getFileName().toString());
                if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
                    throw new ImageException("hard link " + e.name() + " points to " + e.linkName() + ", which the layer does not contain");
                }
                Files.createLink(target, source);
                return 0;   // shares the source's inode and attributes
            }
            case SYMLINK -> {
                if (e.linkName().isEmpty()) throw new ImageException("symbolic link " + e.name() + " has no target");
                Files.createSymbolicLink(target, Path.of(e.linkName()));
            }
            case CHAR_DEVICE, BLOCK_DEVICE ->
                    Mounts.makeDevice(target, e.type() == TarReader.Type.BLOCK_DEVICE, e.devMajor(), e.devMinor(), e.mode());
            case FIFO -> Mounts.makeFifo(target, e.mode());
        }
        setAttributes(target, e);
        if (e.type() != TarReader.Type.DIRECTORY) {
            Files.getFileAttributeView(target, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.fromMillis(e.mtimeSeconds() * 1000), null, null);
        }
        return written;
    }

    /** Owner first (chown clears set-id bits), then the full mode, then xattrs such as file capabilities. */
    private static void setAttributes(Path p, TarReader.Entry e) throws IOException {
        Files.setAttribute(p, "unix:uid", e.uid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", e.gid(), LinkOption.NOFOLLOW_LINKS);
        if (e.type() != TarReader.Type.SYMLINK) {
            Files.setAttribute(p, "unix:mode", e.mode());
        }
        for (var x : e.xattrs().entrySet()) {
            if (x.getKey().startsWith("trusted.overlay.")) continue;   // a layer may not steer overlayfs
            try {
                Mounts.setXattr(p, x.getKey(), x.getValue());
            } catch (KernelException ignored) {
                // an attribute this filesystem or kernel refuses (e.g. security.selinux) is not fatal
            }
        }
    }

    /**
     * The entry name as a relative path without "." or "..": leading "/" and "./" are dropped,
     * ".." is refused.
     */
    static String relative(String name) {
        StringBuilder out = new StringBuilder();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) throw new ImageException("layer entry " + name + " points outside the layer");
            if (!out.isEmpty()) out.append('/');
            out.append(part);
        }
        return out.toString();
    }

    /**
     * The directory that will hold target, created if missing: symlinks on the way are resolved
     * inside root (an absolute link means root's "/"), so no entry can land outside the layer.
     */
    private static Path safeParent(Path root, Path target, String name) throws IOException {
        Path parent = FileTrees.resolveInRoot(root, root.relativize(target.getParent()).toString());
        try {
            Files.createDirectories(parent);
        } catch (FileAlreadyExistsException e) {
            throw new ImageException("layer entry " + name + " needs a directory where the layer has a file");
        }
        return parent;
    }
}
