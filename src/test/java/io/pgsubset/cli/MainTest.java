package io.pgsubset.cli;

import io.pgsubset.testing.Cli;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    /**
     * A command line builds only the command it names (picocli's model of every command costs
     * start-up time); whatever it prints must be what the whole tree prints: each command's help,
     * the top-level help, unknown commands with picocli's suggestions, usage errors.
     */
    @Test
    void commandLinesAnswerAsWithEveryCommandBuilt() {
        List<List<String>> lines = new ArrayList<>(List.of(List.of(), List.of("--help"), List.of("-?"),
                List.of("--version"), List.of("-V"), List.of("--verbose", "--help"), List.of("dupm"),
                List.of("dupm", "-d", "x"), List.of("plna", "check"), List.of("--frobnicate"), List.of("plan"),
                List.of("plan", "chek"), List.of("plan", "check", "--help"), List.of("plan", "explain", "--help"),
                List.of("dump"), List.of("dump", "--frobnicate", "-o", "x"), List.of("dump", "-o", "x", "extra"),
                List.of("dump", "--version"), List.of("--version", "dump"), List.of("--verbose", "dump", "--help"),
                List.of("DUMP", "--help")));
        for (String command : List.of("sizes", "plan", "dump", "restore", "clone", "verify")) {
            lines.add(List.of(command, "--help"));
        }
        for (List<String> line : lines) {
            String[] args = line.toArray(String[]::new);
            assertEquals(wholeTree(args), Cli.run(args).toString(), line::toString);
        }
        assertEquals(List.of(DumpCommand.class), Main.needed(new String[] {"dump", "-d", "x"}));
        assertEquals(List.of(), Main.needed(new String[] {"--version"}));
        // the names needed() matches on are the commands' own, in the same order
        assertEquals(Main.COMMANDS.stream().map(c -> c.getAnnotation(picocli.CommandLine.Command.class).name())
                .toList(), Main.NAMES);
        for (Class<?> command : Main.COMMANDS) {
            String name = command.getAnnotation(picocli.CommandLine.Command.class).name();
            assertEquals(List.of(command), Main.needed(new String[] {name, "--help"}), name);
        }
    }

    /** What a command line gives with every command built, as pgsubset did before building only the one named. */
    private static String wholeTree(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> env = Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                "HOME", System.getProperty("java.io.tmpdir"));
        int code = Main.commandLine(new CliContext(new PrintWriter(out, true), new PrintWriter(err, true), env))
                .execute(args);
        return new Cli.Result(code, out.toString(), err.toString()).toString();
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
