package io.pgsubset.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgsubset.database.DatabaseProperties;

import java.util.List;
import java.util.Optional;

/**
 * manifest.json: what a dump directory holds and where it came from. Written last, so its presence
 * marks a complete dump. Restore checks files against it; verify compares a restored database with it.
 *
 * @param formatVersion bumped when the layout changes incompatibly
 * @param snapshotTime  when the dump's snapshot was taken (ISO-8601, from the server's clock)
 * @param compressed    data files are .csv.gz
 * @param plan          the resolved plan, as JSON
 * @param phases        the wall time of each phase of the dump, as {@code --verbose} printed them (not
 *                      part of what restore and verify check; empty in a manifest written without them)
 * @param database      the source database's encoding, locale, settings and comment (empty in a dump
 *                      made before pgsubset recorded them: a restore then uses the target's defaults)
 */
public record Manifest(int formatVersion, String toolVersion, Source source, String snapshotTime, boolean compressed,
                       boolean keepOwners, JsonNode plan, List<TableEntry> tables, List<SequenceEntry> sequences,
                       List<MaterializedViewEntry> materializedViews, List<LargeObjectEntry> largeObjects,
                       List<DanglingReference> danglingLargeObjectReferences, List<Phase> phases,
                       Optional<DatabaseProperties> database) {
    /** 2: row digests are {@link RowDigest#ALGORITHM} (format 1 had a byte-at-a-time hash). */
    public static final int FORMAT_VERSION = 2;

    public Manifest {
        tables = List.copyOf(tables);
        sequences = List.copyOf(sequences);
        materializedViews = materializedViews == null ? List.of() : List.copyOf(materializedViews);
        largeObjects = largeObjects == null ? List.of() : List.copyOf(largeObjects);
        danglingLargeObjectReferences = danglingLargeObjectReferences == null ? List.of()
                : List.copyOf(danglingLargeObjectReferences);
        phases = phases == null ? List.of() : List.copyOf(phases);
        // absent from older manifest.json files: Jackson passes null for a missing property
        database = database == null ? Optional.empty() : database;
    }

    /** The same manifest with other database properties (a dump restored elsewhere, in tests). */
    public Manifest withDatabase(Optional<DatabaseProperties> other) {
        return new Manifest(formatVersion, toolVersion, source, snapshotTime, compressed, keepOwners, plan, tables,
                sequences, materializedViews, largeObjects, danglingLargeObjectReferences, phases, other);
    }

    /** One phase of the dump (connect, catalog, a closure round, a table's copy ...) and its wall time. */
    public record Phase(String name, double seconds) {
    }

    /**
     * @param systemIdentifier the cluster's pg_control system identifier, when the role could read it
     */
    public record Source(String serverVersion, int serverVersionNum, Optional<String> systemIdentifier,
                         String database) {
    }

    /**
     * One dumped table (partitioned tables once, for all their partitions).
     *
     * @param file        the data file relative to the dump directory ({@code data/public.t.csv})
     * @param columns     the CSV's columns in order: every non-generated column
     * @param rowDigest   an order-independent digest of the rows (see {@link RowDigest}), which verify
     *                    recomputes from the restored table
     * @param transforms  column -> how it was cleaned (no keys or salts)
     * @param extension   set for an extension's configuration table: its rows are the ones the
     *                    extension's filter selects, the others come with CREATE EXTENSION
     */
    public record TableEntry(String schema, String name, String mode, List<String> columns, long rows, long bytes,
                             String file, String sha256, String rowDigest,
                             java.util.Map<String, String> transforms, Optional<ExtensionTable> extension) {
        public TableEntry {
            columns = List.copyOf(columns);
            transforms = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(transforms));
            extension = extension == null ? Optional.empty() : extension;
        }

        /** An ordinary table's entry. */
        public TableEntry(String schema, String name, String mode, List<String> columns, long rows, long bytes,
                          String file, String sha256, String rowDigest, java.util.Map<String, String> transforms) {
            this(schema, name, mode, columns, rows, bytes, file, sha256, rowDigest, transforms, Optional.empty());
        }
    }

    /**
     * An extension configuration table ({@code pg_extension_config_dump}): which extension made it,
     * and the condition (extcondition without its WHERE) that selected the dumped rows, as pg_dump
     * applies it; empty when every row is user data. Verify reads the restored table through the
     * same condition, since CREATE EXTENSION puts the extension's own rows beside the dumped ones.
     */
    public record ExtensionTable(String name, Optional<String> filter) {
        public ExtensionTable {
            java.util.Objects.requireNonNull(name, "name");
            filter = filter == null ? Optional.empty() : filter;
        }
    }

    /**
     * A materialized view, in refresh order (each after those it reads). pg_dump creates it WITH NO
     * DATA; restore refreshes it after the data when it was populated in the source.
     */
    public record MaterializedViewEntry(String schema, String name, boolean populated) {
    }

    /**
     * A large object: its bytes in {@code file} (relative to the dump directory), restored under the
     * same OID so the oid/lo columns that reference it stay valid.
     *
     * @param owner  its owner's role name, restored with --keep-owners
     * @param grants its privileges other than the owner's, restored with --keep-owners
     */
    public record LargeObjectEntry(long oid, String file, long bytes, String sha256, String owner,
                                   List<Grant> grants) {
        public LargeObjectEntry {
            grants = grants == null ? List.of() : List.copyOf(grants);
        }
    }

    /** {@code GRANT privilege ON LARGE OBJECT ... TO grantee}; grantee {@code PUBLIC} is the keyword. */
    public record Grant(String grantee, String privilege) {
    }

    /**
     * Values of an oid/lo column in the dumped rows that name no large object: the dump cannot
     * carry what the source does not have, so it says so here and in a warning.
     *
     * @param rows    dumped rows with such a value
     * @param objects distinct missing OIDs
     */
    public record DanglingReference(String schema, String table, String column, long rows, long objects) {
    }

    /** A sequence's state in the snapshot, as setval() will restore it. */
    public record SequenceEntry(String schema, String name, long lastValue, boolean isCalled) {
    }
}
