package dev.pier.ipam;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Strict IP literals. {@code InetAddress.getByName} would resolve a host name through DNS and
 * {@code InetAddress.ofLiteral} accepts BSD forms such as {@code 10.1} or {@code 010.0.0.1}; neither is
 * what a user typing {@code --ip} means. This accepts exactly dotted-quad IPv4 (no leading zeros, as Go's
 * parser since 1.17) and RFC 4291 IPv6 text without a zone, and prints IPv6 in RFC 5952's compressed form
 * (what Docker shows), where {@code getHostAddress()} would print {@code fd00:0:0:0:0:0:0:1}.
 */
public final class IpAddresses {

    private IpAddresses() {}

    /** Parses a literal or throws an {@link IpamException} (INVALID) naming it. */
    public static InetAddress parse(String text) {
        return tryParse(text).orElseThrow(() -> IpamException.invalid("invalid IP address: " + text));
    }

    /** Parses a literal; empty when {@code text} is not a strict IPv4 or IPv6 literal. */
    public static Optional<InetAddress> tryParse(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = text.indexOf(':') >= 0 ? parseIpv6(text) : parseIpv4(text);
        return bytes == null ? Optional.empty() : Optional.of(fromBytes(bytes));
    }

    /** The family of an address: 4 bytes is IPv4, 16 bytes IPv6 (IPv4-mapped IPv6 included). */
    public static IpFamily family(InetAddress address) {
        return address.getAddress().length == 4 ? IpFamily.IPV4 : IpFamily.IPV6;
    }

    /** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run compressed). */
    public static String format(InetAddress address) {
        byte[] b = address.getAddress();
        return b.length == 4 ? formatIpv4(b, 0) : formatIpv6(b);
    }

    /** The address as an unsigned integer. */
    public static BigInteger toBigInteger(InetAddress address) {
        return new BigInteger(1, address.getAddress());
    }

    /** The address of the given family whose unsigned value is {@code value}. */
    public static InetAddress fromBigInteger(BigInteger value, IpFamily family) {
        if (value.signum() < 0 || value.bitLength() > family.bits()) {
            throw new IllegalArgumentException(value + " is not an " + family + " address value");
        }
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[family.bytes()];
        int copy = Math.min(raw.length, bytes.length);
        System.arraycopy(raw, raw.length - copy, bytes, bytes.length - copy, copy);
        return fromBytes(bytes);
    }

    /**
     * An address from raw bytes without any name lookup. Sixteen bytes always give an
     * {@link Inet6Address}: {@code InetAddress.getByAddress} would turn IPv4-mapped bytes into IPv4 and
     * silently change the family.
     */
    static InetAddress fromBytes(byte[] bytes) {
        try {
            if (bytes.length == 4) {
                return InetAddress.getByAddress(bytes);
            }
            return Inet6Address.getByAddress(null, bytes, (NetworkInterface) null);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length, e);
        }
    }

    private static byte[] parseIpv4(String text) {
        byte[] out = new byte[4];
        int part = 0;
        int i = 0;
        int n = text.length();
        while (part < 4) {
            int start = i;
            int value = 0;
            while (i < n && i - start < 4 && isDigit(text.charAt(i))) {
                value = value * 10 + (text.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && text.charAt(start) == '0')) {
                return null;
            }
            out[part++] = (byte) value;
            if (part < 4) {
                if (i >= n || text.charAt(i) != '.') {
                    return null;
                }
                i++;
            }
        }
        return i == n ? out : null;
    }

    private static byte[] parseIpv6(String text) {
        int ellipsis = text.indexOf("::");
        if (ellipsis >= 0 && text.indexOf("::", ellipsis + 1) >= 0) {
            return null;
        }
        byte[] out = new byte[16];
        if (ellipsis < 0) {
            return parseGroups(text, out, 0, 8, true) == 16 ? out : null;
        }
        String head = text.substring(0, ellipsis);
        String tail = text.substring(ellipsis + 2);
        byte[] headBytes = new byte[16];
        byte[] tailBytes = new byte[16];
        int headLen = head.isEmpty() ? 0 : parseGroups(head, headBytes, 0, 7, false);
        int tailLen = tail.isEmpty() ? 0 : parseGroups(tail, tailBytes, 0, 7, true);
        // "::" stands for at least one zero group, so at most 14 explicit bytes.
        if (headLen < 0 || tailLen < 0 || headLen + tailLen > 14) {
            return null;
        }
        System.arraycopy(headBytes, 0, out, 0, headLen);
        System.arraycopy(tailBytes, 0, out, 16 - tailLen, tailLen);
        return out;
    }

    /**
     * Parses colon-separated hex groups (the last one may be a dotted quad when {@code dottedTail}) into
     * {@code out} from {@code offset}; returns the number of bytes written, or -1 when malformed or longer
     * than {@code maxGroups} groups.
     */
    private static int parseGroups(String text, byte[] out, int offset, int maxGroups, boolean dottedTail) {
        String[] groups = text.split(":", -1);
        int pos = offset;
        for (int g = 0; g < groups.length; g++) {
            String group = groups[g];
            boolean last = g == groups.length - 1;
            if (dottedTail && last && group.indexOf('.') >= 0) {
                byte[] v4 = parseIpv4(group);
                if (v4 == null || pos + 4 > out.length) {
                    return -1;
                }
                System.arraycopy(v4, 0, out, pos, 4);
                pos += 4;
                continue;
            }
            if (group.isEmpty() || group.length() > 4 || pos + 2 > out.length) {
                return -1;
            }
            int value = 0;
            for (int c = 0; c < group.length(); c++) {
                int digit = hexDigit(group.charAt(c));
                if (digit < 0) {
                    return -1;
                }
                value = value * 16 + digit;
            }
            out[pos++] = (byte) (value >> 8);
            out[pos++] = (byte) value;
        }
        return (pos - offset) / 2 > maxGroups ? -1 : pos - offset;
    }

    /** ASCII only: Character.digit would also take Arabic-Indic and full-width digits. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String formatIpv4(byte[] b, int from) {
        return (b[from] & 0xff) + "." + (b[from + 1] & 0xff) + "." + (b[from + 2] & 0xff) + "." + (b[from + 3] & 0xff);
    }

    private static String formatIpv6(byte[] b) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        boolean v4Mapped = groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0
                && groups[5] == 0xffff;
        if (v4Mapped) {
            return "::ffff:" + formatIpv4(b, 12);
        }
        // RFC 5952: compress the longest run of two or more zero groups, the first one on a tie.
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!s.isEmpty() && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(groups[i]));
        }
        return s.toString();
    }
}
