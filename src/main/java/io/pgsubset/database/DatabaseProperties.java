package io.pgsubset.database;

import io.pgsubset.error.Messages;
import io.pgsubset.error.PgsubsetException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the database itself carries besides its objects, as {@code pg_dump --create} carries it:
 * encoding, locale, the settings of {@code ALTER DATABASE ... SET} and {@code ALTER ROLE ... IN
 * DATABASE ... SET}, and the comment. Recorded in the manifest; a restore that creates the database
 * creates it alike.
 *
 * @param localeProvider {@code libc}, {@code icu} (PostgreSQL 15+) or {@code builtin} (17+)
 * @param locale         the ICU or builtin locale; empty for libc
 * @param icuRules       ICU tailoring rules (PostgreSQL 16+)
 * @param settings       database settings first, then per-role ones, each in the order PostgreSQL keeps them
 */
public record DatabaseProperties(String encoding, String collate, String ctype, String localeProvider,
                                 Optional<String> locale, Optional<String> icuRules, List<Setting> settings,
                                 Optional<String> comment) {
    public static final String LIBC = "libc";
    public static final String ICU = "icu";
    public static final String BUILTIN = "builtin";

    public DatabaseProperties {
        settings = List.copyOf(settings);
    }

    /**
     * One {@code name=value} of {@code pg_db_role_setting.setconfig}, value as PostgreSQL stores it.
     *
     * @param role empty for the database's own setting, else the role it applies to in this database
     */
    public record Setting(Optional<String> role, String name, String value) {
        /** {@code search_path} or {@code search_path for role app}. */
        public String display() {
            return name + role.map(r -> " for role " + r).orElse("");
        }
    }

    /**
     * Columns that came and went between versions (datlocprovider 15, daticulocale 15-16 renamed
     * datlocale in 17, daticurules 16) are read from the row as JSON: one query for 12 to 18.
     */
    private static final String DATABASE_SQL = """
            SELECT pg_catalog.pg_encoding_to_char(d.encoding), d.datcollate, d.datctype,
                   CASE pg_catalog.to_jsonb(d) ->> 'datlocprovider' WHEN 'i' THEN 'icu' WHEN 'b' THEN 'builtin'
                        ELSE 'libc' END,
                   coalesce(pg_catalog.to_jsonb(d) ->> 'datlocale', pg_catalog.to_jsonb(d) ->> 'daticulocale'),
                   pg_catalog.to_jsonb(d) ->> 'daticurules',
                   pg_catalog.shobj_description(d.oid, 'pg_database')
              FROM pg_catalog.pg_database d
             WHERE d.datname = pg_catalog.current_database()""";

    private static final String SETTINGS_SQL = """
            SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(s.setrole) END, c.setting
              FROM pg_catalog.pg_db_role_setting s
              JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
             CROSS JOIN LATERAL pg_catalog.unnest(s.setconfig) WITH ORDINALITY AS c(setting, n)
             WHERE d.datname = pg_catalog.current_database()
             ORDER BY s.setrole <> 0, 1, c.n""";

    /** The properties of the database {@code conn} is connected to (catalog reads only: fine on a standby). */
    public static DatabaseProperties read(Connection conn) {
        try (PreparedStatement ps = conn.prepareStatement(DATABASE_SQL); ResultSet rs = ps.executeQuery()) {
            rs.next();
            String locale = rs.getString(5);
            String provider = rs.getString(4);
            return new DatabaseProperties(rs.getString(1), rs.getString(2), rs.getString(3), provider,
                    LIBC.equals(provider) ? Optional.empty() : Optional.ofNullable(locale),
                    Optional.ofNullable(rs.getString(6)), settings(conn), Optional.ofNullable(rs.getString(7)));
        } catch (SQLException e) {
            throw new PgsubsetException("could not read the database's encoding, locale and settings: "
                    + Messages.firstLine(e), e);
        }
    }

    private static List<Setting> settings(Connection conn) throws SQLException {
        List<Setting> out = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(SETTINGS_SQL); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String setting = rs.getString(2);
                int eq = setting.indexOf('=');
                if (eq > 0) {
                    out.add(new Setting(Optional.ofNullable(rs.getString(1)), setting.substring(0, eq),
                            setting.substring(eq + 1)));
                }
            }
        }
        return out;
    }

    /** {@code encoding UTF8, LC_COLLATE de_DE.UTF-8, LC_CTYPE de_DE.UTF-8, ICU locale de-DE}. */
    public String describeLocale() {
        StringBuilder sb = new StringBuilder("encoding " + encoding + ", LC_COLLATE " + collate + ", LC_CTYPE " + ctype);
        locale.ifPresent(l -> sb.append(", ").append(ICU.equals(localeProvider) ? "ICU" : localeProvider)
                .append(" locale ").append(l));
        icuRules.ifPresent(r -> sb.append(", ICU rules ").append(r));
        return sb.toString();
    }

    /** The locale that decides sort order: the ICU or builtin locale where there is one, else LC_COLLATE. */
    public String collation() {
        return locale.orElse(collate);
    }
}
