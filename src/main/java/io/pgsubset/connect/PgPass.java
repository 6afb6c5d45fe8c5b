package io.pgsubset.connect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Looks a password up in a libpq password file (~/.pgpass or PGPASSFILE), as libpq does. */
final class PgPass {
    private PgPass() {
    }

    static Optional<String> lookup(Path file, Endpoint server, String dbname, String user) {
        if (!Files.isRegularFile(file) || !privateEnough(file)) {
            return Optional.empty();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return Optional.empty();
        }
        String host = server.host();
        // libpq: a connection through the default socket directory also matches "localhost"
        boolean defaultSocket = server.isSocket() && ConnectionTarget.DEFAULT_SOCKET_DIRS.contains(Path.of(host));
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            List<String> f = fields(line);
            if (f.size() < 5) {
                continue;
            }
            boolean hostMatches = matches(f.get(0), host) || defaultSocket && f.get(0).equals("localhost");
            if (hostMatches && matches(f.get(1), Integer.toString(server.port()))
                    && matches(f.get(2), dbname) && matches(f.get(3), user)) {
                return Optional.of(f.get(4));
            }
        }
        return Optional.empty();
    }

    /** libpq ignores a password file that group or others can read. */
    private static boolean privateEnough(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            return perms.stream().noneMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"));
        } catch (UnsupportedOperationException | IOException e) {
            return true;
        }
    }

    private static boolean matches(String pattern, String value) {
        return pattern.equals("*") || pattern.equals(value);
    }

    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                current.append(line.charAt(++i));
            } else if (c == ':' && out.size() < 4) {
                out.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        out.add(current.toString());
        return out;
    }
}
