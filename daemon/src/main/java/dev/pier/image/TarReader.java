package dev.pier.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Streaming reader of tar archives: POSIX ustar, GNU long names ('L', 'K') and PAX extended
 * headers ('x'; path, linkpath, size, uid, gid, mtime and SCHILY.xattr.*). Enough for image
 * layers and docker-save archives; sparse files are refused.
 */
final class TarReader {
    static final int BLOCK = 512;

    enum Type { FILE, HARDLINK, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, DIRECTORY, FIFO }

    /** One archive member; content() of a FILE must be read (or skipped) before the next entry. */
    record Entry(String name, Type type, int mode, int uid, int gid, long size, long mtimeSeconds,
                 String linkName, int devMajor, int devMinor, Map<String, byte[]> xattrs) {}

    private final InputStream in;
    private final byte[] header = new byte[BLOCK];
    private long remaining;   // unread bytes of the current entry's content
    private long padding;     // bytes up to the next block boundary after the content
    private boolean sawHeader;
    private boolean finished;

    TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. */
    Entry next() throws IOException {
        skipRest();
        String longName = null, longLink = null;
        Map<String, String> pax = Map.of();
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        while (true) {
            if (finished) return null;
            if (!readBlock(header)) {
                if (!sawHeader) throw new ImageException("not a tar archive: the input is empty");
                throw new ImageException("truncated tar archive: it ends without an end-of-archive marker");
            }
            if (isZero(header)) {
                finished = true;
                return null;
            }
            verifyChecksum();
            sawHeader = true;
            byte flag = header[156];
            long size = number(124, 12, "size");
            switch (flag) {
                case 'L' -> { longName = cString(readSmall(size, "GNU long name")); continue; }
                case 'K' -> { longLink = cString(readSmall(size, "GNU long link")); continue; }
                case 'x' -> { pax = parsePax(readSmall(size, "PAX header"), xattrs); continue; }
                case 'g' -> { readSmall(size, "PAX global header"); continue; }
                case 'S' -> throw new ImageException("sparse tar entries are not supported");
                default -> { }
            }
            Type type = switch (flag) {
                case '0', 0, '7' -> Type.FILE;
                case '1' -> Type.HARDLINK;
                case '2' -> Type.SYMLINK;
                case '3' -> Type.CHAR_DEVICE;
                case '4' -> Type.BLOCK_DEVICE;
                case '5' -> Type.DIRECTORY;
                case '6' -> Type.FIFO;
                default -> throw new ImageException("unsupported tar entry type '" + (char) flag + "'");
            };
            String name = longName != null ? longName : headerName();
            String link = longLink != null ? longLink : string(157, 100);
            if (pax.containsKey("path")) name = pax.get("path");
            if (pax.containsKey("linkpath")) link = pax.get("linkpath");
            if (pax.containsKey("size")) size = paxLong(pax, "size");
            int uid = pax.containsKey("uid") ? (int) paxLong(pax, "uid") : (int) number(108, 8, "uid");
            int gid = pax.containsKey("gid") ? (int) paxLong(pax, "gid") : (int) number(116, 8, "gid");
            long mtime = pax.containsKey("mtime") ? paxMtime(pax.get("mtime")) : number(136, 12, "mtime");
            int mode = (int) (number(100, 8, "mode") & 07777);
            int major = type == Type.CHAR_DEVICE || type == Type.BLOCK_DEVICE ? (int) number(329, 8, "devmajor") : 0;
            int minor = type == Type.CHAR_DEVICE || type == Type.BLOCK_DEVICE ? (int) number(337, 8, "devminor") : 0;
            // Only regular files carry content; a hard link's size field describes its target.
            long content = type == Type.FILE ? size : (type == Type.HARDLINK || type == Type.SYMLINK || type == Type.DIRECTORY ? 0 : size);
            if (content < 0) throw new ImageException("tar entry " + name + " has a negative size");
            remaining = content;
            padding = (BLOCK - content % BLOCK) % BLOCK;
            return new Entry(name, type, mode, uid, gid, type == Type.FILE ? size : 0, mtime, link, major, minor,
                    Map.copyOf(xattrs));
        }
    }

    /** The current entry's content; reading past it yields end-of-stream. */
    InputStream content() {
        return new InputStream() {
            @Override public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override public int read(byte[] b, int off, int len) throws IOException {
                if (remaining == 0) return -1;
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) throw new ImageException("truncated tar archive: an entry ends early");
                remaining -= n;
                return n;
            }
        };
    }

    /** Reads whatever follows the end-of-archive marker (record padding), so digests cover the whole file. */
    void drain() throws IOException {
        in.transferTo(java.io.OutputStream.nullOutputStream());
    }

    private void skipRest() throws IOException {
        long toSkip = remaining + padding;
        remaining = 0;
        padding = 0;
        byte[] buf = new byte[8192];
        while (toSkip > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, toSkip));
            if (n < 0) throw new ImageException("truncated tar archive: an entry ends early");
            toSkip -= n;
        }
    }

    private boolean readBlock(byte[] block) throws IOException {
        int off = 0;
        while (off < block.length) {
            int n = in.read(block, off, block.length - off);
            if (n < 0) {
                if (off == 0) return false;
                throw new ImageException(sawHeader ? "truncated tar archive: a header ends early"
                        : "not a tar archive: the input is shorter than one tar header");
            }
            off += n;
        }
        return true;
    }

    private byte[] readSmall(long size, String what) throws IOException {
        if (size < 0 || size > 1 << 20) throw new ImageException(what + " of " + size + " bytes is not plausible");
        byte[] data = new byte[(int) size];
        int off = 0;
        while (off < data.length) {
            int n = in.read(data, off, data.length - off);
            if (n < 0) throw new ImageException("truncated tar archive in a " + what);
            off += n;
        }
        // Read, never skip(): the digest of the whole archive must see the padding too.
        int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
        if (in.readNBytes(pad).length != pad) throw new ImageException("truncated tar archive in a " + what);
        return data;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) if (b != 0) return false;
        return true;
    }

    private void verifyChecksum() {
        long stored;
        try {
            stored = number(148, 8, "checksum");
        } catch (ImageException e) {
            throw new ImageException(sawHeader ? "corrupt tar archive: bad header checksum field" : "not a tar archive");
        }
        long unsigned = 0, signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            byte b = (i >= 148 && i < 156) ? (byte) ' ' : header[i];
            unsigned += b & 0xff;
            signed += b;
        }
        if (stored != unsigned && stored != signed) {
            throw new ImageException(sawHeader ? "corrupt tar archive: header checksum mismatch" : "not a tar archive");
        }
    }

    private String headerName() {
        String name = string(0, 100);
        boolean ustar = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
                && header[261] == 'r' && header[262] == 0;   // POSIX "ustar\0"; GNU's "ustar " uses the prefix field otherwise
        if (ustar) {
            String prefix = string(345, 155);
            if (!prefix.isEmpty()) return prefix + "/" + name;
        }
        return name;
    }

    private String string(int off, int len) {
        int end = off;
        while (end < off + len && header[end] != 0) end++;
        return new String(header, off, end - off, StandardCharsets.UTF_8);
    }

    private static String cString(byte[] data) {
        int end = 0;
        while (end < data.length && data[end] != 0) end++;
        return new String(data, 0, end, StandardCharsets.UTF_8);
    }

    /** Octal ASCII (NUL/space padded) or GNU base-256 when the high bit of the first byte is set. */
    private long number(int off, int len, String field) {
        if ((header[off] & 0x80) != 0) {
            long v = header[off] & 0x7f;
            for (int i = off + 1; i < off + len; i++) v = (v << 8) | (header[i] & 0xff);
            return v;
        }
        long v = 0;
        boolean any = false;
        for (int i = off; i < off + len; i++) {
            byte b = header[i];
            if (b == 0 || b == ' ') {
                if (any) break;
                continue;
            }
            if (b < '0' || b > '7') throw new ImageException("corrupt tar header: " + field + " is not an octal number");
            v = (v << 3) | (b - '0');
            any = true;
        }
        return v;
    }

    /** PAX records: "LEN KEY=VALUE\n" where LEN counts the whole record. */
    private static Map<String, String> parsePax(byte[] data, Map<String, byte[]> xattrs) {
        Map<String, String> out = new LinkedHashMap<>();
        int pos = 0;
        while (pos < data.length) {
            int space = pos;
            while (space < data.length && data[space] != ' ') space++;
            if (space >= data.length) break;
            int len;
            try {
                len = Integer.parseInt(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new ImageException("corrupt PAX header: bad record length");
            }
            if (len <= 0 || pos + len > data.length) throw new ImageException("corrupt PAX header: bad record length");
            int eq = space + 1;
            while (eq < pos + len && data[eq] != '=') eq++;
            if (eq >= pos + len) throw new ImageException("corrupt PAX header: record without '='");
            String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
            byte[] value = Arrays.copyOfRange(data, eq + 1, pos + len - 1); // without the trailing newline
            if (key.startsWith("SCHILY.xattr.")) {
                xattrs.put(key.substring("SCHILY.xattr.".length()), value);
            } else {
                out.put(key, new String(value, StandardCharsets.UTF_8));
            }
            pos += len;
        }
        return out;
    }

    private static long paxLong(Map<String, String> pax, String key) {
        try {
            return Long.parseLong(pax.get(key));
        } catch (NumberFormatException e) {
            throw new ImageException("corrupt PAX header: " + key + " is not a number");
        }
    }

    private static long paxMtime(String value) {
        try {
            int dot = value.indexOf('.');
            return Long.parseLong(dot < 0 ? value : value.substring(0, dot));
        } catch (NumberFormatException e) {
            throw new ImageException("corrupt PAX header: mtime is not a number");
        }
    }
}
