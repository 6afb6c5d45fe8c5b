package io.pgsubset.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts ONE cluster per test run (kept in the root store, closed when the run ends, and by a
 * shutdown hook if it is interrupted) and gives each test class a fresh database.
 */
public final class PgExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PgExtension.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** The cluster of this test run, started on first use. */
    public static PgCluster cluster(ExtensionContext context) {
        return context.getRoot().getStore(NS)
                .getOrComputeIfAbsent("cluster", k -> new ClusterResource(PgCluster.start()), ClusterResource.class)
                .cluster();
    }

    /**
     * A streaming hot standby of this run's cluster, started on first use and stopped with the
     * run. Databases created on the primary appear on it once replayed: see
     * {@link PgCluster#awaitCaughtUp(PgCluster)} and {@link TestDatabase#on(PgCluster)}.
     */
    public static PgCluster standby(ExtensionContext context) {
        PgCluster primary = cluster(context);
        return context.getRoot().getStore(NS)
                .getOrComputeIfAbsent("standby", k -> new ClusterResource(primary.startStandby()),
                        ClusterResource.class)
                .cluster();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        PgCluster cluster = cluster(context);
        String name = "t" + COUNTER.incrementAndGet() + "_"
                + context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT);
        TestDatabase db = TestDatabase.create(cluster, name.length() > 60 ? name.substring(0, 60) : name);
        context.getStore(NS).put("db", db);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TestDatabase db = context.getStore(NS).remove("db", TestDatabase.class);
        if (db != null) {
            db.drop();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == TestDatabase.class
                || p.getParameter().getType() == PgCluster.class && p.isAnnotated(Standby.class);
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        if (p.getParameter().getType() == PgCluster.class) {
            return standby(e);
        }
        ExtensionContext ctx = e;
        while (ctx != null) {
            TestDatabase db = ctx.getStore(NS).get("db", TestDatabase.class);
            if (db != null) {
                return db;
            }
            ctx = ctx.getParent().orElse(null);
        }
        throw new IllegalStateException("no test database: annotate the class with @PgTest");
    }

    private record ClusterResource(PgCluster cluster) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            cluster.close();
        }
    }
}
