package io.pgsubset.dump;

import io.pgsubset.format.DumpLayout;
import io.pgsubset.error.Messages;
import io.pgsubset.catalog.Sequence;
import io.pgsubset.error.PgsubsetException;
import io.pgsubset.files.OwnerOnly;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.sql.Ident;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of every sequence in the snapshot, and sequences.sql that restores it with setval(),
 * so rows inserted on the copy get fresh ids exactly as they would have on the source.
 */
final class SequenceDump {
    static final String FILE = DumpLayout.SEQUENCES;
    /** Sequences read per statement (a UNION ALL of one-row SELECTs: one round trip, bounded size). */
    private static final int CHUNK = 500;

    private SequenceDump() {
    }

    static List<Manifest.SequenceEntry> read(Connection conn, List<Sequence> sequences) {
        List<Manifest.SequenceEntry> out = new ArrayList<>();
        for (int from = 0; from < sequences.size(); from += CHUNK) {
            List<Sequence> chunk = sequences.subList(from, Math.min(sequences.size(), from + CHUNK));
            List<String> selects = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                selects.add("SELECT " + i + " AS i, last_value, is_called FROM " + chunk.get(i).name().sql());
            }
            String sql = String.join(" UNION ALL ", selects) + " ORDER BY 1";
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    Sequence s = chunk.get(rs.getInt(1));
                    out.add(new Manifest.SequenceEntry(s.name().schema(), s.name().name(), rs.getLong(2),
                            rs.getBoolean(3)));
                }
            } catch (SQLException e) {
                throw new PgsubsetException("could not read the sequences: " + Messages.firstLine(e)
                        + " (the dump role needs SELECT on every sequence of the dumped schemas)", e);
            }
        }
        return out;
    }

    static void write(Path dir, List<Manifest.SequenceEntry> sequences) {
        Path file = dir.resolve(FILE);
        try (Writer w = OwnerOnly.newWriter(file)) {
            w.write(sql(sequences));
        } catch (IOException e) {
            throw DumpErrors.io("could not write " + file, e);
        }
    }

    /** The setval() statements, one per line, as sequences.sql holds them. */
    static String sql(List<Manifest.SequenceEntry> sequences) {
        StringBuilder sb = new StringBuilder("-- pgsubset: every sequence as of the dump's snapshot\n");
        for (Manifest.SequenceEntry s : sequences) {
            String name = Ident.quote(s.schema(), s.name());
            sb.append("SELECT pg_catalog.setval(").append(Ident.literal(name)).append(", ").append(s.lastValue())
                    .append(", ").append(s.isCalled()).append(");\n");
        }
        return sb.toString();
    }
}
