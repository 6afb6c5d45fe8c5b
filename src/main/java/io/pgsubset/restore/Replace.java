package io.pgsubset.restore;

import io.pgsubset.format.TargetSql;
import io.pgsubset.error.Messages;
import io.pgsubset.connect.ConnectionTarget;
import io.pgsubset.connect.Connector;
import io.pgsubset.database.TargetDatabase;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.error.UsageException;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.restore.RestoreResult.TableRows;
import io.pgsubset.sql.Ident;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code --replace DB}: restores into {@code DB__pgsubset_new}, then swaps names in one transaction
 * ({@code DB} becomes {@code DB__pgsubset_old_<UTC time>}, the new one becomes {@code DB}). Until
 * the swap, {@code DB} is untouched; a failure or interrupt (a shutdown hook covers SIGINT and
 * SIGTERM) drops the new database. Leftovers of a killed run carry the {@code __pgsubset_new}
 * suffix and are dropped by the next run.
 */
final class Replace {
    static final String NEW_SUFFIX = "__pgsubset_new";
    static final String OLD_INFIX = "__pgsubset_old_";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final int SWAP_ATTEMPTS = 10;

    private final ConnectionTarget maintenance;
    private final RestoreRequest request;
    private final RestoreListener listener;
    private final String target;
    private final String fresh;
    /** The name the replaced database is kept under; another suffix when a restore in the same second took it. */
    private String old;
    /** Guards the new database against the shutdown hook while the swap runs. */
    private final Object swapLock = new Object();
    private boolean swapped;

    Replace(ConnectionTarget maintenance, RestoreRequest request, RestoreListener listener) {
        this.maintenance = maintenance;
        this.request = request;
        this.listener = listener;
        this.target = request.replace().orElseThrow();
        this.fresh = target + NEW_SUFFIX;
        this.old = target + OLD_INFIX + STAMP.format(ZonedDateTime.now(ZoneOffset.UTC));
        Databases.checkName(target);
        if (old.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > Databases.MAX_NAME_BYTES) {
            throw new UsageException("--replace " + target + ": the name is too long to keep the old database as \""
                    + old + "\" (PostgreSQL allows " + Databases.MAX_NAME_BYTES + " bytes)");
        }
    }

    RestoreResult run(Manifest manifest, Function<ConnectionTarget, List<TableRows>> load, long start) {
        boolean targetExists;
        Optional<String> owner;
        try (Connection admin = Connector.toTarget(maintenance).open()) {
            targetExists = Databases.exists(admin, target);
            owner = request.owner().isPresent() ? request.owner()
                    : targetExists ? Databases.owner(admin, target) : Optional.empty();
            if (targetExists) {
                refuseSource(admin, manifest);
                refuseSessions(admin);
            }
            if (Databases.exists(admin, fresh)) {
                listener.step("dropping " + fresh + ", left over by an earlier run");
                Databases.drop(admin, fresh);
            }
            TargetDatabase.create(admin, fresh, owner, manifest.database(), request.locale(), listener);
        } catch (SQLException e) {
            throw new PgsubsetException("preparing --replace " + target + " failed: " + Messages.firstLine(e), e);
        }
        Thread hook = new Thread(this::dropFreshUnlessSwapped, "pgsubset-replace-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            List<TableRows> rows = load.apply(maintenance.withDbname(fresh));
            if (!rows.stream().allMatch(TableRows::matches)) {
                throw new PgsubsetException("rows loaded differ from the manifest; " + target + " was not replaced");
            }
            Optional<String> kept = swap(targetExists);
            return new RestoreResult(target, rows, kept, (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            dropFreshUnlessSwapped();
            throw e;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting; the hook runs and drops the new database
                listener.step("interrupted: dropping " + fresh);
            }
        }
    }

    /** The system identifier is the cluster's, so the maintenance connection can tell. */
    private void refuseSource(Connection admin, Manifest manifest) throws SQLException {
        Optional<String> sysid = manifest.source().systemIdentifier();
        if (sysid.isEmpty() || !manifest.source().database().equals(target)) {
            return;
        }
        try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(TargetSql.SYSTEM_IDENTIFIER)) {
            rs.next();
            if (sysid.get().equals(rs.getString(1))) {
                throw new UsageException("the target is the dump's own source (database \"" + target
                        + "\", system identifier " + sysid.get() + "): refusing to replace it; choose another database");
            }
        }
    }

    /**
     * Fails before any work when the target has sessions and --terminate was not given. Sessions
     * that are just closing (their backend exits asynchronously) get a moment to go.
     */
    private void refuseSessions(Connection admin) throws SQLException {
        if (request.terminate()) {
            return;
        }
        int sessions = Databases.sessions(admin, target);
        for (int i = 0; i < 20 && sessions > 0; i++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new io.pgsubset.error.Interrupted("interrupted before the restore started");
            }
            sessions = Databases.sessions(admin, target);
        }
        if (sessions > 0) {
            throw new UsageException("database \"" + target + "\" has " + sessions + " open sessions, so it cannot be "
                    + "renamed: close them or add --terminate to end them at the swap");
        }
    }

    private Optional<String> swap(boolean targetExists) {
        synchronized (swapLock) {
            try (Connection admin = Connector.toTarget(maintenance).open()) {
                if (targetExists) {
                    old = freeOldName(admin);
                }
                for (int attempt = 1; ; attempt++) {
                    try {
                        swapOnce(admin, targetExists);
                        swapped = true;
                        break;
                    } catch (SQLException e) {
                        admin.rollback();
                        admin.setAutoCommit(true);
                        boolean inUse = "55006".equals(e.getSQLState());
                        if (!inUse || !request.terminate() || attempt == SWAP_ATTEMPTS) {
                            throw new PgsubsetException("swapping " + fresh + " in for " + target + " failed: "
                                    + Messages.firstLine(e)
                                    + (inUse && !request.terminate() ? " (add --terminate to end its sessions)" : ""),
                                    e);
                        }
                        Thread.sleep(200L * attempt);
                    }
                }
                listener.step(targetExists ? "swapped: " + target + " is the restored copy, the previous one is "
                        + old : "renamed " + fresh + " to " + target);
                if (targetExists && request.dropOld()) {
                    Databases.drop(admin, old);
                    listener.step("dropped " + old);
                    return Optional.empty();
                }
                return targetExists ? Optional.of(old) : Optional.empty();
            } catch (SQLException e) {
                throw new PgsubsetException("swapping " + fresh + " in for " + target + " failed: " + Messages.firstLine(e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new io.pgsubset.error.Interrupted("interrupted before the swap; " + target + " is unchanged");
            }
        }
    }

    /** {@link #old}, or {@code old_2}, {@code old_3} ... when an earlier restore in the same second has it. */
    private String freeOldName(Connection admin) throws SQLException {
        String name = old;
        for (int n = 2; Databases.exists(admin, name); n++) {
            name = old + "_" + n;
            if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > Databases.MAX_NAME_BYTES) {
                throw new UsageException("--replace " + target + ": " + old + " exists and the name is too long for "
                        + "a numbered variant; drop or rename the old copies");
            }
        }
        return name;
    }

    /** Both renames in one transaction: other sessions see the old database or the new one, never neither. */
    private void swapOnce(Connection admin, boolean targetExists) throws SQLException {
        if (targetExists && request.terminate()) {
            int ended = Databases.terminate(admin, target);
            if (ended > 0) {
                listener.step("ended " + ended + " sessions on " + target);
            }
        }
        admin.setAutoCommit(false);
        try (Statement st = admin.createStatement()) {
            if (targetExists) {
                st.execute("ALTER DATABASE " + Ident.quote(target) + " RENAME TO " + Ident.quote(old));
            }
            st.execute("ALTER DATABASE " + Ident.quote(fresh) + " RENAME TO " + Ident.quote(target));
        }
        admin.commit();
        admin.setAutoCommit(true);
    }

    private void dropFreshUnlessSwapped() {
        synchronized (swapLock) {
            if (!swapped) {
                Databases.dropQuietly(maintenance, fresh, listener);
            }
        }
    }
}
