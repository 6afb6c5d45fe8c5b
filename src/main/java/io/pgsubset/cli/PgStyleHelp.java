package io.pgsubset.cli;

import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.IHelpSectionRenderer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Usage help written as pg_dump users read it: {@code -d DBNAME}, not picocli's {@code -d=DBNAME}.
 * Only the help changes; the parser still takes {@code --dbname=NAME} as well as {@code -d NAME}.
 */
final class PgStyleHelp extends Help {
    private final IParamLabelRenderer spaced;

    private PgStyleHelp(CommandSpec spec, ColorScheme scheme) {
        super(spec, scheme);
        this.spaced = new Spaced(super.parameterLabelRenderer());
    }

    /**
     * A no-break space joins option and label while picocli wraps lines, so {@code [-U USER]}
     * never breaks in two; every help section turns it back into a plain space.
     */
    private static final char JOIN = '\u00A0';

    /** Installs this help on {@code cli} and all its subcommands. */
    static void install(CommandLine cli) {
        cli.setHelpFactory(PgStyleHelp::new);
        plainSpaces(cli);
    }

    private static void plainSpaces(CommandLine cli) {
        Map<String, IHelpSectionRenderer> sections = new LinkedHashMap<>(cli.getHelpSectionMap());
        sections.replaceAll((key, section) -> help -> section.render(help).replace(JOIN, ' '));
        cli.setHelpSectionMap(sections);
        cli.getSubcommands().values().forEach(PgStyleHelp::plainSpaces);
    }

    @Override
    public IParamLabelRenderer parameterLabelRenderer() {
        return spaced;
    }

    private record Spaced(IParamLabelRenderer picocli) implements IParamLabelRenderer {
        @Override
        public Ansi.Text renderParameterLabel(ArgSpec arg, Ansi ansi, List<Ansi.IStyle> styles) {
            Ansi.Text label = picocli.renderParameterLabel(arg, ansi, styles);
            String sep = picocli.separator();
            String plain = label.plainString();
            return plain.startsWith(sep) && !plain.isEmpty() ? ansi.new Text(String.valueOf(JOIN)).concat(label.substring(sep.length()))
                    : label;
        }

        @Override
        public String separator() {
            return " ";
        }
    }
}
