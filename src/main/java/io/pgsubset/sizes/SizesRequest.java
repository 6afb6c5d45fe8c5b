package io.pgsubset.sizes;

import java.util.List;
import java.util.OptionalInt;

/**
 * @param schemas  only tables of these schemas (all user schemas when empty)
 * @param minBytes only tables whose total size is at least this
 * @param limit    at most this many tables, the largest
 */
public record SizesRequest(List<String> schemas, long minBytes, OptionalInt limit) {
    public SizesRequest {
        schemas = List.copyOf(schemas);
        if (minBytes < 0) {
            throw new IllegalArgumentException("minBytes must not be negative");
        }
    }
}
