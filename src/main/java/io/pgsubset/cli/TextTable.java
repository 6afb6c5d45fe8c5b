package io.pgsubset.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain aligned text table: left-aligned text columns, right-aligned number columns. */
final class TextTable {
    private final List<String> headers;
    private final boolean[] rightAligned;
    private final List<List<String>> rows = new ArrayList<>();
    private final List<Integer> separatorsBefore = new ArrayList<>();

    TextTable(List<String> headers, boolean... rightAligned) {
        this.headers = List.copyOf(headers);
        this.rightAligned = rightAligned.clone();
        if (rightAligned.length != headers.size()) {
            throw new IllegalArgumentException("alignment for every column expected");
        }
    }

    TextTable row(List<String> cells) {
        if (cells.size() != headers.size()) {
            throw new IllegalArgumentException("row has " + cells.size() + " cells, expected " + headers.size());
        }
        rows.add(List.copyOf(cells));
        return this;
    }

    /** A rule before the next row, e.g. above a totals line. */
    TextTable separator() {
        separatorsBefore.add(rows.size());
        return this;
    }

    void print(PrintWriter out) {
        int[] width = new int[headers.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = headers.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        out.println(line(headers, width));
        out.println(rule(width));
        for (int i = 0; i < rows.size(); i++) {
            if (separatorsBefore.contains(i)) {
                out.println(rule(width));
            }
            out.println(line(rows.get(i), width));
        }
        out.flush();
    }

    private String line(List<String> cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                sb.append("  ");
            }
            String c = cells.get(i);
            String pad = " ".repeat(width[i] - c.length());
            sb.append(rightAligned[i] ? pad + c : c + (i == cells.size() - 1 ? "" : pad));
        }
        return sb.toString();
    }

    private static String rule(int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < width.length; i++) {
            if (i > 0) {
                sb.append("  ");
            }
            sb.append("-".repeat(width[i]));
        }
        return sb.toString();
    }
}
