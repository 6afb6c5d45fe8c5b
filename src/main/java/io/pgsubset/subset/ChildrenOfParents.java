package io.pgsubset.subset;

import java.util.List;

/**
 * The rows of a follow table that are exactly the children of its parent's rows through one key
 * (see {@link Closure.Options#childrenByParents()}): the selection names the parent keys and the
 * server joins while it copies, in one statement whatever the number of keys, so each child row is
 * read once (a hashed {@code = ANY} over a scan, or the key's index) instead of being fetched by the
 * closure and then looked up again by its own key.
 */
final class ChildrenOfParents implements RowSelection.KeyedRows {
    private static final String PARENT_ALIAS = "pgsubset_parent";
    private final Edge edge;
    private final KeySet parentKeys;
    private final long rows;

    ChildrenOfParents(Edge edge, KeySet parentKeys, long rows) {
        this.edge = edge;
        this.parentKeys = parentKeys;
        this.rows = rows;
    }

    /** The rows counted, or estimated (at least 1) when nothing needed the count. */
    @Override
    public long count() {
        return rows;
    }

    /** One predicate: splitting the parent keys would scan the child table once per part. */
    @Override
    public List<String> predicates(String alias, int maxKeysPerPredicate) {
        KeySet.KeyChunk all = parentKeys.chunks(Integer.MAX_VALUE).get(0);
        return List.of(Queries.childrenOf(edge, alias, PARENT_ALIAS, Node.Membership.INLINED, all));
    }

    @Override
    public String toString() {
        return "ChildrenOfParents(" + parentKeys.size() + " parent rows through " + edge.fk().name() + ")";
    }
}
