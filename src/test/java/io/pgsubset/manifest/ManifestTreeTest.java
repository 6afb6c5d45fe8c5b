package io.pgsubset.manifest;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The plan's JSON tree built directly writes the same manifest text as Jackson's valueToTree. */
class ManifestTreeTest {
    @Test
    void theTreeWritesAsValueToTreeDoes() throws Exception {
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("schema", "Odd \"Schema\"");
        sample.put("table", "child\ntable ü");
        sample.put("mode", "sample");
        sample.put("percent", 12.5);
        sample.put("seed", 42L);
        sample.put("every", 3L);
        sample.put("big", Long.MAX_VALUE);
        sample.put("order_by", List.of("id", "created"));
        sample.put("limit", null);
        sample.put("where", "a > 1");
        sample.put("transforms", Map.of("email", "email", "phone", Map.of("digits", 8)));
        sample.put("declared", true);
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("schemas", List.of("public"));
        plan.put("max_rows", 1_000_000_000_000L);
        plan.put("tables", List.of(sample, Map.of()));
        plan.put("relations", Arrays.asList(null, List.of()));
        plan.put("other", new java.math.BigDecimal("1.50"));
        ObjectMapper mapper = ManifestIO.mapper();
        assertEquals(mapper.writeValueAsString(mapper.valueToTree(plan)), mapper.writeValueAsString(ManifestIO.tree(plan)));
    }
}
