package io.pgsubset.connect;

import javax.net.SocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;

/**
 * pgjdbc's {@code socketFactory} for a Unix-domain socket: pgjdbc instantiates it with the
 * {@code socketFactoryArg} property, the socket file's path, and asks it for every socket of the
 * connection, including the one its cancel request opens. The host and port pgjdbc passes are
 * ignored: the path alone names the server.
 */
public final class UnixSocketFactory extends SocketFactory {
    private final Path socket;

    public UnixSocketFactory(String socketPath) {
        this.socket = Path.of(socketPath);
    }

    @Override
    public Socket createSocket() {
        return new UnixDomainSocket(socket);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected();
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected();
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected();
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected();
    }

    private Socket connected() throws IOException {
        Socket s = createSocket();
        s.connect(null);
        return s;
    }
}
