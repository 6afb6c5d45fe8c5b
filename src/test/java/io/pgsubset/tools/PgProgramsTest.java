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

    /** A program that also counts how often it is run, in {@code count}. */
    private static Path countingProgram(Path file, String versionLine, Path count) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\necho run >> '" + count + "'\necho '" + versionLine + "'\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private static long runs(Path count) throws IOException {
        return Files.exists(count) ? Files.readAllLines(count).size() : 0;
    }

    @Test
    void aProgramIsAskedItsVersionOnceThenKnownByItsFileUntilItChanges(@TempDir Path tmp) throws Exception {
        Path count = tmp.resolve("count");
        Path bin = countingProgram(tmp.resolve("bin/pg_dump"), "pg_dump (PostgreSQL) 15.18", count);
        Map<String, String> env = Map.of("PATH", bin.getParent().toString(), "HOME", tmp.resolve("home").toString());
        // each dump makes its own PgPrograms, as separate processes would
        assertEquals(15, new PgPrograms(env).find("pg_dump", Optional.empty()).majorVersion());
        assertEquals(1, runs(count));
        PgProgram again = new PgPrograms(env).find("pg_dump", Optional.empty());
        assertEquals(15, again.majorVersion());
        assertEquals("pg_dump (PostgreSQL) 15.18", again.versionText());
        assertEquals(1, runs(count), "the second look-up reads the cache");
        assertEquals(java.util.List.of(tmp.resolve("home/.cache/pgsubset/programs.tsv")),
                java.util.List.of(tmp.resolve("home/.cache/pgsubset").toFile().listFiles()).stream()
                        .map(java.io.File::toPath).toList());

        // an upgrade replaces the file: it is asked again
        Files.delete(bin);
        countingProgram(bin, "pg_dump (PostgreSQL) 16.4", count);
        assertEquals(16, new PgPrograms(env).find("pg_dump", Optional.empty()).majorVersion());
        assertEquals(2, runs(count));
        // a file changed in place (the same inode, other size and times) too
        Files.writeString(bin, Files.readString(bin).replace("16.4", "17.0 (a local build)"));
        assertEquals(17, new PgPrograms(env).find("pg_dump", Optional.empty()).majorVersion());
        assertEquals(3, runs(count));
    }

    @Test
    void aCacheThatCannotBeWrittenOnlyMeansAskingEachTime(@TempDir Path tmp) throws Exception {
        Path count = tmp.resolve("count");
        Path bin = countingProgram(tmp.resolve("bin/pg_dump"), "pg_dump (PostgreSQL) 15.18", count);
        Files.writeString(tmp.resolve("not-a-directory"), "x");
        Map<String, String> env = Map.of("PATH", bin.getParent().toString(), "XDG_CACHE_HOME",
                tmp.resolve("not-a-directory").toString());
        assertEquals(15, new PgPrograms(env).find("pg_dump", Optional.empty()).majorVersion());
        assertEquals(15, new PgPrograms(env).find("pg_dump", Optional.empty()).majorVersion());
        assertEquals(2, runs(count));
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
