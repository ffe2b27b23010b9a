package dev.pier.linux;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** The other end of an IPv4 datagram: its address (as a 32-bit number, network order) and port. */
public record UdpPeer(int address, int port) {
    public UdpPeer {
        if (port < 0 || port > 0xffff) throw new IllegalArgumentException("port " + port);
    }

    public static UdpPeer of(InetSocketAddress socketAddress) {
        if (!(socketAddress.getAddress() instanceof Inet4Address v4)) throw new IllegalArgumentException("IPv4 only: " + socketAddress);
        byte[] b = v4.getAddress();
        return new UdpPeer(((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff), socketAddress.getPort());
    }

    public InetSocketAddress toSocketAddress() {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[]{
                    (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address}), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }

    @Override
    public String toString() {
        return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "." + (address & 0xff) + ":" + port;
    }
}
