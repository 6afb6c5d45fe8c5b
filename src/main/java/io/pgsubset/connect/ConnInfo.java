package io.pgsubset.connect;

import io.pgsubset.error.UsageException;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses libpq connection strings: {@code postgresql://} URIs and {@code key=value} lists. */
final class ConnInfo {
    private ConnInfo() {
    }

    static boolean isConnectionString(String dbname) {
        return dbname.startsWith("postgresql://") || dbname.startsWith("postgres://") || dbname.contains("=");
    }

    static Map<String, String> parse(String text) {
        if (text.startsWith("postgresql://") || text.startsWith("postgres://")) {
            return parseUri(text);
        }
        return parseKeywords(text);
    }

    private static Map<String, String> parseUri(String uri) {
        Map<String, String> out = new LinkedHashMap<>();
        String rest = uri.substring(uri.indexOf("://") + 3);
        int query = rest.indexOf('?');
        if (query >= 0) {
            for (String pair : rest.substring(query + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq < 0) {
                    throw new UsageException("invalid connection URI: parameter \"" + decode(pair) + "\" has no value");
                }
                out.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
            }
            rest = rest.substring(0, query);
        }
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String db = rest.substring(slash + 1);
            if (!db.isEmpty()) {
                out.putIfAbsent("dbname", decode(db));
            }
            rest = rest.substring(0, slash);
        }
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                out.putIfAbsent("password", decode(userInfo.substring(colon + 1)));
                userInfo = userInfo.substring(0, colon);
            }
            if (!userInfo.isEmpty()) {
                out.putIfAbsent("user", decode(userInfo));
            }
        }
        parseHostPort(rest, out);
        return out;
    }

    /** {@code h1:5432,[::1]:5433,h3}: libpq's host list, kept as comma-separated host and port lists. */
    private static void parseHostPort(String hostPorts, Map<String, String> out) {
        if (hostPorts.isEmpty()) {
            return;
        }
        List<String> hosts = new ArrayList<>();
        List<String> ports = new ArrayList<>();
        for (String hostPort : hostPorts.split(",", -1)) {
            String host = hostPort;
            String port = "";
            if (hostPort.startsWith("[")) {
                int close = hostPort.indexOf(']');
                if (close < 0) {
                    throw new UsageException("invalid connection URI: unterminated IPv6 address in \"" + hostPort + "\"");
                }
                host = hostPort.substring(1, close);
                if (close + 1 < hostPort.length() && hostPort.charAt(close + 1) == ':') {
                    port = hostPort.substring(close + 2);
                }
            } else {
                int colon = hostPort.lastIndexOf(':');
                if (colon >= 0) {
                    host = hostPort.substring(0, colon);
                    port = hostPort.substring(colon + 1);
                }
            }
            hosts.add(decode(host));
            ports.add(port);
        }
        if (hosts.stream().anyMatch(h -> !h.isEmpty())) {
            out.putIfAbsent("host", String.join(",", hosts));
        }
        if (ports.stream().anyMatch(p -> !p.isEmpty())) {
            out.putIfAbsent("port", String.join(",", ports));
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** {@code host=db1 port=5433 dbname='my db'} with libpq's quoting and backslash escapes. */
    private static Map<String, String> parseKeywords(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                throw new UsageException("invalid connection string: missing \"=\" after \"" + text.substring(i) + "\"");
            }
            String key = text.substring(i, eq).trim();
            i = eq + 1;
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && text.charAt(i) == '\'') {
                i++;
                while (i < n && text.charAt(i) != '\'') {
                    if (text.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    value.append(text.charAt(i++));
                }
                if (i >= n) {
                    throw new UsageException("invalid connection string: unterminated quoted value for \"" + key + "\"");
                }
                i++;
            } else {
                while (i < n && !Character.isWhitespace(text.charAt(i))) {
                    if (text.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    value.append(text.charAt(i++));
                }
            }
            out.put(key, value.toString());
        }
        return out;
    }
}
