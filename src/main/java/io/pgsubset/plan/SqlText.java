package io.pgsubset.plan;

/** Lexical checks on the SQL fragments a plan carries (where filters, transform expressions). */
final class SqlText {
    private SqlText() {
    }

    /**
     * Whether the text has a semicolon outside string literals, quoted identifiers, dollar quotes
     * and comments: a fragment is one expression, never a second statement.
     */
    static boolean hasStatementSeparator(String sql) {
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == ';') {
                return true;
            } else if (c == '\'' || c == '"') {
                i = skipQuoted(sql, i, c);
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int eol = sql.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '$') {
                int close = sql.indexOf('$', i + 1);
                String tag = close < 0 ? "" : sql.substring(i, close + 1);
                if (close > 0 && tag.matches("\\$[A-Za-z_]*\\$")) {
                    int end = sql.indexOf(tag, close + 1);
                    i = end < 0 ? n : end + tag.length();
                } else {
                    i++;
                }
            } else {
                i++;
            }
        }
        return false;
    }

    private static int skipQuoted(String sql, int start, char quote) {
        int i = start + 1;
        while (i < sql.length()) {
            if (sql.charAt(i) == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return sql.length();
    }
}
