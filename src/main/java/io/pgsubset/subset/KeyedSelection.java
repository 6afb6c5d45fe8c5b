package io.pgsubset.subset;

import java.util.ArrayList;
import java.util.List;

/** The rows of a sample or follow table: its identities in a key set, rendered as chunked predicates. */
final class KeyedSelection implements RowSelection.KeyedRows {
    private final RowIdentity identity;
    private final KeySet keys;

    KeyedSelection(RowIdentity identity, KeySet keys) {
        this.identity = identity;
        this.keys = keys;
    }

    @Override
    public long count() {
        return keys.size();
    }

    @Override
    public List<String> predicates(String alias, int maxKeysPerPredicate) {
        List<String> out = new ArrayList<>();
        for (KeySet.KeyChunk chunk : keys.chunks(maxKeysPerPredicate)) {
            out.add(identity.inline(identity.qualified(alias), chunk));
        }
        return out;
    }

    /** The key columns (ctid, or tableoid and ctid, for a table without a key). */
    public List<String> keyColumns() {
        return identity.columns();
    }

    @Override
    public String toString() {
        return "KeyedRows(" + keys.size() + " rows by " + identity.columns() + ")";
    }
}
