package io.pgsubset.catalog;

import java.util.Optional;

/** A sequence and, when it has one, the column that owns it (serial and identity columns). */
public record Sequence(QualifiedName name, Optional<QualifiedName> ownerTable, Optional<String> ownerColumn,
                       Optional<String> extension) {
}
