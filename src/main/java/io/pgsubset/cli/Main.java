package io.pgsubset.cli;

import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.plan.PlanException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;

/** The command line: parses, dispatches to one small command class, maps failures to exit codes. */
@Command(name = "pgsubset", sortOptions = false, versionProvider = Main.Version.class,
        description = "Clone a PostgreSQL database as a consistent, foreign-key-complete subset.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:success",
                "1:runtime failure (connection, server, disk; verify: the database differs from the dump)",
                "2:usage or plan error",
                "3:verify --strict: the data matches, the database's settings differ",
                "130:interrupted"})
public final class Main implements Callable<Integer> {
    /**
     * The commands, in the order the help lists them. picocli builds a command's model by
     * reflection over its annotations and mixins (about 0.2 s for all of them at start-up), so a
     * command line builds only what it needs: see {@link #needed}.
     */
    static final List<Class<?>> COMMANDS = List.of(SizesCommand.class, PlanCommand.class, DumpCommand.class,
            RestoreCommand.class, CloneCommand.class, VerifyCommand.class);
    /**
     * Their names, in the same order, for {@link #needed}: reading a class's annotations parses
     * them all (30 ms for the commands before {@code dump} on a cold JVM). MainTest holds them to
     * the annotations.
     */
    static final List<String> NAMES = List.of("sizes", "plan", "dump", "restore", "clone", "verify");
    @Spec
    CommandSpec spec;

    @Mixin
    StandardOptions standard;

    Main(CliContext ctx) {
        this.standard = new StandardOptions(ctx);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err, System.getenv(), Terminal.stderrIsTerminal(), Optional.of(System.out)));
    }

    /** Runs one command line; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
        return run(args, out, err, env, false, Optional.empty());
    }

    /** Runs one command line with standard output as bytes (text goes there as UTF-8); returns the exit code. */
    public static int run(String[] args, OutputStream stdout, PrintWriter err, Map<String, String> env) {
        return run(args, new PrintWriter(stdout, true, StandardCharsets.UTF_8), err, env, false, Optional.of(stdout));
    }

    private static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env,
                           boolean errIsTerminal, Optional<OutputStream> stdout) {
        CliContext ctx = new CliContext(out, err, env, stdout);
        ctx.errIsTerminal(errIsTerminal);
        try (Preconnect opening = Preconnect.start(args, ctx.env())) {
            ctx.preconnect(opening);
            CommandLine cli = commandLine(ctx, needed(args));
            int code = cli.execute(args);
            out.flush();
            err.flush();
            return code;
        }
    }

    /** The command tree as users see it (help, man pages and completion are rendered from it). */
    static CommandLine commandLine(CliContext ctx) {
        return commandLine(ctx, COMMANDS);
    }

    /**
     * The commands {@code args} can reach: the one its first argument names (with its own
     * subcommands); none for the version alone; else every one, so that the top-level help, an
     * unknown command's suggestions and anything else picocli shows of the whole tree stay as
     * they are.
     */
    static List<Class<?>> needed(String[] args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            return List.of();
        }
        int named = args.length > 0 ? NAMES.indexOf(args[0]) : -1;
        return named >= 0 ? List.of(COMMANDS.get(named)) : COMMANDS;
    }

    private static CommandLine commandLine(CliContext ctx, List<Class<?>> commands) {
        ContextFactory factory = new ContextFactory(ctx);
        CommandLine cli = new CommandLine(Main.class, factory);
        // added before the settings below, which apply to the subcommands present
        commands.forEach(command -> cli.addSubcommand(new CommandLine(command, factory)));
        cli.setOut(ctx.out());
        cli.setErr(ctx.err());
        cli.setExecutionExceptionHandler(new FailureHandler(ctx));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        PgStyleHelp.install(cli);
        return cli;
    }

    /** One line per failure; the stack trace only with --verbose. */
    private record FailureHandler(CliContext ctx) implements IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
            PrintWriter err = ctx.err();
            if (ex instanceof PlanException plan) {
                // compiler style, one problem per line: plan.yaml:12:5: what - fix
                plan.problems().forEach(p -> err.println(p.format()));
                err.flush();
                return plan.exitCode();
            }
            if (ex instanceof PgsubsetException pe) {
                err.println("pgsubset: error: " + pe.getMessage());
                if (ctx.verbose()) {
                    pe.printStackTrace(err);
                }
                err.flush();
                return pe.exitCode();
            }
            err.println("pgsubset: error: " + Messages.firstLine(ex));
            if (ctx.verbose()) {
                ex.printStackTrace(err);
            } else {
                err.println("pgsubset: run again with --verbose for details");
            }
            err.flush();
            return PgsubsetException.RUNTIME;
        }
    }

    /** Builds commands and mixins with the shared context; falls back to picocli's default factory. */
    private record ContextFactory(CliContext ctx) implements IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                Constructor<K> c = cls.getDeclaredConstructor(CliContext.class);
                c.setAccessible(true);
                return c.newInstance(ctx);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }

    /**
     * "pgsubset 0.1.0 (commit 1a2b3c4)": the project version and the git commit the build was made
     * from ("-dirty" when it had uncommitted changes), written by the build into version.properties.
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties build = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    build.load(in);
                }
            } catch (IOException e) {
                // the version below says "unknown"
            }
            String version = build.getProperty("version", "development build");
            String commit = build.getProperty("commit", "");
            return new String[] {"pgsubset " + version + " (commit " + (commit.isEmpty() ? "unknown" : commit) + ")"};
        }
    }
}
