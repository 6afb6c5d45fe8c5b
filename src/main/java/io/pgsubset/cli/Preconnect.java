package io.pgsubset.cli;

import io.pgsubset.connect.ConnectionOptions;
import io.pgsubset.connect.ConnectionTarget;
import io.pgsubset.connect.Connector;
import io.pgsubset.dump.SnapshotAhead;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The source of a dump or clone, connected on a second core while picocli builds the command's
 * model and the plan loads, which took about a quarter of a second: the connection opened (driver
 * set-up, the server forking a backend, authentication), the leader's snapshot exported and the
 * catalog read in it ({@link SnapshotAhead}), as the dump would do first.
 *
 * <p>The connection flags and {@code --statement-timeout} (which bounds the catalog queries) are
 * read from the arguments by a guess that knows only their spellings; the command takes what was
 * begun only when picocli's parse gives the same values (so a wrong guess costs a connection, never
 * a wrong server or an untimed query). It is opened only for a source, whose database must exist
 * (the target of a restore may not yet), to one server without target_session_attrs (a host list
 * is probed in order first), and never prompts: when it fails, the command reports that failure
 * itself, or on a terminal prompts for the password the server asked for and connects again.
 */
final class Preconnect implements AutoCloseable {
    private static final Preconnect NONE = new Preconnect(null, CompletableFuture.completedFuture(null));
    /** The flags with a value: short and long spelling. */
    private static final List<List<String>> FLAGS = List.of(List.of("-h", "--host"), List.of("-p", "--port"),
            List.of("-U", "--username"), List.of("-d", "--dbname"));
    private static final Set<String> HELP = Set.of("--help", "-?", "--version", "-V");
    private static final String STATEMENT_TIMEOUT = "--statement-timeout";

    /** What the arguments say, as far as the start done ahead depends on it. */
    record Guess(ConnectionOptions connection, Optional<String> statementTimeout) {
    }

    private final Guess guessed;
    private final CompletableFuture<SnapshotAhead> opening;
    private final AtomicBoolean taken = new AtomicBoolean();

    private Preconnect(Guess guessed, CompletableFuture<SnapshotAhead> opening) {
        this.guessed = guessed;
        this.opening = opening;
    }

    static Preconnect none() {
        return NONE;
    }

    /** Starts connecting to the source a dump's or clone's arguments name; nothing for anything else. */
    static Preconnect start(String[] args, Map<String, String> env) {
        Optional<Guess> guess = guess(args);
        if (guess.isEmpty()) {
            return NONE;
        }
        CompletableFuture<SnapshotAhead> opening = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                SnapshotAhead begun = begin(guess.get(), env);
                if (!opening.complete(begun) && begun != null) {
                    // cancelled meanwhile: the command ended without it
                    begun.discard();
                }
            } catch (Throwable e) {
                opening.completeExceptionally(e);
            }
        }, "pgsubset-preconnect");
        t.setDaemon(true);
        t.start();
        warmLocaleData();
        return new Preconnect(guess.get(), opening);
    }

    /**
     * pgjdbc's first connection makes a Calendar, and the JDK's first Calendar builds its list of
     * the ~1000 CLDR locales to look up the first day of the week: 0.05 s of interpreted code on the
     * connecting thread, on the way to the first statement. Done here on a thread of its own, it
     * runs while that thread loads the driver and opens the socket: the first statement came 20-25
     * ms earlier (0.298 against 0.321 s median of 10, interleaved), the wall time the same.
     */
    private static void warmLocaleData() {
        Thread t = new Thread(java.util.GregorianCalendar::new, "pgsubset-locale");
        t.setDaemon(true);
        t.start();
    }

    private static SnapshotAhead begin(Guess guess, Map<String, String> env) {
        ConnectionTarget target = ConnectionTarget.resolve(guess.connection(), env);
        if (!target.oneServer()) {
            return null;
        }
        return SnapshotAhead.begin(new Connector(target).open(), guess.statementTimeout());
    }

    /**
     * The start begun ahead, when {@code actual} (the flags as picocli parsed them) and {@code
     * statementTimeout} are the guessed ones: it completes with the snapshot begun, with null when
     * nothing is begun ahead (a host list), or with the failure, which the command reports as its
     * own (trying again would only fail again, and wait out a dead host's timeout a second time).
     * Else empty, and what was begun is ended.
     */
    Optional<CompletableFuture<SnapshotAhead>> take(ConnectionOptions actual, Optional<String> statementTimeout) {
        if (guessed == null || !guessed.connection().sameAs(actual)
                || !guessed.statementTimeout().equals(statementTimeout)) {
            close();
            return Optional.empty();
        }
        if (!taken.compareAndSet(false, true)) {
            return Optional.empty();
        }
        return Optional.of(opening);
    }

    /**
     * Ends what was begun unless the command took it, now or when it is there. A command that took
     * it and ended before its dump claimed it leaves it here too: whoever claims first owns it.
     */
    @Override
    public void close() {
        opening.cancel(false);
        opening.thenAccept(begun -> {
            if (begun != null) {
                begun.discard();
            }
        });
    }

    /**
     * The connection flags and statement timeout of {@code pgsubset dump ...} or {@code clone ...}
     * (its source), read as picocli reads them when nothing else is unusual; empty for another
     * command, help, or a port that is no number.
     */
    static Optional<Guess> guess(String[] args) {
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
            if (a.equals(STATEMENT_TIMEOUT) && i + 1 < args.length) {
                values.put(STATEMENT_TIMEOUT, args[++i]);
                continue;
            }
            if (a.startsWith(STATEMENT_TIMEOUT + "=")) {
                values.put(STATEMENT_TIMEOUT, a.substring(STATEMENT_TIMEOUT.length() + 1));
                continue;
            }
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
        return Optional.of(new Guess(new ConnectionOptions(Optional.ofNullable(values.get("--host")), port,
                Optional.ofNullable(values.get("--username")), Optional.ofNullable(values.get("--dbname")), noPassword),
                Optional.ofNullable(values.get(STATEMENT_TIMEOUT))));
    }
}
