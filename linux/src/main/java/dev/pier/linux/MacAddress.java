package dev.pier.linux;

import java.util.HexFormat;

/** A 48-bit Ethernet address, held as a long so that it is a value and cheap to compare. */
public record MacAddress(long value) {
    private static final HexFormat HEX = HexFormat.ofDelimiter(":");

    public MacAddress {
        if ((value & ~0xFFFF_FFFF_FFFFL) != 0) throw new IllegalArgumentException("MAC address out of range: " + value);
    }

    public static MacAddress of(byte[] bytes) {
        if (bytes.length != 6) throw new IllegalArgumentException("MAC address needs 6 bytes, got " + bytes.length);
        long v = 0;
        for (byte b : bytes) v = (v << 8) | (b & 0xFF);
        return new MacAddress(v);
    }

    /** Parses "02:42:ac:11:00:02" (also '-' separated); the message names the bad value. */
    public static MacAddress parse(String text) {
        String normalized = text.trim().replace('-', ':');
        if (normalized.length() != 17) throw new IllegalArgumentException("invalid MAC address: " + text);
        try {
            return of(HEX.parseHex(normalized));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid MAC address: " + text);
        }
    }

    public byte[] bytes() {
        byte[] b = new byte[6];
        for (int i = 5; i >= 0; i--) b[5 - i] = (byte) (value >>> (8 * i));
        return b;
    }

    @Override
    public String toString() {
        return HEX.formatHex(bytes());
    }
}
