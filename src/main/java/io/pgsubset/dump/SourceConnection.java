package io.pgsubset.dump;

import io.pgsubset.connect.Connector;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where a dump's or clone's source side connects: the connector (the leader when nothing was
 * begun ahead, the workers, pg_dump's environment), and the leader's start when the command line
 * began it while the command started ({@link SnapshotAhead}).
 */
public record SourceConnection(Connector connector, Optional<CompletableFuture<SnapshotAhead>> ahead) {
    public static SourceConnection of(Connector connector) {
        return new SourceConnection(connector, Optional.empty());
    }
}
