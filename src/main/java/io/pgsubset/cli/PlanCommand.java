package io.pgsubset.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code pgsubset plan}: the parent of init, check and explain. */
@Command(name = "plan", sortOptions = false,
        description = {"Write, check and explain plan files (which tables to copy in full, sample, follow or skip).",
                "See README.md \"The plan file\"; config-examples/plan.schema.json gives editors completion."},
        subcommands = {PlanInitCommand.class, PlanCheckCommand.class, PlanExplainCommand.class})
final class PlanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    StandardOptions standard;

    PlanCommand(CliContext ctx) {
        this.standard = new StandardOptions(ctx);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}
