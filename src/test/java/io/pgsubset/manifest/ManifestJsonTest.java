package io.pgsubset.manifest;

import io.pgsubset.database.DatabaseProperties;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** manifest.json written without Jackson is byte for byte what Jackson writes, and reads back the same. */
class ManifestJsonTest {
    private static final String NASTY = "q\"uote b\\ack n\nl t\tab r\rf\fb\bc\u0001\u001f del\u007f ü € 😀 /slash";

    @Test
    void everyFieldIsWrittenAsJacksonWritesIt() throws Exception {
        assertSameAsJackson(rich());
    }

    @Test
    void aPlanTreeIsWrittenAsJacksonWritesIt() throws Exception {
        com.fasterxml.jackson.databind.JsonNode plan = rich().plan();
        // as bytes: Jackson's UTF-8 writer escapes a character beyond the BMP (its String writer does not)
        assertEquals(new String(ManifestIO.mapper().writeValueAsBytes(plan), StandardCharsets.UTF_8),
                ManifestIO.text(plan));
    }

    @Test
    void emptyListsAbsentOptionalsAndNullsAreWrittenAsJacksonWritesThem() throws Exception {
        Manifest m = new Manifest(Manifest.FORMAT_VERSION, "pgsubset 1", new Manifest.Source("12.1", 120001,
                Optional.empty(), "db"), "2026-12-02T00:00:00Z", false, false, ManifestIO.tree(Map.of()), List.of(),
                List.of(), List.of(), List.of(), List.of(), List.of(), Optional.empty());
        assertSameAsJackson(m);
        Manifest nulls = new Manifest(1, null, null, null, false, false, null, List.of(), List.of(), null, null,
                null, null, null);
        // (read back, the null plan is a JSON null node: only the text is compared)
        assertEquals(jackson(nulls), new String(ManifestIO.bytes(nulls), StandardCharsets.UTF_8));
    }

    private static void assertSameAsJackson(Manifest m) throws Exception {
        String ours = new String(ManifestIO.bytes(m), StandardCharsets.UTF_8);
        assertEquals(jackson(m), ours);
        // read back (the plan's numbers come back as the parser types them, so it is left out here)
        Manifest read = ManifestIO.mapper().readValue(ManifestIO.bytes(m), Manifest.class);
        assertEquals(List.of(m.source(), m.tables(), m.sequences(), m.materializedViews(), m.largeObjects(),
                m.danglingLargeObjectReferences(), m.phases(), m.database()), List.of(read.source(), read.tables(),
                read.sequences(), read.materializedViews(), read.largeObjects(), read.danglingLargeObjectReferences(),
                read.phases(), read.database()));
    }

    private static String jackson(Manifest m) throws Exception {
        return new String(ManifestIO.mapper().writeValueAsBytes(m), StandardCharsets.UTF_8);
    }

    private static Manifest rich() {
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("schema", NASTY);
        table.put("percent", 12.5);
        table.put("tiny", 1.0E-7);
        table.put("whole", 3.0);
        table.put("seed", 42L);
        table.put("big", Long.MIN_VALUE);
        table.put("decimal", new java.math.BigDecimal("1.50"));
        table.put("limit", null);
        table.put("declared", true);
        table.put("order_by", List.of("id", NASTY));
        table.put("nested", List.of(List.of(), Map.of(), List.of(Map.of("a", List.of(1, 2)))));
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("schemas", List.of("public", "Odd"));
        plan.put("tables", List.of(table, Map.of()));
        Map<String, String> transforms = new LinkedHashMap<>();
        transforms.put("email", "email");
        transforms.put(NASTY, "hash");
        Manifest.TableEntry plain = new Manifest.TableEntry("public", "t", "full", List.of("id", NASTY), 3, 40,
                "data/public.t.csv", "ab" + "0".repeat(62), "e324b00353f9f310cda6b4ec41bf457f", Map.of());
        Manifest.TableEntry extension = new Manifest.TableEntry(NASTY, "cfg", "sample", List.of(), 0, 0,
                "data/x.csv.gz", "cd", "00", transforms, Optional.of(new Manifest.ExtensionTable("postgis",
                Optional.of("NOT (srid BETWEEN 2000 AND 2180)"))));
        Manifest.TableEntry noFilter = new Manifest.TableEntry("s", "c2", "follow", List.of("a"), Long.MAX_VALUE, 1,
                "f", "s", "d", Map.of(), Optional.of(new Manifest.ExtensionTable("ext", Optional.empty())));
        DatabaseProperties db = new DatabaseProperties("UTF8", "de_DE.UTF-8", "C", DatabaseProperties.ICU,
                Optional.of("und-x-icu"), Optional.of("&a < b"), List.of(
                new DatabaseProperties.Setting(Optional.empty(), "search_path", "\"$user\", public"),
                new DatabaseProperties.Setting(Optional.of("app"), "work_mem", "64MB")), Optional.of(NASTY));
        return new Manifest(Manifest.FORMAT_VERSION, "pgsubset 0.1.0 (commit abc)",
                new Manifest.Source("15.18 (Debian)", 150018, Optional.of("7714418560256712448"), NASTY),
                "2026-12-02T05:49:42.179739Z", true, true, ManifestIO.tree(plan), List.of(plain, extension, noFilter),
                List.of(new Manifest.SequenceEntry("public", "s_seq", -9, true),
                        new Manifest.SequenceEntry(NASTY, "t", 1, false)),
                List.of(new Manifest.MaterializedViewEntry("public", "mv", true),
                        new Manifest.MaterializedViewEntry("public", NASTY, false)),
                List.of(new Manifest.LargeObjectEntry(16385, "blobs/16385", 10, "ef", "alice",
                                List.of(new Manifest.Grant("PUBLIC", "SELECT"), new Manifest.Grant(NASTY, "UPDATE"))),
                        new Manifest.LargeObjectEntry(4294967295L, "blobs/4294967295", 0, "00", "bob", List.of())),
                List.of(new Manifest.DanglingReference("public", "doc", "blob", 2, 1)),
                List.of(new Manifest.Phase("connect", 0.137), new Manifest.Phase(NASTY, 1.0E-4),
                        new Manifest.Phase("total", 12.0)),
                Optional.of(db));
    }
}
