package io.pgsubset.cli;

import io.pgsubset.connect.ConnectionOptions;
import io.pgsubset.connect.ConnectionTarget;
import io.pgsubset.connect.Connector;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The source connection of a dump or clone, opened on a second core while picocli builds the command's
 * model and the plan loads: opening it (driver set-up, the server forking a backend,
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
     * The connection flags of {@code pgsubset dump ...} or {@code clone ...} (its source), read as picocli reads them when nothing
     * else is unusual; empty for another command, help, or a flag value that is no valid port.
     */
    static Optional<ConnectionOptions> guess(String[] args) {
        if (args.length < 2 || !(args[0].equals("dump") || args[0].equals("clone"))) {
            return Optional.empty();
        }
        String host = null;
        String port = null;
        String user = null;
        String dbname = null;
        boolean noPassword = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                break;
            }
            switch (a) {
                case "--help", "-?", "--version", "-V" -> {
                    return Optional.empty();
                }
                case "-w", "--no-password" -> noPassword = true;
                default -> {
                }
            }
            String[] value = new String[1];
            int next = i + 1 < args.length ? i + 1 : -1;
            if (flag(a, "-h", "--host", args, next, value)) {
                host = value[0];
            } else if (flag(a, "-p", "--port", args, next, value)) {
                port = value[0];
            } else if (flag(a, "-U", "--username", args, next, value)) {
                user = value[0];
            } else if (flag(a, "-d", "--dbname", args, next, value)) {
                dbname = value[0];
            } else {
                continue;
            }
            if (a.equals("-h") || a.equals("--host") || a.equals("-p") || a.equals("--port") || a.equals("-U")
                    || a.equals("--username") || a.equals("-d") || a.equals("--dbname")) {
                i++;
            }
        }
        Optional<Integer> portNumber;
        try {
            portNumber = port == null ? Optional.empty() : Optional.of(Integer.parseInt(port));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.of(new ConnectionOptions(Optional.ofNullable(host), portNumber, Optional.ofNullable(user),
                Optional.ofNullable(dbname), noPassword));
    }

    /** Whether {@code a} is the flag ({@code -h X}, {@code -hX}, {@code --host X}, {@code --host=X}); its value into {@code value}. */
    private static boolean flag(String a, String shortName, String longName, String[] args, int next, String[] value) {
        if (a.equals(shortName) || a.equals(longName)) {
            if (next < 0) {
                return false;
            }
            value[0] = args[next];
            return true;
        }
        if (a.startsWith(longName + "=")) {
            value[0] = a.substring(longName.length() + 1);
            return true;
        }
        if (a.startsWith(shortName) && a.length() > shortName.length() && !a.startsWith("--")) {
            value[0] = a.substring(shortName.length());
            return true;
        }
        return false;
    }
}
