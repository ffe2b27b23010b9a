package dev.pier.linux;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address with a prefix length, as interfaces carry them: "172.17.0.2/16", "fd00::2/64". */
public record IpPrefix(InetAddress address, int prefixLength) {
    public IpPrefix {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max)
            throw new IllegalArgumentException("invalid prefix length " + prefixLength + " for " + address.getHostAddress());
    }

    /** Parses literal addresses only (never a name lookup). Without "/n" the prefix is the full length. */
    public static IpPrefix parse(String text) {
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        InetAddress address = parseAddress(host);
        int max = address instanceof Inet4Address ? 32 : 128;
        int length;
        try {
            length = slash < 0 ? max : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid CIDR address: " + text);
        }
        if (length < 0 || length > max) throw new IllegalArgumentException("invalid CIDR address: " + text);
        return new IpPrefix(address, length);
    }

    /** Parses an IPv4 (dotted quad) or IPv6 literal; never resolves a name. */
    public static InetAddress parseAddress(String text) {
        String s = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        try {
            if (s.indexOf(':') >= 0) return InetAddress.ofLiteral(s);
            byte[] bytes = dottedQuad(s);
            if (bytes != null) return InetAddress.getByAddress(bytes);
        } catch (IllegalArgumentException | UnknownHostException e) {
            // fall through to the common message
        }
        throw new IllegalArgumentException("invalid IP address: " + text);
    }

    private static byte[] dottedQuad(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) return null;
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) return null;
            int v = Integer.parseInt(p);
            if (v > 255) return null;
            out[i] = (byte) v;
        }
        return out;
    }

    public int family() {
        return address instanceof Inet4Address ? 4 : 6;
    }

    @Override
    public String toString() {
        return format(address) + "/" + prefixLength;
    }

    /** The canonical text form (RFC 5952 for IPv6: lower case, longest zero run as "::"). */
    public static String format(InetAddress address) {
        if (address instanceof Inet4Address) return address.getHostAddress();
        byte[] b = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) groups[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) { i++; continue; }
            int j = i;
            while (j < 8 && groups[j] == 0) j++;
            if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
