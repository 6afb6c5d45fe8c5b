package io.pgsubset.subset;

import io.pgsubset.plan.SampleRate;
import io.pgsubset.testing.TestDatabase;
import io.pgsubset.testing.ZonkyBinaries;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL 18's temporal foreign keys ({@code PERIOD}): a booking references every room row of its
 * room whose validity overlaps the booking's (together they cover it), so the closure follows such a
 * key by overlap, upward and downward, and a row reached downward through one room row still pulls
 * the other room rows that cover it. The expected rows come from SQL written here.
 */
class TemporalForeignKeyClosureTest {
    private static TestDatabase db;

    @BeforeAll
    static void fixture() {
        db = TestDatabase.create(ZonkyBinaries.sharedCluster(ZonkyBinaries.NEWEST), "temporal_closure");
        db.execute("""
                CREATE EXTENSION btree_gist;
                CREATE TABLE room (id int, valid_at daterange, floor int,
                  PRIMARY KEY (id, valid_at WITHOUT OVERLAPS));
                CREATE TABLE booking (id int PRIMARY KEY, room_id int, valid_at daterange,
                  FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES room (id, PERIOD valid_at));
                INSERT INTO room SELECT r, p, r % 3 FROM generate_series(1, 20) r,
                  unnest(ARRAY[daterange('2024-01-01', '2024-04-01'), daterange('2024-04-01', '2024-08-01'),
                               daterange('2024-08-01', '2025-01-01')]) p;
                INSERT INTO booking SELECT g, 1 + g % 20,
                  daterange(date '2024-01-01' + (g * 7) % 300, date '2024-01-01' + (g * 7) % 300 + 5 + g % 60)
                  FROM generate_series(1, 200) g;
                ANALYZE;
                """);
    }

    private static final String ROOM = "concat_ws(',', r.id::text, r.valid_at::text)";

    private static TreeSet<String> query(String sql) {
        return new TreeSet<>(db.query(sql).stream().map(r -> r.get(0)).toList());
    }

    @Test
    void aSampledBookingBringsEveryRoomRowThatCoversIt() {
        Engine.Run run = Engine.run(db, c -> Plans.on(c)
                .sample("booking", new SampleRate.Every(5), List.of("id"), null, null)
                .follow("room").build());
        TreeSet<String> bookings = query("SELECT id::text FROM (SELECT id, row_number() OVER (ORDER BY id) AS n "
                + "FROM booking) s WHERE n % 5 = 0");
        assertEquals(bookings, run.rows("booking"));
        TreeSet<String> rooms = query("SELECT DISTINCT " + ROOM + " FROM room r JOIN booking b ON b.room_id = r.id "
                + "AND b.valid_at && r.valid_at WHERE b.id % 5 = 0");
        assertTrue(db.queryLong("SELECT count(*) FROM booking b WHERE b.id % 5 = 0 AND (SELECT count(*) FROM room r "
                + "WHERE r.id = b.room_id AND r.valid_at && b.valid_at) > 1") > 0, "some bookings span two room rows");
        assertEquals(rooms, run.rows("room"));
    }

    /** Both ways, and with the children the server would join: a temporal key's children are fetched. */
    @Test
    void theBookingsOfASampledRoomRowBringTheOtherRoomRowsThatCoverThem() {
        for (boolean byParents : List.of(false, true)) {
            Engine.Run run = Engine.run(db, c -> Plans.on(c)
                    .sample("room", new SampleRate.Every(4), List.of("id", "valid_at"), null, null)
                    .follow("booking").build(), Closure.Options.defaults().withChildrenByParents(byParents));
            String sampled = "SELECT id, valid_at FROM (SELECT id, valid_at, row_number() OVER "
                    + "(ORDER BY id, valid_at) AS n FROM room) s WHERE n % 4 = 0";
            TreeSet<String> bookings = query("SELECT DISTINCT b.id::text FROM booking b JOIN (" + sampled
                    + ") r ON b.room_id = r.id AND b.valid_at && r.valid_at");
            assertEquals(bookings, run.rows("booking"), "byParents " + byParents);
            TreeSet<String> rooms = query("SELECT " + ROOM + " FROM (" + sampled + ") r UNION SELECT " + ROOM
                    + " FROM room r JOIN booking b ON b.room_id = r.id AND b.valid_at && r.valid_at WHERE b.id IN ("
                    + String.join(",", bookings) + ")");
            assertTrue(rooms.size() > query("SELECT " + ROOM + " FROM (" + sampled + ") r").size(),
                    "bookings reached from one room row need the neighbouring room rows too");
            assertEquals(rooms, run.rows("room"), "byParents " + byParents);
        }
    }
}
