package dev.pier.cli.command;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** Address checks done before anything is sent, so bad input changes nothing. */
final class Addresses {
    private Addresses() {
    }

    /** A literal IPv4 or IPv6 address (never a name: no DNS lookup). */
    static boolean isIp(String text) {
        return parse(text) != null;
    }

    static boolean isIpv4(String text) {
        return parse(text) instanceof Inet4Address && text.indexOf(':') < 0;
    }

    static boolean isIpv6(String text) {
        return parse(text) instanceof Inet6Address || (text.indexOf(':') >= 0 && parse(text) != null);
    }

    static InetAddress parse(String text) {
        if (text.isEmpty() || text.indexOf('%') >= 0) {
            return null;
        }
        boolean ipv6 = text.indexOf(':') >= 0;
        if (!ipv6) {
            // dotted quad only: InetAddress.ofLiteral also accepts forms like "1" and "1.2"
            int dots = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '.') {
                    dots++;
                } else if (c < '0' || c > '9') {
                    return null;
                }
            }
            if (dots != 3) {
                return null;
            }
            for (String part : text.split("\\.", -1)) {
                if (part.isEmpty() || part.length() > 3 || Integer.parseInt(part) > 255
                        || (part.length() > 1 && part.charAt(0) == '0')) {
                    return null;
                }
            }
        }
        try {
            return InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** An address/prefix such as 172.18.0.0/16 as {address bytes, prefix length}; null when malformed. */
    static Cidr cidr(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            return null;
        }
        InetAddress address = parse(text.substring(0, slash));
        if (address == null) {
            return null;
        }
        int bits = address.getAddress().length * 8;
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        if (prefix < 0 || prefix > bits) {
            return null;
        }
        return new Cidr(address.getAddress(), prefix);
    }

    record Cidr(byte[] address, int prefix) {
        boolean contains(InetAddress other) {
            byte[] b = other.getAddress();
            if (b.length != address.length) {
                return false;
            }
            int bits = prefix;
            for (int i = 0; i < b.length && bits > 0; i++) {
                int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
                if ((b[i] & mask) != (address[i] & mask)) {
                    return false;
                }
                bits -= 8;
            }
            return true;
        }
    }

    /** 6 colon- or dash-separated hex bytes. */
    static boolean isMac(String text) {
        String[] parts = text.split("[:-]", -1);
        if (parts.length != 6) {
            return false;
        }
        for (String part : parts) {
            if (part.length() != 2 || Character.digit(part.charAt(0), 16) < 0 || Character.digit(part.charAt(1), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
