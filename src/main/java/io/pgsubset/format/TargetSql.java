package io.pgsubset.format;

/**
 * SQL run against a restore target, shared by {@code pgsubset restore} and the generated restore.sh
 * so both refuse and clean exactly alike. Statements that take values use psql variables
 * ({@code :'name'}) in restore.sh and are rendered with {@code ?} parameters for JDBC.
 */
public final class TargetSql {
    private TargetSql() {
    }

    /**
     * Objects that make a database "non-empty": any schema besides public and the system ones, any
     * relation, routine or free-standing type in public, any extension besides plpgsql, any large
     * object.
     */
    public static final String USER_OBJECTS = """
            SELECT (SELECT count(*) FROM pg_catalog.pg_namespace n
                     WHERE n.nspname NOT IN ('public', 'information_schema') AND n.nspname !~ '^pg_')
                 + (SELECT count(*) FROM pg_catalog.pg_class c
                      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public')
                 + (SELECT count(*) FROM pg_catalog.pg_proc p
                      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public')
                 + (SELECT count(*) FROM pg_catalog.pg_type t
                      JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                     WHERE n.nspname = 'public' AND t.typrelid = 0 AND t.typcategory <> 'A')
                 + (SELECT count(*) FROM pg_catalog.pg_extension e WHERE e.extname <> 'plpgsql')
                 + (SELECT count(*) FROM pg_catalog.pg_largeobject_metadata)""";

    /** The target's system identifier (pg_control), readable by every role since PostgreSQL 10. */
    public static final String SYSTEM_IDENTIFIER =
            "SELECT system_identifier::text FROM pg_catalog.pg_control_system()";

    /**
     * plpgsql lines that make the public schema again as initdb makes it: owned by pg_database_owner
     * (PostgreSQL 15 and later) with USAGE for all, or owned by the caller with ALL for all before.
     */
    public static final String PUBLIC_AS_INITDB = """
              IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'pg_database_owner') THEN
                CREATE SCHEMA public AUTHORIZATION pg_database_owner;
                GRANT USAGE ON SCHEMA public TO PUBLIC;
              ELSE
                CREATE SCHEMA public;
                GRANT ALL ON SCHEMA public TO PUBLIC;
              END IF;
            """;

    /**
     * --clean: drops every extension but plpgsql and every non-system schema with all it holds, then
     * recreates an empty public schema as initdb makes it; unlinks every large object (the dump's
     * come back under their own OIDs). Runs in the loading transaction, so a
     * failed restore leaves the old content (restore.sh) or the old schema (pgsubset restore).
     * Database-level things (owner, settings, privileges, roles) stay as they are.
     */
    public static final String CLEAN = """
            DO $pgsubset_clean$
            DECLARE
              r record;
            BEGIN
              FOR r IN SELECT extname FROM pg_catalog.pg_extension WHERE extname <> 'plpgsql' LOOP
                EXECUTE pg_catalog.format('DROP EXTENSION IF EXISTS %I CASCADE', r.extname);
              END LOOP;
              PERFORM pg_catalog.lo_unlink(m.oid) FROM pg_catalog.pg_largeobject_metadata m;
              FOR r IN SELECT nspname FROM pg_catalog.pg_namespace
                        WHERE nspname <> 'information_schema' AND nspname !~ '^pg_' LOOP
                EXECUTE pg_catalog.format('DROP SCHEMA %I CASCADE', r.nspname);
              END LOOP;
            """ + PUBLIC_AS_INITDB + """
            END
            $pgsubset_clean$;""";
}
