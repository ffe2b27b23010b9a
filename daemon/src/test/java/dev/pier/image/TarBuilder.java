package dev.pier.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/** Writes ustar archives in memory for tests (with PAX headers for long names and xattrs). */
public final class TarBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public TarBuilder dir(String name, int mode) { return entry(name, '5', mode, 0, 0, new byte[0], "", null); }
    public TarBuilder file(String name, int mode, String content) { return file(name, mode, 0, 0, content.getBytes(StandardCharsets.UTF_8)); }
    public TarBuilder file(String name, int mode, int uid, int gid, byte[] content) { return entry(name, '0', mode, uid, gid, content, "", null); }
    public TarBuilder symlink(String name, String target) { return entry(name, '2', 0777, 0, 0, new byte[0], target, null); }
    public TarBuilder hardlink(String name, String target) { return entry(name, '1', 0644, 0, 0, new byte[0], target, null); }
    public TarBuilder fileWithXattr(String name, String xattr, byte[] value, String content) {
        return entry(name, '0', 0644, 0, 0, content.getBytes(StandardCharsets.UTF_8), "", pax("SCHILY.xattr." + xattr, value));
    }
    /** A name longer than ustar's 100 bytes, carried by a PAX "path" record. */
    public TarBuilder longFile(String name, String content) {
        return entry("longname-placeholder", '0', 0644, 0, 0, content.getBytes(StandardCharsets.UTF_8), "", pax("path", name.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] pax(String key, byte[] value) {
        byte[] k = (" " + key + "=").getBytes(StandardCharsets.UTF_8);
        int len = k.length + value.length + 1;
        int digits = String.valueOf(len).length();
        if (String.valueOf(len + digits).length() > digits) digits++;
        String prefix = String.valueOf(len + digits);
        ByteArrayOutputStream r = new ByteArrayOutputStream();
        r.writeBytes(prefix.getBytes(StandardCharsets.US_ASCII));
        r.writeBytes(k);
        r.writeBytes(value);
        r.write('\n');
        return r.toByteArray();
    }

    private TarBuilder entry(String name, char type, int mode, int uid, int gid, byte[] content, String link, byte[] pax) {
        if (pax != null) header("PaxHeader", 'x', 0644, 0, 0, pax.length, "", pax);
        header(name, type, mode, uid, gid, content.length, link, content);
        return this;
    }

    private void header(String name, char type, int mode, int uid, int gid, long size, String link, byte[] content) {
        byte[] h = new byte[512];
        put(h, 0, 100, name);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, uid);
        octal(h, 116, 8, gid);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 1_700_000_000L);
        h[156] = (byte) type;
        put(h, 157, 100, link);
        put(h, 257, 6, "ustar");
        h[263] = '0';
        h[264] = '0';
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        String c = String.format("%06o", sum);
        put(h, 148, 6, c);
        h[154] = 0;
        h[155] = ' ';
        out.writeBytes(h);
        out.writeBytes(content);
        int pad = (int) ((512 - content.length % 512) % 512);
        out.writeBytes(new byte[pad]);
    }

    private static void put(byte[] h, int off, int len, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > len) throw new IllegalArgumentException("too long for the header: " + s);
        System.arraycopy(b, 0, h, off, b.length);
    }

    private static void octal(byte[] h, int off, int len, long v) {
        put(h, off, len - 1, String.format("%0" + (len - 1) + "o", v));
    }

    /** The archive with its end marker (two zero blocks). */
    public byte[] build() {
        ByteArrayOutputStream r = new ByteArrayOutputStream();
        r.writeBytes(out.toByteArray());
        r.writeBytes(new byte[1024]);
        return r.toByteArray();
    }

    public static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream r = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(r)) {
                gz.write(data);
            }
            return r.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
