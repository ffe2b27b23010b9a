package dev.pier.cli.http;

import javax.net.ssl.SSLSocket;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The bytes to and from the daemon: a socket channel (unix or plain tcp), or TLS over tcp. Reading
 * and writing may happen on two threads at once (attach with stdin); both kinds allow it.
 */
sealed interface Transport extends Closeable permits Transport.Plain, Transport.Tls {
    /** Up to {@code length} bytes into {@code buffer}; -1 at the end of the stream. */
    int read(byte[] buffer, int offset, int length) throws IOException;

    void write(byte[] buffer, int offset, int length) throws IOException;

    /** Tells the daemon nothing more comes (the end of stdin), and keeps reading. */
    void shutdownOutput() throws IOException;

    record Plain(SocketChannel channel) implements Transport {
        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = channel.read(ByteBuffer.wrap(buffer, offset, length));
            return n == 0 ? -1 : n;
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            ByteBuffer source = ByteBuffer.wrap(buffer, offset, length);
            while (source.hasRemaining()) channel.write(source);
        }

        @Override
        public void shutdownOutput() throws IOException {
            if (channel.isOpen()) channel.shutdownOutput();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** The JDK's TLS socket: its shutdownOutput sends TLS 1.3's close_notify, which pierd takes as the end of stdin. */
    record Tls(SSLSocket socket, InputStream in, OutputStream out) implements Transport {
        Tls(SSLSocket socket) throws IOException {
            this(socket, socket.getInputStream(), socket.getOutputStream());
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return in.read(buffer, offset, length);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            out.write(buffer, offset, length);
            out.flush();
        }

        @Override
        public void shutdownOutput() throws IOException {
            if (!socket.isClosed() && !socket.isOutputShutdown()) socket.shutdownOutput();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
