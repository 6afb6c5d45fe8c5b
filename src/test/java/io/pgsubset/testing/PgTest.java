package io.pgsubset.testing;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a test class against a real PostgreSQL server: the shared cluster of this test run and a
 * fresh database of the class's own. Declare a {@link TestDatabase} parameter to get it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(PgExtension.class)
public @interface PgTest {
}
