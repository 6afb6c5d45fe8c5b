-- Catalog scale for the benchmark: :n small tables t00001 ... (psql variable n, default 10000), each
-- with a primary key; every 10th table has a foreign key to the table before it, every 100th also
-- one to t00001, so plan resolution has foreign-key chains to walk; :rows rows in each (default 0;
-- the many-small-tables dump takes 20, as most tables of a real schema are small). Committed in
-- batches of 500 so the locks of one transaction stay within max_locks_per_transaction.
\set ON_ERROR_STOP on
\if :{?n} \else \set n 10000 \endif
\if :{?rows} \else \set rows 0 \endif
SET client_min_messages = warning;
SET bench.tables = :'n';
SET bench.rows = :'rows';
DO $$
DECLARE
    n int := current_setting('bench.tables')::int;
    rows int := current_setting('bench.rows')::int;
    w int := greatest(5, length(n::text));
    name text;
    prev text;
BEGIN
    FOR i IN 1..n LOOP
        name := 't' || lpad(i::text, w, '0');
        prev := 't' || lpad((i - 1)::text, w, '0');
        EXECUTE format('CREATE TABLE %I (id int PRIMARY KEY, label text NOT NULL, created timestamptz NOT NULL DEFAULT now()%s%s)',
            name,
            CASE WHEN i % 10 = 0 THEN format(', prev_id int REFERENCES %I (id)', prev) ELSE '' END,
            CASE WHEN i % 100 = 0 THEN format(', root_id int REFERENCES %I (id)', 't' || lpad('1', w, '0')) ELSE '' END);
        EXECUTE format('INSERT INTO %I (id, label) SELECT g, md5(g::text) FROM generate_series(1, %s) g', name, rows);
        IF i % 500 = 0 THEN
            COMMIT;
        END IF;
    END LOOP;
END
$$;
ANALYZE;
