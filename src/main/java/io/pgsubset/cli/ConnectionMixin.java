package io.pgsubset.cli;

import io.pgsubset.connect.ConnectionOptions;
import io.pgsubset.connect.ConnectionTarget;
import io.pgsubset.connect.Connector;
import io.pgsubset.dump.SnapshotAhead;
import io.pgsubset.dump.SourceConnection;
import picocli.CommandLine.Option;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The libpq connection flags, as pg_dump and psql spell them. */
public final class ConnectionMixin {
    @Option(names = {"-h", "--host"}, paramLabel = "HOST",
            description = "Database server host, or a Unix-domain socket directory if it starts with / (default: "
                    + "PGHOST, else a server's socket in /var/run/postgresql or /tmp, else localhost).")
    String host;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "Database server port (default: PGPORT or 5432).")
    Integer port;

    @Option(names = {"-U", "--username"}, paramLabel = "USER", description = "Database user (default: PGUSER or the OS user).")
    String user;

    @Option(names = {"-d", "--dbname"}, paramLabel = "DBNAME",
            description = "Database name, or a postgresql:// URI or key=value connection string, which may name a "
                    + "service=NAME of a pg_service.conf (default: PGDATABASE, else the user name).")
    String dbname;

    @Option(names = {"-w", "--no-password"}, description = "Never prompt for a password.")
    boolean noPassword;

    public ConnectionOptions options() {
        return new ConnectionOptions(Optional.ofNullable(host), Optional.ofNullable(port), Optional.ofNullable(user),
                Optional.ofNullable(dbname), noPassword);
    }

    /** The server(s) the options and the environment name, before any password prompt. */
    public ConnectionTarget target(CliContext ctx) {
        return ConnectionTarget.resolve(options(), ctx.env());
    }

    /**
     * Resolves the target from these flags and the environment, prompting for a password if needed,
     * and settles on one server of a host list, so that every session of the command reaches it.
     */
    public Connector connector(CliContext ctx) {
        return new Connector(target(ctx)).withPromptedPasswordIfNeeded(noPassword).pinned();
    }

    /**
     * The source of a dump or clone: {@link #connector}, with the start the command line began
     * while the command started ({@link Preconnect}) when it was begun for these flags and {@code
     * statementTimeout}. On a terminal, a password the server asked for is prompted instead.
     */
    public SourceConnection source(CliContext ctx, Optional<String> statementTimeout) {
        ConnectionTarget target = target(ctx);
        Optional<CompletableFuture<SnapshotAhead>> ahead = ctx.preconnect().take(options(), statementTimeout);
        if (ahead.isPresent() && target.oneServer()) {
            if (ctx.verbose()) {
                ctx.err().println("pgsubset: connecting to " + target + " since the command started");
            }
            // on a terminal, a password the server asks for is prompted: wait for the attempt to know
            if (noPassword || target.hasPassword() || System.console() == null
                    || !ahead.get().handle((c, e) -> e != null && Connector.wantsPassword(e)).join()) {
                return new SourceConnection(new Connector(target), ahead);
            }
        }
        return SourceConnection.of(connector(ctx));
    }
}
