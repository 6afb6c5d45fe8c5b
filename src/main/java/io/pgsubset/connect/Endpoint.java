package io.pgsubset.connect;

import java.nio.file.Path;

/**
 * One server address: a host name or IP address with a TCP port, or, when {@code host} starts
 * with {@code /}, a Unix-domain socket directory whose socket file is {@code .s.PGSQL.<port>}
 * (libpq's convention).
 */
public record Endpoint(String host, int port) {
    public boolean isSocket() {
        return host.startsWith("/");
    }

    /**
     * Whether the server runs on this machine: a socket directory or a loopback address (another
     * name of this machine is not recognised, and counts as remote).
     */
    public boolean isLocal() {
        return isSocket() || host.equalsIgnoreCase("localhost") || host.matches("127\\.\\d+\\.\\d+\\.\\d+")
                || host.equals("::1");
    }

    /** The socket file, for a socket directory. */
    public Path socketPath() {
        return Path.of(host, ".s.PGSQL." + port);
    }

    /** As libpq's messages name it: {@code socket "/run/postgresql/.s.PGSQL.5432"} or {@code db1:5432}. */
    @Override
    public String toString() {
        return isSocket() ? "socket \"" + socketPath() + "\"" : host + ":" + port;
    }
}
