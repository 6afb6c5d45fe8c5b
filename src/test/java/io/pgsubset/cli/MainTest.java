package io.pgsubset.cli;

import io.pgsubset.testing.Cli;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @Test
    void unknownFlagExitsWith2WithPicocliMessage() {
        Cli.Result r = Cli.run("sizes", "--frobnicate");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().startsWith("Unknown option: '--frobnicate'"), r.err());
        assertTrue(r.out().isEmpty());
    }

    @Test
    void versionAndHelpOnEveryCommand() {
        Cli.Result v = Cli.run("--version");
        assertEquals(0, v.exitCode());
        assertTrue(v.out().startsWith("pgsubset "), v.out());
        Cli.Result help = Cli.run("sizes", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("--min-size"), help.out());
        assertTrue(help.out().contains("-h, --host"), help.out());
    }

    @Test
    void helpListsOnlyWorkingCommands() {
        Cli.Result help = Cli.run("--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("sizes"), help.out());
    }

    @Test
    void unixSocketHostsAreRefusedClearly() {
        Cli.Result r = Cli.run("sizes", "-h", "/var/run/postgresql");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("Unix-domain socket"), r.err());
    }
}
