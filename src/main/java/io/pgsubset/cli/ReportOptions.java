package io.pgsubset.cli;

import picocli.CommandLine.Option;

/** {@code -q/--quiet} and {@code --format} of the commands that report on a dump directory (restore, verify). */
final class ReportOptions {
    @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
    boolean quiet;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text (default) or json.")
    OutputFormat format = OutputFormat.text;

    boolean json() {
        return format == OutputFormat.json;
    }
}
