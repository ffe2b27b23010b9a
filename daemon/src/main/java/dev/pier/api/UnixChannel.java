package dev.pier.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.FileRegion;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.AbstractNioByteChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannelConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.Map;

/**
 * One accepted unix-socket connection on the JDK's own {@link SocketChannel}, with working half-closure:
 * see {@link UnixServerChannel} for why Netty's own class does not do.
 */
final class UnixChannel extends AbstractNioByteChannel implements DuplexChannel {

    private final Config config;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;

    UnixChannel(Channel parent, SocketChannel connection) {
        super(parent, connection);
        config = new Config(this);
    }

    @Override
    protected SocketChannel javaChannel() {
        return (SocketChannel) super.javaChannel();
    }

    @Override
    public SocketChannelConfig config() {
        return config;
    }

    @Override
    public boolean isActive() {
        SocketChannel connection = javaChannel();
        return connection.isOpen() && connection.isConnected();
    }

    @Override
    public boolean isInputShutdown() {
        return inputShutdown || !isActive();
    }

    @Override
    protected boolean isInputShutdown0() {
        return isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown || !isActive();
    }

    @Override
    public boolean isShutdown() {
        return isInputShutdown() && isOutputShutdown();
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        if (eventLoop().inEventLoop()) {
            shutdownInputNow(promise);
        } else {
            eventLoop().execute(() -> shutdownInputNow(promise));
        }
        return promise;
    }

    private void shutdownInputNow(ChannelPromise promise) {
        try {
            javaChannel().shutdownInput();
            inputShutdown = true;
            promise.setSuccess();
        } catch (Throwable e) {
            promise.setFailure(e);
        }
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        // Netty's unsafe fails pending writes and fires the output-shutdown event, then calls doShutdownOutput.
        if (eventLoop().inEventLoop()) {
            ((AbstractUnsafe) unsafe()).shutdownOutput(promise);
        } else {
            eventLoop().execute(() -> ((AbstractUnsafe) unsafe()).shutdownOutput(promise));
        }
        return promise;
    }

    @Override
    protected void doShutdownOutput() throws Exception {
        javaChannel().shutdownOutput();
        outputShutdown = true;
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        ChannelFuture output = shutdownOutput();
        output.addListener(done -> shutdownInput().addListener(inputDone -> {
            Throwable failure = done.cause() != null ? done.cause() : inputDone.cause();
            if (failure == null) {
                promise.setSuccess();
            } else {
                promise.setFailure(failure);
            }
        }));
        return promise;
    }

    @Override
    @SuppressWarnings("deprecation") // Handle is what unsafe() hands out; Netty's own channels use it the same way
    protected int doReadBytes(ByteBuf buffer) throws Exception {
        RecvByteBufAllocator.Handle handle = unsafe().recvBufAllocHandle();
        handle.attemptedBytesRead(buffer.writableBytes());
        return buffer.writeBytes(javaChannel(), handle.attemptedBytesRead());
    }

    @Override
    protected int doWriteBytes(ByteBuf buffer) throws Exception {
        return buffer.readBytes(javaChannel(), buffer.readableBytes());
    }

    @Override
    protected long doWriteFileRegion(FileRegion region) throws Exception {
        return region.transferTo(javaChannel(), region.transferred());
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
        try {
            return javaChannel().getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    protected boolean doConnect(SocketAddress remote, SocketAddress local) {
        throw new UnsupportedOperationException("an accepted connection is already connected");
    }

    @Override
    protected void doFinishConnect() {
        throw new UnsupportedOperationException("an accepted connection is already connected");
    }

    @Override
    protected void doBind(SocketAddress local) {
        throw new UnsupportedOperationException("an accepted connection is already bound");
    }

    @Override
    protected void doDisconnect() throws Exception {
        doClose();
    }

    @Override
    protected void doClose() throws Exception {
        super.doClose();
        javaChannel().close();
    }

    private void stopPendingRead() {
        clearReadPending();
    }

    /** A socket config for a unix socket: the TCP-only knobs are inert, buffer sizes are real. */
    private static final class Config extends DefaultChannelConfig implements SocketChannelConfig {

        private volatile boolean allowHalfClosure;

        Config(UnixChannel channel) {
            super(channel);
        }

        private SocketChannel socket() {
            return ((UnixChannel) channel).javaChannel();
        }

        private int intOption(SocketOption<Integer> option) {
            try {
                return socket().getOption(option);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void setIntOption(SocketOption<Integer> option, int value) {
            try {
                socket().setOption(option, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Map<ChannelOption<?>, Object> getOptions() {
            return getOptions(super.getOptions(), ChannelOption.ALLOW_HALF_CLOSURE, ChannelOption.SO_SNDBUF,
                    ChannelOption.SO_RCVBUF);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getOption(ChannelOption<T> option) {
            if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
                return (T) Boolean.valueOf(allowHalfClosure);
            }
            if (option == ChannelOption.SO_SNDBUF) {
                return (T) Integer.valueOf(getSendBufferSize());
            }
            if (option == ChannelOption.SO_RCVBUF) {
                return (T) Integer.valueOf(getReceiveBufferSize());
            }
            return super.getOption(option);
        }

        @Override
        public <T> boolean setOption(ChannelOption<T> option, T value) {
            validate(option, value);
            if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
                setAllowHalfClosure((Boolean) value);
            } else if (option == ChannelOption.SO_SNDBUF) {
                setSendBufferSize((Integer) value);
            } else if (option == ChannelOption.SO_RCVBUF) {
                setReceiveBufferSize((Integer) value);
            } else {
                return super.setOption(option, value);
            }
            return true;
        }

        @Override
        protected void autoReadCleared() {
            ((UnixChannel) channel).stopPendingRead();
        }

        @Override
        public boolean isAllowHalfClosure() {
            return allowHalfClosure;
        }

        @Override
        public Config setAllowHalfClosure(boolean allowHalfClosure) {
            this.allowHalfClosure = allowHalfClosure;
            return this;
        }

        @Override
        public int getSendBufferSize() {
            return intOption(StandardSocketOptions.SO_SNDBUF);
        }

        @Override
        public Config setSendBufferSize(int size) {
            setIntOption(StandardSocketOptions.SO_SNDBUF, size);
            return this;
        }

        @Override
        public int getReceiveBufferSize() {
            return intOption(StandardSocketOptions.SO_RCVBUF);
        }

        @Override
        public Config setReceiveBufferSize(int size) {
            setIntOption(StandardSocketOptions.SO_RCVBUF, size);
            return this;
        }

        // TCP-only settings mean nothing on a unix socket: accepted and ignored, so generic code can set them.

        @Override
        public boolean isTcpNoDelay() {
            return true;
        }

        @Override
        public Config setTcpNoDelay(boolean tcpNoDelay) {
            return this;
        }

        @Override
        public int getSoLinger() {
            return -1;
        }

        @Override
        public Config setSoLinger(int soLinger) {
            return this;
        }

        @Override
        public boolean isKeepAlive() {
            return false;
        }

        @Override
        public Config setKeepAlive(boolean keepAlive) {
            return this;
        }

        @Override
        public int getTrafficClass() {
            return 0;
        }

        @Override
        public Config setTrafficClass(int trafficClass) {
            return this;
        }

        @Override
        public boolean isReuseAddress() {
            return false;
        }

        @Override
        public Config setReuseAddress(boolean reuseAddress) {
            return this;
        }

        @Override
        public Config setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
            return this;
        }

        // Covariant returns required by SocketChannelConfig.

        @Override
        public Config setConnectTimeoutMillis(int connectTimeoutMillis) {
            super.setConnectTimeoutMillis(connectTimeoutMillis);
            return this;
        }

        @Override
        @Deprecated
        public Config setMaxMessagesPerRead(int maxMessagesPerRead) {
            super.setMaxMessagesPerRead(maxMessagesPerRead);
            return this;
        }

        @Override
        public Config setWriteSpinCount(int writeSpinCount) {
            super.setWriteSpinCount(writeSpinCount);
            return this;
        }

        @Override
        public Config setAllocator(ByteBufAllocator allocator) {
            super.setAllocator(allocator);
            return this;
        }

        @Override
        public Config setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
            super.setRecvByteBufAllocator(allocator);
            return this;
        }

        @Override
        public Config setAutoRead(boolean autoRead) {
            super.setAutoRead(autoRead);
            return this;
        }

        @Override
        public Config setAutoClose(boolean autoClose) {
            super.setAutoClose(autoClose);
            return this;
        }

        @Override
        public Config setMessageSizeEstimator(MessageSizeEstimator estimator) {
            super.setMessageSizeEstimator(estimator);
            return this;
        }

        @Override
        public Config setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
            super.setWriteBufferWaterMark(writeBufferWaterMark);
            return this;
        }
    }
}
