package io.pgsubset.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A database of the test cluster, with helpers to run SQL and to build pgsubset command lines. */
public final class TestDatabase {
    private final PgCluster cluster;
    private final String name;

    private TestDatabase(PgCluster cluster, String name) {
        this.cluster = cluster;
        this.name = name;
    }

    public static TestDatabase create(PgCluster cluster, String name) {
        try (Connection c = cluster.connect("postgres"); Statement st = c.createStatement()) {
            // WITH (FORCE) exists from PostgreSQL 13; older source servers are fresh clusters anyway
            String force = c.getMetaData().getDatabaseMajorVersion() >= 13 ? " WITH (FORCE)" : "";
            st.execute("DROP DATABASE IF EXISTS \"" + name + "\"" + force);
            st.execute("CREATE DATABASE \"" + name + "\" TEMPLATE template0 ENCODING 'UTF8'");
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database " + name + ": " + e.getMessage(), e);
        }
        return new TestDatabase(cluster, name);
    }

    /** Another fresh database on the same cluster (a restore target, say). */
    public TestDatabase sibling(String suffix) {
        return create(cluster, name + "_" + suffix);
    }

    /** The database of the same name on {@code other} (a standby of this cluster, say); creates nothing. */
    public TestDatabase on(PgCluster other) {
        return new TestDatabase(other, name);
    }

    /** A name for a database that does not exist (dropped if it did), as --create wants it; not dropped later. */
    public TestDatabase absentSibling(String suffix) {
        String other = name + "_" + suffix;
        try (Connection c = cluster.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + io.pgsubset.sql.Ident.quote(other) + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop " + other + ": " + e.getMessage(), e);
        }
        return new TestDatabase(cluster, other);
    }

    /** A handle on another, existing database of the cluster (neither created nor dropped by it). */
    public TestDatabase existing(String otherName) {
        return new TestDatabase(cluster, otherName);
    }

    public PgCluster cluster() {
        return cluster;
    }

    public String name() {
        return name;
    }

    public Connection connect() throws SQLException {
        return cluster.connect(name);
    }

    /** Runs SQL statements (a script is fine: the simple protocol takes several at once). */
    public void execute(String sql) {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + e.getMessage() + "\n" + sql, e);
        }
    }

    /** The first column of the first row, as a string. */
    public String queryValue(String sql) {
        List<List<String>> rows = query(sql);
        return rows.isEmpty() ? null : rows.get(0).get(0);
    }

    public long queryLong(String sql) {
        return Long.parseLong(queryValue(sql));
    }

    /** All rows, every value as text (NULL as null). */
    public List<List<String>> query(String sql) {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            List<List<String>> out = new ArrayList<>();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getString(i));
                }
                out.add(row);
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("query failed: " + e.getMessage() + "\n" + sql, e);
        }
    }

    /** Connection flags for a pgsubset command line reaching this database as the superuser. */
    public List<String> connectionArgs() {
        return List.of("-h", cluster.host(), "-p", Integer.toString(cluster.port()), "-U", PgCluster.SUPERUSER,
                "-d", name);
    }

    /** A libpq key=value string reaching this database as the superuser (clone's --target). */
    public String conninfo() {
        return "host=" + cluster.host() + " port=" + cluster.port() + " user=" + PgCluster.SUPERUSER
                + " dbname=" + name;
    }

    /** Environment for libpq programs reaching this database. */
    public Map<String, String> libpqEnv() {
        return Map.of("PGHOST", cluster.host(), "PGPORT", Integer.toString(cluster.port()), "PGUSER",
                PgCluster.SUPERUSER, "PGDATABASE", name);
    }

    void drop() {
        try (Connection c = cluster.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
        } catch (SQLException e) {
            System.err.println("could not drop test database " + name + ": " + e.getMessage());
        }
    }
}
