-- Many small tables for the benchmark: :n tables m0001 ... (psql variable n, default 500) of 20
-- rows each (an integer key, a text and a numeric), as most tables of a real schema are: a full
-- dump of them measures what a dump costs per table, next to pg_dump -Fp of the same database.
\set ON_ERROR_STOP on
\if :{?n} \else \set n 500 \endif
SET client_min_messages = warning;
SET bench.tables = :'n';
DO $$
DECLARE
    n int := current_setting('bench.tables')::int;
BEGIN
    FOR i IN 1..n LOOP
        EXECUTE format('CREATE TABLE %I (id int PRIMARY KEY, name text NOT NULL, v numeric)',
            'm' || lpad(i::text, 4, '0'));
        EXECUTE format('INSERT INTO %I SELECT g, md5(g::text), g * 1.5 FROM generate_series(1, 20) g',
            'm' || lpad(i::text, 4, '0'));
    END LOOP;
END
$$;
VACUUM (FREEZE, ANALYZE);
