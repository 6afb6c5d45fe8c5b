package io.pgsubset.connect;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Socket} on Java's own Unix-domain {@link SocketChannel}, for pgjdbc, which only knows
 * {@code java.net.Socket}. The JDK offers no socket adapter for Unix-domain channels, so this
 * implements what pgjdbc uses: the two streams, {@code SO_TIMEOUT} (pgjdbc's {@code socketTimeout}
 * and its one-millisecond "message pending?" probe), buffer sizes and close. The channel is
 * non-blocking and every wait is a select, so a read can time out and a close from another thread
 * wakes a blocked reader. TCP-only settings (no-delay, keep-alive) have no meaning here and are
 * accepted and ignored.
 *
 * <p>As on a TCP socket, interrupting a thread blocked in a read or write does not abort it: the
 * interrupt status is kept for the caller and the wait goes on (cancel a query with pgjdbc's cancel
 * request instead).
 */
final class UnixDomainSocket extends Socket {
    private final Path path;
    private volatile SocketChannel channel;
    private volatile boolean closed;
    private volatile int soTimeoutMillis;
    private Selector readable;
    private Selector writable;

    UnixDomainSocket(Path path) {
        this.path = path;
    }

    @Override
    public void connect(SocketAddress ignored) throws IOException {
        connect(ignored, 0);
    }

    /** Connects to the socket file; pgjdbc's address (its host and port) is ignored. */
    @Override
    public synchronized void connect(SocketAddress ignored, int timeoutMillis) throws IOException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        if (channel != null) {
            throw new SocketException("already connected");
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(path));
            ch.configureBlocking(false);
            readable = Selector.open();
            writable = Selector.open();
            ch.register(readable, SelectionKey.OP_READ);
            ch.register(writable, SelectionKey.OP_WRITE);
        } catch (IOException e) {
            closeQuietly(ch);
            ConnectException failed = new ConnectException(e.getMessage());
            failed.initCause(e);
            throw failed;
        }
        channel = ch;
    }

    @Override
    public InputStream getInputStream() throws IOException {
        open();
        return new In();
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        open();
        return new Out();
    }

    private SocketChannel open() throws SocketException {
        SocketChannel ch = channel;
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        if (ch == null) {
            throw new SocketException("Socket is not connected");
        }
        return ch;
    }

    private int read(ByteBuffer into) throws IOException {
        SocketChannel ch = open();
        int timeout = soTimeoutMillis;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
        while (true) {
            int n = ch.read(into);
            if (n != 0) {
                return n;
            }
            long waitMillis = 0;
            if (timeout > 0) {
                waitMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (waitMillis <= 0) {
                    throw new SocketTimeoutException("Read timed out");
                }
            }
            await(readable, waitMillis);
        }
    }

    private void write(ByteBuffer from) throws IOException {
        SocketChannel ch = open();
        while (from.hasRemaining()) {
            if (ch.write(from) == 0) {
                await(writable, 0);
            }
        }
    }

    /**
     * Waits until the channel is ready (or {@code millis} pass; 0 waits for ever). A pending
     * interrupt would make every select return at once, so it is set aside for the wait.
     */
    private void await(Selector selector, long millis) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            selector.select(millis);
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            throw new SocketException("Socket is closed");
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        open();
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        SocketChannel ch = channel;
        if (ch != null) {
            // closing the selectors wakes a thread blocked in a read or write
            closeQuietly(readable);
            closeQuietly(writable);
            ch.close();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // already failing or closing: the first error is the one reported
            return;
        }
    }

    @Override
    public boolean isConnected() {
        return channel != null;
    }

    @Override
    public boolean isBound() {
        return channel != null;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void shutdownInput() throws IOException {
        open().shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        open().shutdownOutput();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return UnixDomainSocketAddress.of(path);
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout can't be negative");
        }
        soTimeoutMillis = timeout;
    }

    @Override
    public int getSoTimeout() {
        return soTimeoutMillis;
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return option(StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return option(StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        setOption(StandardSocketOptions.SO_SNDBUF, size);
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        setOption(StandardSocketOptions.SO_RCVBUF, size);
    }

    private int option(java.net.SocketOption<Integer> name) throws SocketException {
        try {
            return open().getOption(name);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage());
        }
    }

    private void setOption(java.net.SocketOption<Integer> name, int value) throws SocketException {
        try {
            open().setOption(name, value);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage());
        }
    }

    @Override
    public void setTcpNoDelay(boolean on) {
        // no Nagle on a Unix-domain socket: nothing to switch off
    }

    @Override
    public boolean getTcpNoDelay() {
        return true;
    }

    @Override
    public void setKeepAlive(boolean on) {
        // no keep-alive probes on a Unix-domain socket: the kernel knows when the peer is gone
    }

    @Override
    public boolean getKeepAlive() {
        return false;
    }

    @Override
    public String toString() {
        return "UnixDomainSocket[" + path + (closed ? ", closed" : "") + "]";
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            return len == 0 ? 0 : UnixDomainSocket.this.read(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public void close() throws IOException {
            UnixDomainSocket.this.close();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            UnixDomainSocket.this.write(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public void close() throws IOException {
            UnixDomainSocket.this.close();
        }
    }
}
