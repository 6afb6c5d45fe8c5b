package io.pgsubset.connect;

import java.util.Optional;

/**
 * What the user typed: the libpq-style flags, each possibly absent. {@code dbname} may be a
 * plain name, a {@code postgresql://} URI or a {@code key=value} connection string.
 */
public record ConnectionOptions(Optional<String> host, Optional<Integer> port, Optional<String> user,
                                Optional<String> dbname, boolean neverPrompt) {
    public static ConnectionOptions none() {
        return new ConnectionOptions(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false);
    }

    public ConnectionOptions withDbname(String name) {
        return new ConnectionOptions(host, port, user, Optional.of(name), neverPrompt);
    }

    /**
     * {@link #equals}, field by field: a record's generated equals links a bootstrap method the
     * first time it runs, 10-15 ms of a command's start-up (see cli.Preconnect). Every field.
     */
    public boolean sameAs(ConnectionOptions o) {
        return host.equals(o.host) && port.equals(o.port) && user.equals(o.user) && dbname.equals(o.dbname)
                && neverPrompt == o.neverPrompt;
    }
}
