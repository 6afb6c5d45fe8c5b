package io.pgsubset.cli;

import io.pgsubset.connect.ConnectionOptions;
import io.pgsubset.connect.ConnectionTarget;
import io.pgsubset.connect.Connector;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The source connection of a dump or clone, opened on a second core while picocli builds the
 * command's model and the plan loads: opening it (driver set-up, the server forking a backend,
 * authentication) took about a tenth of a second that came before the dump's first statement.
 *
 * <p>The connection flags are read from the arguments by a guess that knows only their five
 * spellings; the command takes the connection only when picocli's parse gives the same flags (so a
 * wrong guess costs a connection, never a wrong server). It is opened only for a source, whose
 * database must exist (the target of a restore may not yet), to one server without
 * target_session_attrs (a host list is probed in order first), and never prompts: when it fails,
 * the command connects as before and reports that failure itself.
 */
final class Preconnect implements AutoCloseable {
    private static final Preconnect NONE = new Preconnect(null, CompletableFuture.completedFuture(null));
    /** The flags with a value: short and long spelling. */
    private static final List<List<String>> FLAGS = List.of(List.of("-h", "--host"), List.of("-p", "--port"),
            List.of("-U", "--username"), List.of("-d", "--dbname"));
    private static final Set<String> HELP = Set.of("--help", "-?", "--version", "-V");

    private final ConnectionOptions guessed;
    private final CompletableFuture<Connection> opening;
    private final AtomicBoolean taken = new AtomicBoolean();

    private Preconnect(ConnectionOptions guessed, CompletableFuture<Connection> opening) {
        this.guessed = guessed;
        this.opening = opening;
    }

    static Preconnect none() {
        return NONE;
    }

    /** Starts opening the connection a dump's or clone's arguments name; nothing for anything else. */
    static Preconnect start(String[] args, Map<String, String> env) {
        Optional<ConnectionOptions> guess = guess(args);
        if (guess.isEmpty()) {
            return NONE;
        }
        CompletableFuture<Connection> opening = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                Connection c = open(guess.get(), env);
                if (!opening.complete(c) && c != null) {
                    // cancelled meanwhile: the command ended without it
                    closeQuietly(c);
                }
            } catch (Throwable e) {
                opening.completeExceptionally(e);
            }
        }, "pgsubset-preconnect");
        t.setDaemon(true);
        t.start();
        return new Preconnect(guess.get(), opening);
    }

    private static Connection open(ConnectionOptions options, Map<String, String> env) {
        ConnectionTarget target = ConnectionTarget.resolve(options, env);
        if (!target.oneServer()) {
            return null;
        }
        return new Connector(target).open();
    }

    /**
     * The connection being opened ahead, when {@code actual} (the flags as picocli parsed them)
     * are the guessed ones: it completes with the connection, with null when none is opened ahead
     * (a host list), or with the failure to connect, which the command reports as its own (trying
     * again would only fail again, and wait out a dead host's timeout a second time). Else empty.
     */
    Optional<CompletableFuture<Connection>> take(ConnectionOptions actual) {
        if (guessed == null || !guessed.equals(actual) || !taken.compareAndSet(false, true)) {
            return Optional.empty();
        }
        return Optional.of(opening);
    }

    /** Closes the connection unless a command took it (then it is the command's to close), now or when it opens. */
    @Override
    public void close() {
        if (taken.get()) {
            return;
        }
        opening.cancel(false);
        opening.thenAccept(c -> {
            if (c != null) {
                closeQuietly(c);
            }
        });
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // an unused connection: nothing depends on its closing cleanly
        }
    }

    /**
     * The connection flags of {@code pgsubset dump ...} or {@code clone ...} (its source), read as
     * picocli reads them when nothing else is unusual; empty for another command, help, or a port
     * that is no number.
     */
    static Optional<ConnectionOptions> guess(String[] args) {
        if (args.length < 2 || !(args[0].equals("dump") || args[0].equals("clone"))) {
            return Optional.empty();
        }
        Map<String, String> values = new HashMap<>();
        boolean noPassword = false;
        for (int i = 1; i < args.length && !args[i].equals("--"); i++) {
            String a = args[i];
            if (HELP.contains(a)) {
                return Optional.empty();
            }
            noPassword |= a.equals("-w") || a.equals("--no-password");
            for (List<String> flag : FLAGS) {
                String shortName = flag.get(0);
                String longName = flag.get(1);
                if ((a.equals(shortName) || a.equals(longName)) && i + 1 < args.length) {
                    values.put(longName, args[++i]);
                } else if (a.startsWith(longName + "=")) {
                    values.put(longName, a.substring(longName.length() + 1));
                } else if (a.startsWith(shortName) && a.length() > 2 && !a.startsWith("--")) {
                    values.put(longName, a.substring(2));
                } else {
                    continue;
                }
                break;
            }
        }
        Optional<Integer> port;
        try {
            port = Optional.ofNullable(values.get("--port")).map(Integer::parseInt);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.of(new ConnectionOptions(Optional.ofNullable(values.get("--host")), port,
                Optional.ofNullable(values.get("--username")), Optional.ofNullable(values.get("--dbname")), noPassword));
    }
}
