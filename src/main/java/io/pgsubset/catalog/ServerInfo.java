package io.pgsubset.catalog;

import java.util.Optional;

/**
 * The source server and database.
 *
 * @param systemIdentifier pg_control_system().system_identifier, empty when the role may not read it
 */
public record ServerInfo(String version, int versionNum, String database, Optional<String> systemIdentifier,
                         boolean inRecovery) {
    public int majorVersion() {
        return versionNum / 10000;
    }
}
