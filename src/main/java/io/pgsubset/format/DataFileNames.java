package io.pgsubset.format;

import io.pgsubset.catalog.QualifiedName;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Data file names: {@code data/<schema>.<table>.csv[.gz]}. {@link QualifiedName#fileStem()} maps a few
 * characters, and case-insensitive file systems fold case, so two tables can want the same name;
 * those get a numbered suffix ({@code ~2}) in name order, and the manifest records which is which.
 */
public final class DataFileNames {
    private DataFileNames() {
    }

    public static Map<QualifiedName, String> assign(List<QualifiedName> tables, boolean gzip) {
        String ext = gzip ? ".csv.gz" : ".csv";
        Map<String, Integer> wanted = new HashMap<>();
        for (QualifiedName t : tables) {
            wanted.merge(fold(t.fileStem()), 1, Integer::sum);
        }
        Set<String> used = new HashSet<>();
        for (QualifiedName t : tables) {
            if (wanted.get(fold(t.fileStem())) == 1) {
                used.add(fold(t.fileStem()));
            }
        }
        Map<QualifiedName, String> out = new LinkedHashMap<>();
        for (QualifiedName t : tables.stream().sorted().toList()) {
            String stem = t.fileStem();
            if (wanted.get(fold(stem)) > 1) {
                String candidate = stem;
                for (int n = 2; used.contains(fold(candidate)); n++) {
                    candidate = stem + "~" + n;
                }
                stem = candidate;
                used.add(fold(stem));
            }
            out.put(t, DumpLayout.DATA_DIR + "/" + stem + ext);
        }
        return out;
    }

    private static String fold(String stem) {
        return stem.toLowerCase(Locale.ROOT);
    }
}
