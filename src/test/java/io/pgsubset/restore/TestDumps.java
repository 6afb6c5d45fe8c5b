package io.pgsubset.restore;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.pgsubset.manifest.Manifest;
import io.pgsubset.manifest.ManifestIO;
import io.pgsubset.manifest.RowDigest;
import io.pgsubset.sql.Ident;
import io.pgsubset.sql.Session;
import io.pgsubset.testing.TestDatabase;
import org.postgresql.PGConnection;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/**
 * A minimal full dump of a test database in pgsubset's directory layout (pg_dump sections, CSV
 * with header per table, sequences, manifest, restore.sh), for restore tests that must not depend
 * on the dump command.
 */
final class TestDumps {
    private static final String TABLES = """
            SELECT n.nspname, c.relname, c.relkind,
                   (SELECT array_agg(a.attname ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
                     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '')
              FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
               AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
             ORDER BY 1, 2""";

    private TestDumps() {
    }

    static Manifest dump(TestDatabase db, Path dir, boolean gzip) throws Exception {
        Files.createDirectories(dir.resolve("schema"));
        Files.createDirectories(dir.resolve("data"));
        pgDump(db, "pre-data", dir.resolve("schema/pre-data.sql"));
        pgDump(db, "post-data", dir.resolve("schema/post-data.sql"));
        List<Manifest.TableEntry> tables = new ArrayList<>();
        List<Manifest.SequenceEntry> sequences = new ArrayList<>();
        String sysid;
        try (Connection c = db.connect()) {
            Session.configure(c);
            try (var st = c.createStatement(); var rs = st.executeQuery(TargetSql.SYSTEM_IDENTIFIER)) {
                rs.next();
                sysid = rs.getString(1);
            }
            List<Object[]> rels = new ArrayList<>();
            try (var st = c.createStatement(); var rs = st.executeQuery(TABLES)) {
                while (rs.next()) {
                    rels.add(new Object[] {rs.getString(1), rs.getString(2), rs.getArray(4).getArray(),
                            rs.getString(3).equals("r")});
                }
            }
            for (Object[] r : rels) {
                tables.add(copy(c, dir, (String) r[0], (String) r[1], Arrays.asList((String[]) r[2]), (Boolean) r[3],
                        gzip));
            }
            StringBuilder seqSql = new StringBuilder();
            try (var st = c.createStatement(); var rs = st.executeQuery(
                    "SELECT schemaname, sequencename, coalesce(last_value, start_value), last_value IS NOT NULL"
                            + " FROM pg_catalog.pg_sequences ORDER BY 1, 2")) {
                while (rs.next()) {
                    sequences.add(new Manifest.SequenceEntry(rs.getString(1), rs.getString(2), rs.getLong(3),
                            rs.getBoolean(4)));
                    seqSql.append("SELECT pg_catalog.setval(").append(Ident.literal(Ident.quote(rs.getString(1)) + "."
                            + Ident.quote(rs.getString(2)))).append(", ").append(rs.getLong(3)).append(", ")
                            .append(rs.getBoolean(4)).append(");\n");
                }
            }
            Files.writeString(dir.resolve("sequences.sql"), seqSql.toString());
        }
        Files.writeString(dir.resolve("plan.yaml"), "version: 1\n");
        Manifest m = new Manifest(Manifest.FORMAT_VERSION, "test", new Manifest.Source("15", 150000,
                Optional.of(sysid), db.name()), "2026-01-01T00:00:00Z", gzip, false,
                JsonNodeFactory.instance.objectNode(), tables, sequences);
        RestoreScript.write(dir, m);
        ManifestIO.write(dir, m);
        return m;
    }

    private static Manifest.TableEntry copy(Connection c, Path dir, String schema, String name, List<String> columns,
                                            boolean only, boolean gzip) throws Exception {
        String file = "data/" + (schema + "." + name).replaceAll("[/\\\\\\x00-\\x1f]", "_") + ".csv"
                + (gzip ? ".gz" : "");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        RowDigest digest = new RowDigest(true);
        long rows;
        try (OutputStream fileOut = new DigestOutputStream(Files.newOutputStream(dir.resolve(file)), sha);
             OutputStream data = gzip ? new GZIPOutputStream(fileOut) : fileOut;
             OutputStream tee = new Tee(data, digest)) {
            rows = c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT " + Ident.list(columns)
                    + (only ? " FROM ONLY " : " FROM ") + Ident.quote(schema) + "." + Ident.quote(name)
                    + ") TO STDOUT (FORMAT csv, HEADER)", tee);
        }
        return new Manifest.TableEntry(schema, name, "full", columns, rows, Files.size(dir.resolve(file)), file,
                HexFormat.of().formatHex(sha.digest()), digest.digest(), Map.of());
    }

    private static void pgDump(TestDatabase db, String section, Path out) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("pg_dump", "--schema-only", "--no-owner", "--no-privileges",
                "--section=" + section, "-f", out.toString());
        pb.environment().putAll(db.libpqEnv());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("pg_dump failed: " + output);
        }
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void close() throws IOException {
            a.close();
        }
    }

    /** Runs restore.sh of {@code dir} with {@code args}, the libpq environment of {@code env}. */
    static ProcessResult runScript(Path dir, Map<String, String> env, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("bash", dir.resolve(RestoreScript.FILE_NAME).toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile("restore-out", ".txt");
        Path err = Files.createTempFile("restore-err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        int code = pb.start().waitFor();
        ProcessResult r = new ProcessResult(code, Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    record ProcessResult(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }
}
