package io.pgsubset.connect;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ConnectionOptions#sameAs} is the record's equality, written out: every field counts. */
class ConnectionOptionsSameAsTest {
    private static final ConnectionOptions BASE = new ConnectionOptions(Optional.of("db1"), Optional.of(5432),
            Optional.of("alice"), Optional.of("prod"), false);

    @Test
    void equalOptionsAreTheSameAndEachFieldTells() {
        assertTrue(BASE.sameAs(new ConnectionOptions(Optional.of("db1"), Optional.of(5432), Optional.of("alice"),
                Optional.of("prod"), false)));
        List<ConnectionOptions> changed = List.of(
                new ConnectionOptions(Optional.of("db2"), Optional.of(5432), Optional.of("alice"), Optional.of("prod"), false),
                new ConnectionOptions(Optional.of("db1"), Optional.empty(), Optional.of("alice"), Optional.of("prod"), false),
                new ConnectionOptions(Optional.of("db1"), Optional.of(5432), Optional.of("bob"), Optional.of("prod"), false),
                new ConnectionOptions(Optional.of("db1"), Optional.of(5432), Optional.of("alice"), Optional.empty(), false),
                new ConnectionOptions(Optional.of("db1"), Optional.of(5432), Optional.of("alice"), Optional.of("prod"), true));
        for (ConnectionOptions c : changed) {
            assertFalse(BASE.sameAs(c), c::toString);
            assertFalse(c.sameAs(BASE), c::toString);
        }
        // a field added to the record must be added to sameAs (and a case above)
        assertEquals(changed.size(), ConnectionOptions.class.getRecordComponents().length);
    }
}
