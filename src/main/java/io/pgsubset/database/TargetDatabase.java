package io.pgsubset.database;

import io.pgsubset.error.Messages;
import io.pgsubset.error.UsageException;
import io.pgsubset.sql.Ident;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Makes a restore target like the source database: created with its encoding and locale from
 * template0 (restore --create and --replace, and clone), then, once the data is in, its settings
 * and comment. The one place that creates databases, so every path refuses and reports alike.
 */
public final class TargetDatabase {
    /** What creating and adjusting the database reports. */
    public interface Listener {
        void step(String what);

        /** Something the user should know although the restore goes on (printed even with --quiet). */
        void warning(String what);
    }

    /**
     * CREATE DATABASE errors that mean "this server cannot make the database with that encoding or
     * locale": invalid locale name (42809), encoding and locale do not match (22023), a provider
     * this build lacks (0A000). They refuse the restore (exit 2); nothing was created.
     */
    private static final Set<String> LOCALE_ERRORS = Set.of("42809", "22023", "0A000");

    private TargetDatabase() {
    }

    /**
     * Creates {@code db} on the maintenance connection {@code admin} like {@code like} (or as
     * {@code choice} says), owned by {@code owner}, which is created (LOGIN, as createuser makes it)
     * when missing. The database comes first: a locale the target lacks refuses before anything
     * exists, and a failure after it drops the database again.
     */
    public static void create(Connection admin, String db, Optional<String> owner, Optional<DatabaseProperties> like,
                              LocaleChoice choice, Listener listener) throws SQLException {
        if (exists(admin, db)) {
            throw new UsageException("database \"" + db + "\" already exists: leave out --create to restore into it "
                    + "(with --clean if it is not empty)");
        }
        String sql = DatabaseSql.create(Ident.quote(db), like, choice, queryInt(admin, VERSION_NUM));
        try (Statement st = admin.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            if (LOCALE_ERRORS.contains(e.getSQLState())) {
                throw localeRefused(db, like, choice, e);
            }
            throw e;
        }
        listener.step("created database " + db + like.map(p -> " (" + describe(p, choice) + ")").orElse(""));
        warnAboutChoice(like, choice, listener);
        if (owner.isPresent()) {
            try {
                own(admin, db, owner.get(), listener);
            } catch (SQLException | RuntimeException e) {
                try (Statement st = admin.createStatement()) {
                    st.execute("DROP DATABASE IF EXISTS " + Ident.quote(db));
                }
                throw e;
            }
        }
    }

    private static void own(Connection admin, String db, String owner, Listener listener) throws SQLException {
        try (Statement st = admin.createStatement()) {
            if (!roleExists(admin, owner)) {
                st.execute("CREATE ROLE " + Ident.quote(owner) + " LOGIN");
                listener.step("created role " + owner);
            }
            st.execute("ALTER DATABASE " + Ident.quote(db) + " OWNER TO " + Ident.quote(owner));
        }
    }

    private static String describe(DatabaseProperties p, LocaleChoice choice) {
        if (choice.isSource()) {
            return "as the source: " + p.describeLocale();
        }
        return "encoding " + choice.encoding().orElse(p.encoding()) + ", locale "
                + choice.locale().orElse(p.collation()) + ", as chosen";
    }

    private static UsageException localeRefused(String db, Optional<DatabaseProperties> like, LocaleChoice choice,
                                                SQLException e) {
        String what = choice.isSource() ? "the source's " + like.map(DatabaseProperties::describeLocale)
                .orElse("encoding and locale") : choice.flags();
        String server = Messages.firstLine(e).replaceFirst("^ERROR: ", "");
        return new UsageException("cannot create database \"" + db + "\" with " + what + ": " + server
                + "; nothing was created. Install that locale on the target server, or choose one it has with "
                + "--locale (sort order then differs from the source's) and, if needed, --encoding", e);
    }

    /** A chosen locale or encoding is the user's call, but what it changes must be said. */
    private static void warnAboutChoice(Optional<DatabaseProperties> like, LocaleChoice choice, Listener listener) {
        if (like.isEmpty()) {
            return;
        }
        DatabaseProperties p = like.get();
        choice.locale().filter(l -> !l.equals(p.collation()) || !DatabaseProperties.LIBC.equals(p.localeProvider()))
                .ifPresent(l -> listener.warning("--locale " + l + ": text sorts and compares by " + l + ", not by the "
                        + "source's " + p.collation() + "; ORDER BY, indexes on text and unique checks may behave "
                        + "otherwise than in the source"));
        choice.encoding().filter(e -> !e.equalsIgnoreCase(p.encoding()))
                .ifPresent(e -> listener.warning("--encoding " + e + ": the source's encoding is " + p.encoding()
                        + "; a character " + e + " cannot represent fails the load"));
    }

    /**
     * After the data is in: the source's settings and comment on the database {@code conn} is
     * connected to (applied last, so a setting such as default_transaction_read_only cannot get in
     * the restore's way). One that cannot be applied (a role missing on the target, a superuser-only
     * setting) is a warning naming it; the rest still apply.
     */
    public static void applySettings(Connection conn, DatabaseProperties like, Listener listener)
            throws SQLException {
        String db;
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_catalog.current_database()")) {
            rs.next();
            db = Ident.quote(rs.getString(1));
        }
        int applied = 0;
        for (DatabaseSql.Alter alter : DatabaseSql.alterStatements(db, like)) {
            if (alter.role().isPresent() && !roleExists(conn, alter.role().get())) {
                listener.warning("not applied: " + alter.what() + " (the role does not exist on the target)");
                continue;
            }
            try (Statement st = conn.createStatement()) {
                st.execute(alter.sql());
                applied++;
            } catch (SQLException e) {
                listener.warning("not applied: " + alter.what() + ": " + Messages.firstLine(e));
            }
        }
        if (applied > 0) {
            listener.step("applied the source database's settings and comment (" + applied + " statements)");
        }
    }

    /**
     * Where the database {@code conn} is connected to differs from the source in encoding or
     * locale, one line each ({@code LC_COLLATE is C, the source's de_DE.UTF-8}).
     */
    public static List<String> localeDifferences(Connection conn, DatabaseProperties like) {
        return DatabaseComparison.compare(DatabaseProperties.read(conn), like).stream()
                .filter(i -> i.locale() && !i.same())
                .map(i -> i.object() + " is " + i.detail())
                .toList();
    }

    /**
     * An existing target keeps its encoding and locale: one warning for each way they are not the
     * source's (restore and clone into a database they did not create).
     */
    public static void warnLocaleDifferences(Connection conn, DatabaseProperties like, Listener listener) {
        localeDifferences(conn, like).forEach(d -> listener.warning("the target database's " + d + ": text may "
                + "sort, compare or convert otherwise than in the source (--create or --replace make a database "
                + "like the source's)"));
    }

    private static final String VERSION_NUM = "SELECT pg_catalog.current_setting('server_version_num')::int";

    private static int queryInt(Connection conn, String sql) throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    public static boolean exists(Connection admin, String db) throws SQLException {
        return anyRow(admin, "SELECT 1 FROM pg_catalog.pg_database WHERE datname = ?", db);
    }

    static boolean roleExists(Connection conn, String role) throws SQLException {
        return anyRow(conn, "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ?", role);
    }

    private static boolean anyRow(Connection conn, String sql, String name) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
