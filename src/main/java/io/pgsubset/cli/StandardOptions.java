package io.pgsubset.cli;

import picocli.CommandLine.Option;

/**
 * Help, version and verbosity for every command. Help is {@code --help} (and pg_dump's
 * {@code -?}) because {@code -h} means host, as in every PostgreSQL tool.
 */
public final class StandardOptions {
    private final CliContext ctx;

    @Option(names = {"--help", "-?"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print the version and exit.")
    boolean version;

    public StandardOptions(CliContext ctx) {
        this.ctx = ctx;
    }

    @Option(names = "--verbose", description = "Log each step on stderr; show stack traces of failures.")
    void verbose(boolean on) {
        ctx.verbose(on);
    }
}
