package io.pgsubset.restore;

import io.pgsubset.manifest.Manifest;
import io.pgsubset.sql.Ident;
import io.pgsubset.testing.TestDatabase;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test helpers around whole databases: reach one by name, compare two, copy a dump. */
final class TestTargets {
    private TestTargets() {
    }

    static void drop(TestDatabase any, String name) throws SQLException {
        try (Connection c = any.cluster().connect("postgres"); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + Ident.quote(name) + " WITH (FORCE)");
        }
    }

    /** Every table of the manifest has the same rows, compared as whole-row text, in both databases. */
    static void assertSameRows(TestDatabase source, TestDatabase target, Manifest manifest) {
        for (Manifest.TableEntry t : manifest.tables()) {
            String sql = "SELECT t::text FROM " + Ident.quote(t.schema()) + "." + Ident.quote(t.name())
                    + " t ORDER BY 1";
            List<List<String>> expected = source.query(sql);
            assertEquals(t.rows(), expected.size(), "source rows of " + t.name());
            assertEquals(expected, target.query(sql), "rows of " + t.schema() + "." + t.name());
        }
    }

    static Path copyDump(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return to;
    }

    /** The major version of the psql on PATH. */
    static int psqlMajor() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("psql", "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(PostgreSQL\\) (\\d+)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("psql --version said: " + out);
        }
        return Integer.parseInt(m.group(1));
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
