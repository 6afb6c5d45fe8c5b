package io.pgsubset.tools;

import io.pgsubset.error.PgsubsetException;

import java.nio.file.Path;

/** A PostgreSQL client program found on this machine, with the major version it reported. */
public record PgProgram(String name, Path path, int majorVersion, String versionText) {
    /**
     * pg_dump must be at least as new as the server it dumps; an older one refuses or, worse,
     * misses newer catalog features. Fails with what to install.
     */
    public PgProgram requireAtLeast(int serverMajor) {
        if (majorVersion < serverMajor) {
            throw new PgsubsetException(name + " " + majorVersion + " (" + path + ") is older than the server ("
                    + serverMajor + "); install the PostgreSQL " + serverMajor + " client tools (Debian: apt-get install "
                    + "postgresql-client-" + serverMajor + ") or point --pg-dump/PGBIN at a newer " + name);
        }
        return this;
    }

    /** pg_restore must read the archive {@code writer} (pg_dump) wrote: at least its major version. */
    public PgProgram requireAtLeast(PgProgram writer) {
        if (majorVersion < writer.majorVersion()) {
            throw new PgsubsetException(name + " " + majorVersion + " (" + path + ") is older than " + writer.name()
                    + " " + writer.majorVersion() + " (" + writer.path() + "), whose archive it reads; put the "
                    + writer.name() + " and " + name + " of one PostgreSQL version side by side (Debian: apt-get install "
                    + "postgresql-client-" + writer.majorVersion() + ")");
        }
        return this;
    }
}
