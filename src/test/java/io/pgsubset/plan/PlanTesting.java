package io.pgsubset.plan;

import io.pgsubset.testing.Cli;
import io.pgsubset.testing.TestDatabase;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes plan text to a temporary file and runs plan commands on it. */
final class PlanTesting {
    private PlanTesting() {
    }

    static Path write(String yaml) {
        try {
            Path dir = Files.createTempDirectory("pgsubset-plan");
            Path file = dir.resolve("plan.yaml");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Cli.Result check(TestDatabase db, String yaml) {
        return Cli.against(db, "plan check", "--plan", write(yaml).toString());
    }
}
