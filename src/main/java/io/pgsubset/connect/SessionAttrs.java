package io.pgsubset.connect;

import io.pgsubset.error.UsageException;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * libpq's {@code target_session_attrs}: which of several hosts is acceptable. libpq asks the same
 * two questions: is the server in recovery (a standby), and are its transactions read only.
 */
enum SessionAttrs {
    ANY, READ_WRITE, READ_ONLY, PRIMARY, STANDBY, PREFER_STANDBY;

    private static final String STATE = """
            SELECT pg_catalog.pg_is_in_recovery(), pg_catalog.current_setting('transaction_read_only') = 'on'
            """;

    static SessionAttrs parse(String value) {
        for (SessionAttrs a : values()) {
            if (a.keyword().equals(value)) {
                return a;
            }
        }
        throw new UsageException("invalid target_session_attrs \"" + value + "\": expected one of "
                + Arrays.stream(values()).map(SessionAttrs::keyword).collect(Collectors.joining(", ")));
    }

    String keyword() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Whether {@code c} qualifies in the given pass: prefer-standby takes a standby in the first
     * pass over all hosts and any server in the second, as libpq does.
     */
    boolean accepts(Connection c, boolean lastResort) throws SQLException {
        if (this == ANY || this == PREFER_STANDBY && lastResort) {
            return true;
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(STATE)) {
            rs.next();
            boolean inRecovery = rs.getBoolean(1);
            boolean readOnly = rs.getBoolean(2);
            return switch (this) {
                case READ_WRITE -> !readOnly;
                case READ_ONLY -> readOnly;
                case PRIMARY -> !inRecovery;
                case STANDBY, PREFER_STANDBY -> inRecovery;
                case ANY -> true;
            };
        }
    }

    /** How many passes over the host list: two for prefer-standby, one otherwise. */
    int passes() {
        return this == PREFER_STANDBY ? 2 : 1;
    }

    /** What a rejected server is not, for the error message. */
    String unmet() {
        return switch (this) {
            case READ_WRITE -> "read-only";
            case READ_ONLY -> "not read-only";
            case PRIMARY -> "a standby";
            case STANDBY, PREFER_STANDBY -> "not a standby";
            case ANY -> "";
        };
    }
}
