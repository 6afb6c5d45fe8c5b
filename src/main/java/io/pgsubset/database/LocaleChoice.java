package io.pgsubset.database;

import io.pgsubset.error.UsageException;

import java.util.Optional;

/**
 * What the user chose instead of the source's locale or encoding ({@code --locale}, {@code --encoding}),
 * for a target that lacks the source's.
 *
 * @param locale   a libc locale for LC_COLLATE and LC_CTYPE, replacing the source's locale and provider
 * @param encoding replaces the source's encoding
 */
public record LocaleChoice(Optional<String> locale, Optional<String> encoding) {
    public LocaleChoice {
        if (locale.filter(String::isBlank).isPresent() || encoding.filter(String::isBlank).isPresent()) {
            throw new UsageException("--locale and --encoding need a value, e.g. --locale C.UTF-8 --encoding UTF8");
        }
    }

    /** The source's locale and encoding, as they are. */
    public static LocaleChoice source() {
        return new LocaleChoice(Optional.empty(), Optional.empty());
    }

    public boolean isSource() {
        return locale.isEmpty() && encoding.isEmpty();
    }

    /** {@code --locale C --encoding LATIN1}, for messages. */
    String flags() {
        return (locale.map(l -> "--locale " + l + " ").orElse("") + encoding.map(e -> "--encoding " + e).orElse(""))
                .trim();
    }
}
