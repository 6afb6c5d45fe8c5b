package io.pgsubset.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgsubset.database.DatabaseProperties;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * manifest.json's text, written field by field in the layout of Jackson's default pretty printer
 * (which reads it back, and wrote it before): Jackson's first serialization of the manifest's
 * records (introspection, serializers, reflection) took 35-50 ms at the end of every dump, about a
 * tenth of a small dump's own work. A test holds the bytes equal to Jackson's for every field, so a
 * field added to a record and not here fails there.
 */
final class ManifestJson {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final StringBuilder out = new StringBuilder(8192);
    private int depth;
    /** Whether the current object or array has no member yet. */
    private boolean first;

    private ManifestJson() {
    }

    static byte[] bytes(Manifest m) {
        ManifestJson w = new ManifestJson();
        w.manifest(m);
        return w.out.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String text(JsonNode node) {
        ManifestJson w = new ManifestJson();
        w.node(node);
        return w.out.toString();
    }

    private void manifest(Manifest m) {
        object(() -> {
            field("format_version").number(m.formatVersion());
            field("tool_version").string(m.toolVersion());
            field("source");
            source(m.source());
            field("snapshot_time").string(m.snapshotTime());
            field("compressed").bool(m.compressed());
            field("keep_owners").bool(m.keepOwners());
            field("plan").node(m.plan());
            field("tables").array(m.tables(), this::table);
            field("sequences").array(m.sequences(), s -> object(() -> {
                field("schema").string(s.schema());
                field("name").string(s.name());
                field("last_value").number(s.lastValue());
                field("is_called").bool(s.isCalled());
            }));
            field("materialized_views").array(m.materializedViews(), v -> object(() -> {
                field("schema").string(v.schema());
                field("name").string(v.name());
                field("populated").bool(v.populated());
            }));
            field("large_objects").array(m.largeObjects(), this::largeObject);
            field("dangling_large_object_references").array(m.danglingLargeObjectReferences(), d -> object(() -> {
                field("schema").string(d.schema());
                field("table").string(d.table());
                field("column").string(d.column());
                field("rows").number(d.rows());
                field("objects").number(d.objects());
            }));
            field("phases").array(m.phases(), p -> object(() -> {
                field("name").string(p.name());
                field("seconds").number(p.seconds());
            }));
            field("database").optional(m.database(), this::database);
        });
    }

    private void source(Manifest.Source s) {
        if (s == null) {
            nullValue();
            return;
        }
        object(() -> {
            field("server_version").string(s.serverVersion());
            field("server_version_num").number(s.serverVersionNum());
            field("system_identifier").optional(s.systemIdentifier(), this::string);
            field("database").string(s.database());
        });
    }

    private void table(Manifest.TableEntry t) {
        object(() -> {
            field("schema").string(t.schema());
            field("name").string(t.name());
            field("mode").string(t.mode());
            field("columns").array(t.columns(), this::string);
            field("rows").number(t.rows());
            field("bytes").number(t.bytes());
            field("file").string(t.file());
            field("sha256").string(t.sha256());
            field("row_digest").string(t.rowDigest());
            field("transforms").stringMap(t.transforms());
            field("extension").optional(t.extension(), e -> object(() -> {
                field("name").string(e.name());
                field("filter").optional(e.filter(), this::string);
            }));
        });
    }

    private void largeObject(Manifest.LargeObjectEntry o) {
        object(() -> {
            field("oid").number(o.oid());
            field("file").string(o.file());
            field("bytes").number(o.bytes());
            field("sha256").string(o.sha256());
            field("owner").string(o.owner());
            field("grants").array(o.grants(), g -> object(() -> {
                field("grantee").string(g.grantee());
                field("privilege").string(g.privilege());
            }));
        });
    }

    private void database(DatabaseProperties d) {
        object(() -> {
            field("encoding").string(d.encoding());
            field("collate").string(d.collate());
            field("ctype").string(d.ctype());
            field("locale_provider").string(d.localeProvider());
            field("locale").optional(d.locale(), this::string);
            field("icu_rules").optional(d.icuRules(), this::string);
            field("settings").array(d.settings(), s -> object(() -> {
                field("role").optional(s.role(), this::string);
                field("name").string(s.name());
                field("value").string(s.value());
            }));
            field("comment").optional(d.comment(), this::string);
        });
    }

    // --- Jackson's DefaultPrettyPrinter: objects one member a line, indented by two; arrays inline

    private void object(Runnable members) {
        out.append('{');
        depth++;
        first = true;
        members.run();
        depth--;
        if (first) {
            out.append(' ');
        } else {
            newline();
        }
        out.append('}');
        first = false;
    }

    private ManifestJson field(String name) {
        if (!first) {
            out.append(',');
        }
        newline();
        quoted(name);
        out.append(" : ");
        first = true;
        return this;
    }

    private <T> void array(List<T> values, Consumer<T> element) {
        if (values == null) {
            nullValue();
            return;
        }
        out.append('[').append(' ');
        boolean firstElement = true;
        for (T v : values) {
            if (!firstElement) {
                out.append(", ");
            }
            firstElement = false;
            element.accept(v);
        }
        if (!firstElement) {
            out.append(' ');
        }
        out.append(']');
        first = false;
    }

    private void stringMap(Map<String, String> map) {
        if (map == null) {
            nullValue();
            return;
        }
        object(() -> map.forEach((k, v) -> field(k).string(v)));
    }

    private <T> void optional(Optional<T> value, Consumer<T> present) {
        if (value == null || value.isEmpty()) {
            nullValue();
        } else {
            present.accept(value.get());
        }
    }

    private void node(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            nullValue();
        } else if (n.isObject()) {
            object(() -> {
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    field(e.getKey()).node(e.getValue());
                }
            });
        } else if (n.isArray()) {
            List<JsonNode> elements = new java.util.ArrayList<>();
            n.elements().forEachRemaining(elements::add);
            array(elements, this::node);
        } else if (n.isTextual()) {
            string(n.textValue());
        } else if (n.isBoolean()) {
            bool(n.booleanValue());
        } else if (n.isDouble() || n.isFloat()) {
            number(n.doubleValue());
        } else if (n.isNumber()) {
            // ints, longs, big integers and decimals as Java writes them (BigDecimal: its toString)
            raw(n.numberValue().toString());
        } else {
            throw new IllegalArgumentException("no JSON for a " + n.getNodeType() + " node in the manifest");
        }
    }

    private void string(String s) {
        if (s == null) {
            nullValue();
            return;
        }
        quoted(s);
        first = false;
    }

    private void number(long n) {
        raw(Long.toString(n));
    }

    /** As Jackson writes a double: Double.toString, and the non-finite ones quoted. */
    private void number(double d) {
        raw(Double.isFinite(d) ? Double.toString(d) : "\"" + d + "\"");
    }

    private void bool(boolean b) {
        raw(b ? "true" : "false");
    }

    private void nullValue() {
        raw("null");
    }

    private void raw(String text) {
        out.append(text);
        first = false;
    }

    private void newline() {
        out.append('\n');
        for (int i = 0; i < depth; i++) {
            out.append("  ");
        }
    }

    /** A JSON string as Jackson escapes it: quote, backslash, the short escapes, other controls and surrogates as \\uXXXX. */
    private void quoted(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || Character.isSurrogate(c)) {
                        // Jackson writes a character outside the BMP as its two surrogates, escaped
                        out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF])
                                .append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
