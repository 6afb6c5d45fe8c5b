package io.pgsubset.cli;

import io.pgsubset.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    void helpWritesOptionLabelsAsPgDumpDoes() {
        List<String> commands = new ArrayList<>();
        subcommands(List.of(), commands);
        assertTrue(commands.containsAll(List.of("sizes", "plan check", "dump", "restore", "verify")), commands::toString);
        Pattern attached = Pattern.compile("(^|[\\s\\[,])--?[A-Za-z][-A-Za-z]*=[A-Z]");
        for (String command : commands) {
            List<String> args = new ArrayList<>(List.of(command.split(" ")));
            args.add("--help");
            Cli.Result help = Cli.run(args.toArray(String[]::new));
            assertEquals(0, help.exitCode(), help::toString);
            help.out().lines().forEach(line -> assertFalse(attached.matcher(line).find(), command + ": " + line));
            assertFalse(help.out().contains("\u00A0"), command);
            if (!command.equals("plan")) {
                assertTrue(help.out().contains("[-d DBNAME]") && help.out().contains("-d, --dbname DBNAME"),
                        command + "\n" + help.out());
            }
        }
        // the help changed, the parser did not: --dbname=NAME still works
        Cli.Result parsed = Cli.run("sizes", "--dbname=x", "--host=/nonexistent-pgsubset-dir", "-p", "5432");
        assertEquals(1, parsed.exitCode(), parsed::toString);
        assertTrue(parsed.err().contains("socket \"/nonexistent-pgsubset-dir/.s.PGSQL.5432\""), parsed.err());
    }

    /** Every command under {@code parent}, found in the "Commands:" section of its help. */
    private static void subcommands(List<String> parent, List<String> out) {
        List<String> args = new ArrayList<>(parent);
        args.add("--help");
        String help = Cli.run(args.toArray(String[]::new)).out();
        int section = help.indexOf("Commands:");
        if (section < 0) {
            return;
        }
        // the section ends at the next heading (the root's "Exit codes:" follows it)
        Matcher end = Pattern.compile("(?m)^\\S").matcher(help);
        String commands = help.substring(section, end.find(section + 1) ? end.start() : help.length());
        Matcher m = Pattern.compile("(?m)^  (\\w+) ").matcher(commands);
        while (m.find()) {
            List<String> command = new ArrayList<>(parent);
            command.add(m.group(1));
            out.add(String.join(" ", command));
            subcommands(command, out);
        }
    }
}
