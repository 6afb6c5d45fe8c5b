package io.pgsubset.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One command's manual page (roff, man(7) macros), rendered from the same picocli model as its
 * {@code --help}: name, synopsis, description, options, arguments and subcommands, so the two
 * never drift. pgsubset(1) also carries the exit codes, the launcher's environment and its files.
 */
final class ManPage {
    private final CommandLine command;
    private final String version;

    ManPage(CommandLine command, String version) {
        this.command = command;
        this.version = version;
    }

    /** pgsubset, pgsubset-dump, pgsubset-plan-init: the page's name and file name (without ".1"). */
    static String pageName(CommandLine command) {
        return command.getCommandSpec().qualifiedName("-");
    }

    /** Every command of the tree, parents before their subcommands, each once (aliases left out). */
    static List<CommandLine> commands(CommandLine root) {
        Set<CommandLine> out = new LinkedHashSet<>();
        collect(root, out);
        return List.copyOf(out);
    }

    private static void collect(CommandLine command, Set<CommandLine> out) {
        out.add(command);
        new LinkedHashSet<>(command.getSubcommands().values()).forEach(sub -> collect(sub, out));
    }

    String render() {
        CommandSpec spec = command.getCommandSpec();
        String name = pageName(command);
        StringBuilder roff = new StringBuilder();
        roff.append(".TH ").append(quoted(name.toUpperCase(Locale.ROOT))).append(" 1 \"\" ")
                .append(quoted(version)).append(" \"pgsubset manual\"\n");
        roff.append(".SH NAME\n").append(escape(name)).append(" \\- ").append(escape(summary(spec))).append('\n');
        roff.append(".SH SYNOPSIS\n").append(synopsis());
        roff.append(".SH DESCRIPTION\n").append(paragraphs(spec.usageMessage().description()));
        List<PositionalParamSpec> arguments = spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
        if (!arguments.isEmpty()) {
            roff.append(".SH ARGUMENTS\n");
            arguments.forEach(p -> item(roff, "\\fI" + escape(p.paramLabel()) + "\\fR", p.description()));
        }
        roff.append(".SH OPTIONS\n");
        spec.options().stream().filter(o -> !o.hidden()).forEach(o -> item(roff, optionTag(o), o.description()));
        List<CommandLine> subcommands = List.copyOf(new LinkedHashSet<>(command.getSubcommands().values()));
        if (!subcommands.isEmpty()) {
            roff.append(".SH COMMANDS\n");
            for (CommandLine sub : subcommands) {
                String[] description = sub.getCommandSpec().usageMessage().description();
                item(roff, "\\fB" + escape(sub.getCommandName()) + "\\fR",
                        description.length == 0 ? new String[0] : new String[] {description[0]});
                roff.append(".RS\nSee \\fB").append(escape(pageName(sub))).append("\\fR(1).\n.RE\n");
            }
        }
        if (spec.parent() == null) {
            roff.append(exitStatus(spec.usageMessage())).append(ROOT_SECTIONS);
        }
        roff.append(".SH SEE ALSO\n").append(seeAlso());
        return roff.toString();
    }

    /** The first sentence of the description: what whatis(1) and apropos(1) show. */
    private static String summary(CommandSpec spec) {
        String[] description = spec.usageMessage().description();
        String first = description.length == 0 ? spec.name() : format(description[0]);
        int end = first.indexOf(". ");
        String sentence = end < 0 ? first : first.substring(0, end + 1);
        return sentence.endsWith(".") ? sentence.substring(0, sentence.length() - 1) : sentence;
    }

    private String synopsis() {
        // one line, so that picocli's wrapping (which may break a label such as PLAN.yaml) never applies
        command.getCommandSpec().usageMessage().width(Integer.MAX_VALUE / 2);
        String usage = command.getHelp().synopsis(0).replace('\u00A0', ' ').strip().replaceAll("\\s+", " ");
        String qualified = command.getCommandSpec().qualifiedName();
        String rest = usage.startsWith(qualified) ? usage.substring(qualified.length()).strip() : usage;
        return ".B " + escape(qualified) + "\n" + escape(rest) + "\n";
    }

    private static String optionTag(OptionSpec option) {
        String names = List.of(option.names()).stream().map(n -> "\\fB" + escape(n) + "\\fR")
                .collect(Collectors.joining(", "));
        return option.arity().max() == 0 ? names : names + " \\fI" + escape(option.paramLabel()) + "\\fR";
    }

    private static void item(StringBuilder roff, String tag, String[] description) {
        roff.append(".TP\n").append(tag).append('\n');
        List<String> lines = new ArrayList<>();
        for (String line : description) {
            lines.add(escape(format(line)));
        }
        roff.append(String.join("\n.br\n", lines)).append('\n');
    }

    private static String paragraphs(String[] lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(escape(format(line)));
        }
        return String.join("\n.PP\n", out) + "\n";
    }

    private static String exitStatus(UsageMessageSpec usage) {
        StringBuilder roff = new StringBuilder(".SH EXIT STATUS\n");
        usage.exitCodeList().forEach((code, meaning) -> item(roff, "\\fB" + escape(code.strip()) + "\\fR",
                new String[] {meaning}));
        return roff.toString();
    }

    private String seeAlso() {
        List<String> pages = new ArrayList<>();
        CommandLine parent = command.getParent();
        if (parent != null) {
            pages.add(pageName(parent));
        }
        new LinkedHashSet<>(command.getSubcommands().values()).forEach(sub -> pages.add(pageName(sub)));
        pages.add("pg_dump");
        pages.add("psql");
        return pages.stream().map(p -> "\\fB" + escape(p) + "\\fR(1)").collect(Collectors.joining(",\n")) + "\n";
    }

    /** picocli's description strings are format strings: %n is a line break, %% a percent sign. */
    private static String format(String text) {
        return text.replace("%n", " ").replace("%%", "%");
    }

    /**
     * Text as roff prints it literally: backslashes escaped, minus signs as \- (so that options
     * can be searched and copied), and no line starting with a control character.
     */
    static String escape(String text) {
        String s = text.replace("\\", "\\e").replace("-", "\\-");
        return s.startsWith(".") || s.startsWith("'") ? "\\&" + s : s;
    }

    private static String quoted(String text) {
        return "\"" + escape(text).replace("\"", "\\(dq") + "\"";
    }

    /** The launcher's part of pgsubset(1): what it reads and writes around the JVM. */
    private static final String ROOT_SECTIONS = """
            .SH ENVIRONMENT
            .TP
            \\fBPGHOST\\fR, \\fBPGPORT\\fR, \\fBPGUSER\\fR, \\fBPGDATABASE\\fR, \\fBPGPASSWORD\\fR, \\fBPGSERVICE\\fR, ...
            Connection settings, read as \\fBpsql\\fR(1) and \\fBpg_dump\\fR(1) read them.
            .TP
            \\fBPGSUBSET_JAVA\\fR
            The \\fBjava\\fR program to run. Without it, the newest JDK (17 or later) among
            \\fBJAVA_HOME\\fR, the \\fBjava\\fR on \\fBPATH\\fR and /usr/lib/jvm.
            .TP
            \\fBPGSUBSET_JAVA_OPTS\\fR
            More JVM options, separated by spaces (e.g. \\-Xmx2g).
            .TP
            \\fBPGSUBSET_CDS\\fR
            \\fBoff\\fR: neither use nor write the class cache.
            .TP
            \\fBXDG_CACHE_HOME\\fR
            Where the class cache and the programs' versions go (default: ~/.cache).
            .SH FILES
            .TP
            \\fI$XDG_CACHE_HOME/pgsubset/\\fR
            The class cache: the first successful \\fBdump\\fR with a jar and a JVM writes the classes it
            loaded (an ahead\\-of\\-time cache on JDK 25 and later, a class\\-data\\-sharing archive before),
            which later commands map instead of loading them again; and \\fIprograms.tsv\\fR, what
            pg_dump and pg_restore answered to \\-\\-version, per file (asked again when the file changes).
            Both may be deleted at any time.
            """;
}
