package io.pgsubset.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How client programs are found; the programs here are scripts that answer --version like PostgreSQL's. */
class PgProgramsTest {
    private static Path program(Path file, String versionLine) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\necho '" + versionLine + "'\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    void debiansPerlWrapperOnPathComesAfterTheVersionedBinaries(@TempDir Path tmp) throws IOException {
        Path wrapper = program(tmp.resolve("share/postgresql-common/pg_wrapper"), "pg_dump (PostgreSQL) 17.1");
        Files.createDirectories(tmp.resolve("usr/bin"));
        Files.createSymbolicLink(tmp.resolve("usr/bin/pg_dump"), wrapper);
        Path v15 = program(tmp.resolve("lib/postgresql/15/bin/pg_dump"), "pg_dump (PostgreSQL) 15.18");
        Path v16 = program(tmp.resolve("lib/postgresql/16/bin/pg_dump"), "pg_dump (PostgreSQL) 16.4");

        PgPrograms programs = new PgPrograms(Map.of("PATH", tmp.resolve("usr/bin").toString()),
                tmp.resolve("lib/postgresql"));
        PgProgram found = programs.find("pg_dump", Optional.empty());
        assertEquals(v16, found.path(), "the newest versioned binary, as the wrapper would pick for a remote server");
        assertEquals(16, found.majorVersion());

        Files.delete(v15);
        Files.delete(v16);
        assertEquals(tmp.resolve("usr/bin/pg_dump"), programs.find("pg_dump", Optional.empty()).path(),
                "the wrapper when nothing else is installed");
    }

    @Test
    void aProgramBesideAnotherIsPreferredToThePath(@TempDir Path tmp) throws IOException {
        Path dump = program(tmp.resolve("opt/pg/bin/pg_dump"), "pg_dump (PostgreSQL) 16.4");
        Path restore = program(tmp.resolve("opt/pg/bin/pg_restore"), "pg_restore (PostgreSQL) 16.4");
        program(tmp.resolve("usr/bin/pg_restore"), "pg_restore (PostgreSQL) 15.18");
        PgPrograms programs = new PgPrograms(Map.of("PATH", tmp.resolve("usr/bin").toString()), tmp.resolve("none"));
        PgProgram pgDump = programs.find("pg_dump", Optional.of(dump));
        assertEquals(restore, programs.findBeside("pg_restore", pgDump).path());
        Files.delete(restore);
        assertEquals(tmp.resolve("usr/bin/pg_restore"), programs.findBeside("pg_restore", pgDump).path());
    }
}
