package io.pgsubset.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config-examples/plan.schema.json: what YAML language servers use to complete and validate plans. */
class PlanSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXAMPLES = PlanFixtures.repo("config-examples");

    private static JsonSchema schema() throws IOException {
        try (InputStream in = Files.newInputStream(EXAMPLES.resolve("plan.schema.json"))) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
        }
    }

    private static JsonNode yaml(String text) {
        return JSON.valueToTree(new Yaml().load(text));
    }

    private static List<Path> exampleFiles() throws IOException {
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            return s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    @Test
    void everyExamplePlanValidatesAgainstTheSchemaAndLoads() throws IOException {
        JsonSchema schema = schema();
        List<Path> files = exampleFiles();
        assertTrue(files.size() >= 3, "demo, chinook and reference plans: " + files);
        for (Path file : files) {
            String text = Files.readString(file);
            Set<ValidationMessage> errors = schema.validate(yaml(text));
            assertEquals(Set.of(), errors, file.toString());
            PlanLoader.parse(file.toString(), text);
        }
    }

    @Test
    void referencePlanUsesEveryKeyTheLoaderKnows() throws IOException {
        String text = Files.readString(EXAMPLES.resolve("reference-plan.yaml"));
        for (String key : Stream.of(PlanLoader.TOP_KEYS, PlanLoader.SAMPLE_KEYS, PlanLoader.FOLLOW_KEYS,
                PlanLoader.RELATION_KEYS, PlanLoader.BUILTIN_KEYS).flatMap(List::stream).toList()) {
            assertTrue(text.contains(key + ":"), "reference plan shows " + key);
        }
        for (String builtin : PlanLoader.BUILTIN_NAMES) {
            assertTrue(text.contains(builtin), "reference plan names the built-in " + builtin);
        }
    }

    @Test
    void schemaRejectsWhatTheLoaderRejects() throws IOException {
        JsonSchema schema = schema();
        List<String> broken = List.of(
                "sample: {t: {every: 1}}",
                "version: 2",
                "version: 1\nsampel: {t: {every: 1}}",
                "version: 1\nsample: {t: {evry: 10}}",
                "version: 1\nsample: {t: {every: 0}}",
                "version: 1\nsample: {t: {every: 10, percent: 5}}",
                "version: 1\nsample: {t: {percent: 150}}",
                "version: 1\nsample: {t: {percent: 0}}",
                "version: 1\nsample: {t: {every: 10, seed: 1}}",
                "version: 1\nsample: [t]",
                "version: 1\nunlisted: folow",
                "version: 1\non_skipped_parent: ignore",
                "version: 1\nmax_rows: -5",
                "version: 1\nrelations: [{child: a(x)}]",
                "version: 1\nrelations: [{child: a, parent: b(y)}]",
                "version: 1\ntransform: {t: {c: {digits: 0}}}",
                "version: 1\ntransform: {t: {c: {constnt: x}}}");
        for (String text : broken) {
            assertFalse(schema.validate(yaml(text)).isEmpty(), "schema rejects:\n" + text);
            assertTrue(rejectedByLoader(text), "loader rejects:\n" + text);
        }
    }

    private static boolean rejectedByLoader(String text) {
        try {
            PlanLoader.parse("plan.yaml", text);
            return false;
        } catch (PlanException e) {
            return true;
        }
    }
}
