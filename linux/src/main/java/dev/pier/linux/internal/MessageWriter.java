package dev.pier.linux.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Appends netlink messages and their attributes to one direct buffer, so that a whole batch
 * goes to the kernel in a single sendmsg without copying.
 */
public final class MessageWriter {
    private ByteBuffer buf;
    private int messageStart = -1;

    public MessageWriter(int capacity) {
        buf = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }

    public void reset() {
        buf.clear();
        messageStart = -1;
    }

    public ByteBuffer buffer() {
        return buf;
    }

    public int size() {
        return buf.position();
    }

    private void ensure(int more) {
        if (buf.remaining() >= more) return;
        int capacity = Math.max(buf.capacity() * 2, buf.position() + more + 4096);
        ByteBuffer bigger = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
        buf.flip();
        bigger.put(buf);
        buf = bigger;
    }

    public void begin(int type, int flags, int seq) {
        ensure(Rtnl.NLMSG_HDRLEN);
        messageStart = buf.position();
        buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
    }

    public void end() {
        buf.putInt(messageStart, buf.position() - messageStart);
        messageStart = -1;
    }

    /** nfnetlink's header: family, version 0, resource id 0. */
    public void nfgenmsg(int family) {
        ensure(4);
        buf.put((byte) family).put((byte) 0).putShort((short) 0);
    }

    public void ifinfomsg(int family, int index, int flags, int change) {
        ensure(Rtnl.IFINFOMSG_LEN);
        buf.put((byte) family).put((byte) 0).putShort((short) 0).putInt(index).putInt(flags).putInt(change);
    }

    public void ifaddrmsg(int family, int prefixLength, int flags, int scope, int index) {
        ensure(Rtnl.IFADDRMSG_LEN);
        buf.put((byte) family).put((byte) prefixLength).put((byte) flags).put((byte) scope).putInt(index);
    }

    public void rtmsg(int family, int dstLen, int table, int protocol, int scope, int type, int flags) {
        ensure(Rtnl.RTMSG_LEN);
        buf.put((byte) family).put((byte) dstLen).put((byte) 0).put((byte) 0)
                .put((byte) Math.min(table, 255)).put((byte) protocol).put((byte) scope).put((byte) type).putInt(flags);
    }

    private void attrHeader(int type, int payload) {
        ensure(Rtnl.align(4 + payload));
        buf.putShort((short) (4 + payload)).putShort((short) type);
    }

    private void pad() {
        while ((buf.position() & 3) != 0) buf.put((byte) 0);
    }

    public void attr(int type, byte[] value) {
        attrHeader(type, value.length);
        buf.put(value);
        pad();
    }

    public void attrString(int type, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        attrHeader(type, bytes.length + 1);
        buf.put(bytes).put((byte) 0);
        pad();
    }

    public void attrInt(int type, int value) {
        attrHeader(type, 4);
        buf.putInt(value);
    }

    public void attrByte(int type, int value) {
        attrHeader(type, 1);
        buf.put((byte) value);
        pad();
    }

    public void attrShortBigEndian(int type, int value) {
        attrHeader(type, 2);
        buf.put((byte) (value >>> 8)).put((byte) value);
        pad();
    }

    /** Opens a nested attribute; pass the returned position to {@link #endNest}. */
    public int beginNest(int type) {
        ensure(4);
        int start = buf.position();
        buf.putShort((short) 0).putShort((short) type);
        return start;
    }

    public void endNest(int start) {
        buf.putShort(start, (short) (buf.position() - start));
    }
}
