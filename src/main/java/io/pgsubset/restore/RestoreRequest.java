package io.pgsubset.restore;

import io.pgsubset.database.LocaleChoice;
import io.pgsubset.error.UsageException;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What to restore and how.
 *
 * @param jobs          parallel COPY connections
 * @param create        create the target database (and the owner role when missing)
 * @param owner         owner of a created database
 * @param clean         empty a non-empty target first (see {@link io.pgsubset.format.TargetSql#CLEAN})
 * @param replace       restore into a new database beside this one and swap names at the end
 * @param terminate     with replace: end sessions that hold the replaced database
 * @param dropOld       with replace: drop the replaced database after the swap
 * @param maintenanceDb database to connect to for CREATE/ALTER/DROP DATABASE
 * @param locale        instead of the source's locale or encoding, for the database create or replace makes
 */
public record RestoreRequest(Path dumpDir, int jobs, boolean create, Optional<String> owner, boolean clean,
                             Optional<String> replace, boolean terminate, boolean dropOld, String maintenanceDb,
                             LocaleChoice locale) {
    /** With the source's locale and encoding. */
    public RestoreRequest(Path dumpDir, int jobs, boolean create, Optional<String> owner, boolean clean,
                          Optional<String> replace, boolean terminate, boolean dropOld, String maintenanceDb) {
        this(dumpDir, jobs, create, owner, clean, replace, terminate, dropOld, maintenanceDb, LocaleChoice.source());
    }

    public RestoreRequest {
        if (jobs < 1) {
            throw new UsageException("--jobs must be at least 1, got " + jobs);
        }
        if (replace.isPresent() && (create || clean)) {
            throw new UsageException("--replace makes a new database itself: leave out --create and --clean");
        }
        if ((terminate || dropOld) && replace.isEmpty()) {
            throw new UsageException("--terminate and --drop-old only apply to --replace");
        }
        if (!locale.isSource() && !create && replace.isEmpty()) {
            throw new UsageException("--locale and --encoding need --create or --replace (they choose how the new "
                    + "database is made; an existing database keeps its own)");
        }
        if (owner.isPresent() && !create && replace.isEmpty()) {
            throw new UsageException("--owner needs --create or --replace (it names the owner of the new database)");
        }
    }
}
