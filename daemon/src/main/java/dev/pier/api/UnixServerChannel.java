package dev.pier.api;

import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.ServerChannel;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.nio.AbstractNioMessageChannel;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * Listens on a unix socket through the JDK's own channel and accepts {@link UnixChannel}s.
 *
 * <p>Why not Netty's {@code NioServerDomainSocketChannel}: its connections ignore ALLOW_HALF_CLOSURE (Netty
 * 4.2.7 honours it only for a {@code SocketChannelConfig}), so a client ending stdin with a half-close
 * ({@code echo x | docker exec -i ...}) would lose the output still to come.
 */
final class UnixServerChannel extends AbstractNioMessageChannel implements ServerChannel {

    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

    private final DefaultChannelConfig config;
    private volatile boolean bound;

    UnixServerChannel() {
        super(null, open(), SelectionKey.OP_ACCEPT);
        config = new ServerConfig(this);
    }

    private static ServerSocketChannel open() {
        try {
            return ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a unix socket: " + e.getMessage(), e);
        }
    }

    private static final class ServerConfig extends DefaultChannelConfig {
        ServerConfig(UnixServerChannel channel) {
            super(channel, new ServerChannelRecvByteBufAllocator());
        }
    }

    @Override
    protected ServerSocketChannel javaChannel() {
        return (ServerSocketChannel) super.javaChannel();
    }

    @Override
    public DefaultChannelConfig config() {
        return config;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public boolean isActive() {
        return isOpen() && bound;
    }

    @Override
    protected SocketAddress localAddress0() {
        try {
            return javaChannel().getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return null;
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        javaChannel().bind(localAddress, NetUtil.SOMAXCONN);
        bound = true;
    }

    @Override
    protected void doClose() throws Exception {
        javaChannel().close();
    }

    @Override
    protected int doReadMessages(List<Object> accepted) throws Exception {
        SocketChannel connection = javaChannel().accept();
        if (connection == null) {
            return 0;
        }
        try {
            accepted.add(new UnixChannel(this, connection));
            return 1;
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    @Override
    protected boolean doConnect(SocketAddress remote, SocketAddress local) {
        throw new UnsupportedOperationException("a listening socket does not connect");
    }

    @Override
    protected void doFinishConnect() {
        throw new UnsupportedOperationException("a listening socket does not connect");
    }

    @Override
    protected void doDisconnect() {
        throw new UnsupportedOperationException("a listening socket does not disconnect");
    }

    @Override
    protected boolean doWriteMessage(Object message, ChannelOutboundBuffer buffer) {
        throw new UnsupportedOperationException("a listening socket does not write");
    }
}
