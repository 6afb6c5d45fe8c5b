package io.pgsubset.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link PgCluster} parameter of a {@link PgTest} method as the run's streaming hot
 * standby of the test cluster (started on first use, stopped with the run).
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
public @interface Standby {
}
