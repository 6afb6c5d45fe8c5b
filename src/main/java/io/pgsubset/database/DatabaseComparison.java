package io.pgsubset.database;

import io.pgsubset.database.DatabaseProperties.Setting;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** A target database's encoding, locale, settings and comment against the source's, item by item. */
public final class DatabaseComparison {
    private DatabaseComparison() {
    }

    /**
     * One compared item.
     *
     * @param object {@code encoding}, {@code LC_COLLATE}, {@code setting search_path}, {@code comment} ...
     * @param locale whether it is part of encoding and locale (fixed when the database is created)
     * @param detail the value when equal, else what the target has and what the source had
     */
    public record Item(String object, boolean same, String detail, boolean locale) {
    }

    public static List<Item> compare(DatabaseProperties target, DatabaseProperties source) {
        List<Item> out = new ArrayList<>();
        locale(out, "encoding", target.encoding(), source.encoding());
        locale(out, "LC_COLLATE", target.collate(), source.collate());
        locale(out, "LC_CTYPE", target.ctype(), source.ctype());
        locale(out, "locale provider", target.localeProvider(), source.localeProvider());
        if (target.locale().isPresent() || source.locale().isPresent()) {
            locale(out, "locale", target.locale().orElse("(none)"), source.locale().orElse("(none)"));
        }
        if (target.icuRules().isPresent() || source.icuRules().isPresent()) {
            locale(out, "ICU rules", target.icuRules().orElse("(none)"), source.icuRules().orElse("(none)"));
        }
        Map<String, String> targetSettings = byName(target);
        Map<String, String> sourceSettings = byName(source);
        sourceSettings.forEach((name, value) -> out.add(setting(name, Optional.ofNullable(targetSettings.get(name)),
                Optional.of(value))));
        targetSettings.forEach((name, value) -> {
            if (!sourceSettings.containsKey(name)) {
                out.add(setting(name, Optional.of(value), Optional.empty()));
            }
        });
        if (target.comment().isPresent() || source.comment().isPresent()) {
            boolean same = target.comment().equals(source.comment());
            out.add(new Item("comment", same, same ? "as in the source" : source.comment().isEmpty()
                    ? "the target has a comment, the source none" : target.comment().isEmpty()
                    ? "missing (the source's: " + source.comment().get() + ")" : "differs from the source's", false));
        }
        return out;
    }

    private static void locale(List<Item> out, String what, String target, String source) {
        boolean same = target.equals(source);
        out.add(new Item(what, same, same ? target : target + ", the source's " + source, true));
    }

    private static Map<String, String> byName(DatabaseProperties p) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Setting s : p.settings()) {
            out.put(s.display(), s.value());
        }
        return out;
    }

    private static Item setting(String name, Optional<String> target, Optional<String> source) {
        boolean same = target.equals(source);
        String detail = same ? target.orElse("") : target.isEmpty() ? "not set, the source's " + source.get()
                : source.isEmpty() ? target.get() + ", not set in the source"
                : target.get() + ", the source's " + source.get();
        return new Item("setting " + name, same, Objects.requireNonNull(detail), false);
    }
}
