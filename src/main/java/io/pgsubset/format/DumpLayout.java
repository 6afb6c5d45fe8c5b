package io.pgsubset.format;

import io.pgsubset.manifest.ManifestIO;

import java.util.List;

/**
 * The files of a dump directory, named once for the commands that write them (dump), read them
 * (restore, verify) and the restore.sh a dump carries. Data files are named by {@link DataFileNames}.
 */
public final class DumpLayout {
    private DumpLayout() {
    }

    /** Written last: its presence marks a complete dump. */
    public static final String MANIFEST = ManifestIO.FILE_NAME;
    /** The plan as the user wrote it. */
    public static final String PLAN = "plan.yaml";
    /** pg_dump's pre-data section: what the data needs before it loads. */
    public static final String PRE_DATA = "schema/pre-data.sql";
    /** pg_dump's post-data section: indexes, constraints, triggers. */
    public static final String POST_DATA = "schema/post-data.sql";
    /** setval() of every sequence, as of the snapshot. */
    public static final String SEQUENCES = "sequences.sql";
    /** The restore script for hosts with nothing but psql (see {@link RestoreScript}). */
    public static final String RESTORE_SCRIPT = "restore.sh";
    /** One CSV per table. */
    public static final String DATA_DIR = "data";
    /** One file per large object, named by its OID. */
    public static final String LARGE_OBJECTS_DIR = "large-objects";

    /** The SQL files every dump has; a restore refuses a directory without one of them. */
    public static final List<String> SCHEMA_FILES = List.of(PRE_DATA, POST_DATA, SEQUENCES);
}
