package dev.pier.ports;

import java.util.Locale;

/** The transport protocols a port can be published for, as Docker names them in "80/tcp". */
public enum Protocol {
    TCP, UDP, SCTP;

    /** "tcp", "udp", "sctp": Docker's spelling, and nft's. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Protocol parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "", "tcp" -> TCP;
            case "udp" -> UDP;
            case "sctp" -> SCTP;
            default -> throw new IllegalArgumentException("invalid proto: " + text);
        };
    }
}
