package io.pgsubset.cli;

import io.pgsubset.catalog.ExtensionTables;
import io.pgsubset.catalog.QualifiedName;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tables of extensions that {@code plan explain} and {@code sizes} list: which an extension owns
 * (no rows in a dump) and which are its configuration tables (the rows its filter selects).
 */
final class ExtensionNotes {
    private final Map<QualifiedName, ExtensionTables.Member> members = new LinkedHashMap<>();

    ExtensionNotes(List<ExtensionTables.Member> members) {
        members.forEach(m -> this.members.put(m.table(), m));
    }

    /** A block after the table, one line per extension table among {@code listed}; nothing when none. */
    void printText(PrintWriter out, List<QualifiedName> listed) {
        List<ExtensionTables.Member> shown = listed.stream().map(members::get).filter(java.util.Objects::nonNull)
                .toList();
        if (shown.isEmpty()) {
            return;
        }
        out.println();
        out.println("tables of extensions:");
        int width = shown.stream().mapToInt(m -> m.table().display().length()).max().orElse(0);
        for (ExtensionTables.Member m : shown) {
            String name = m.table().display();
            out.println("  " + name + " ".repeat(width - name.length() + 2) + m.describe());
        }
        out.flush();
    }

    /** Adds {@code "extension": {...}} to a table's JSON object when the table belongs to one. */
    void putJson(Map<String, Object> table, QualifiedName name) {
        ExtensionTables.Member m = members.get(name);
        if (m == null) {
            return;
        }
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", m.extension());
        e.put("configuration_table", m.config());
        e.put("filter", m.filter().orElse(null));
        e.put("filter_rows", m.rows().map(ExtensionTables.Rows::user).orElse(null));
        e.put("all_rows", m.rows().map(ExtensionTables.Rows::total).orElse(null));
        e.put("note", m.describe());
        table.put("extension", e);
    }
}
