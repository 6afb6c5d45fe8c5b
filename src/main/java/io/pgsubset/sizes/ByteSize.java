package io.pgsubset.sizes;

import io.pgsubset.error.UsageException;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte counts the way PostgreSQL writes and reads them (pg_size_pretty, pg_size_bytes). */
public final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)\\s*");
    private static final String[] UNITS = {"kB", "MB", "GB", "TB", "PB"};

    private ByteSize() {
    }

    /** Exactly pg_size_pretty(bigint): bytes below 10 kB, then halving-rounded units. */
    public static String pretty(long bytes) {
        long limit = 10 * 1024;
        long limit2 = limit * 2 - 1;
        if (Math.abs(bytes) < limit) {
            return bytes + " bytes";
        }
        long size = bytes >> 9; // keep one extra bit for rounding
        for (int i = 0; i < UNITS.length; i++) {
            if (Math.abs(size) < limit2 || i == UNITS.length - 1) {
                return halfRounded(size) + " " + UNITS[i];
            }
            size >>= 10;
        }
        throw new AssertionError("unreachable");
    }

    private static long halfRounded(long size) {
        return size >= 0 ? (size + 1) / 2 : (size - 1) / 2;
    }

    /** Parses {@code 100MB}, {@code 1.5 GB}, {@code 512kB} or a plain byte count (1024-based, as pg_size_bytes). */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new UsageException("invalid size \"" + text + "\": expected a number with an optional unit, "
                    + "such as 100MB or 2GB");
        }
        double number = Double.parseDouble(m.group(1));
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        long factor = switch (unit) {
            case "", "b", "bytes" -> 1L;
            case "kb", "k" -> 1L << 10;
            case "mb", "m" -> 1L << 20;
            case "gb", "g" -> 1L << 30;
            case "tb", "t" -> 1L << 40;
            case "pb", "p" -> 1L << 50;
            default -> throw new UsageException("invalid size unit \"" + m.group(2) + "\" in \"" + text
                    + "\": use bytes, kB, MB, GB, TB or PB");
        };
        return Math.round(number * factor);
    }
}
