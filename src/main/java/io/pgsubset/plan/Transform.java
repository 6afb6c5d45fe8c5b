package io.pgsubset.plan;

/** How a column is cleaned on its way out, inside the COPY query. See the plan's {@code transform:}. */
public sealed interface Transform permits Transform.Sql, Transform.Null, Transform.Constant, Transform.Hash,
        Transform.Email, Transform.Name, Transform.Digits, Transform.KeepLength {
    /** Whether the same input always gives the same output (keys and joins survive). */
    boolean deterministic();

    /** The plan's name for it: sql, null, constant, hash, email, name, digits or keep_length. */
    String keyword();

    /** The built-in's argument ({@code constant: V}, {@code digits: N}) or the SQL text; empty for the others. */
    default java.util.Optional<Object> argument() {
        return java.util.Optional.empty();
    }

    /** Any SQL expression over the row's columns. */
    record Sql(String expression) implements Transform {
        @Override
        public String keyword() {
            return "sql";
        }

        @Override
        public java.util.Optional<Object> argument() {
            return java.util.Optional.of(expression);
        }

        @Override
        public boolean deterministic() {
            return false;
        }
    }

    record Null() implements Transform {
        @Override
        public String keyword() {
            return "null";
        }

        @Override
        public boolean deterministic() {
            return false;
        }
    }

    record Constant(String value) implements Transform {
        @Override
        public String keyword() {
            return "constant";
        }

        @Override
        public java.util.Optional<Object> argument() {
            return java.util.Optional.of(value);
        }

        @Override
        public boolean deterministic() {
            return false;
        }
    }

    /** Keyed hash of the value: deterministic, uniqueness kept. */
    record Hash() implements Transform {
        @Override
        public String keyword() {
            return "hash";
        }

        @Override
        public boolean deterministic() {
            return true;
        }
    }

    /** A deterministic fake address; distinct inputs stay distinct. */
    record Email() implements Transform {
        @Override
        public String keyword() {
            return "email";
        }

        @Override
        public boolean deterministic() {
            return true;
        }
    }

    /** A deterministic fake personal name. */
    record Name() implements Transform {
        @Override
        public String keyword() {
            return "name";
        }

        @Override
        public boolean deterministic() {
            return true;
        }
    }

    /** N digits derived deterministically from the value (phone numbers, account numbers). */
    record Digits(int n) implements Transform {
        @Override
        public String keyword() {
            return "digits";
        }

        @Override
        public java.util.Optional<Object> argument() {
            return java.util.Optional.of(n);
        }

        @Override
        public boolean deterministic() {
            return true;
        }
    }

    /** A deterministic string of the same length as the value. */
    record KeepLength() implements Transform {
        @Override
        public String keyword() {
            return "keep_length";
        }

        @Override
        public boolean deterministic() {
            return true;
        }
    }
}
