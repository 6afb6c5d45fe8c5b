-- Every type of SPEC guarantee 3 and more, in tables, schemas and columns with hostile names.
-- Each table has an "id" so rows can be compared one by one; the comparison is on row text.
CREATE SCHEMA "My Schema";
CREATE SCHEMA "select";
CREATE SCHEMA "a.b";
CREATE SCHEMA "we""ird";

CREATE TYPE "My Schema"."Mood" AS ENUM ('sad', 'ok', 'happy ''quoted''', 'with,comma');
CREATE DOMAIN "My Schema".positive AS integer CHECK (VALUE > 0);
CREATE DOMAIN "My Schema".email AS text CHECK (VALUE LIKE '%@%');
CREATE TYPE "My Schema".address AS (street text, "House No" integer, tags text[]);

CREATE TABLE "My Schema"."Every Type" (
    id integer PRIMARY KEY,
    t text,
    vc varchar(20),
    ch char(5),
    i2 smallint, i4 integer, i8 bigint,
    f4 real, f8 double precision,
    num numeric, num_fixed numeric(12, 4),
    b boolean,
    d date, ts timestamp, tstz timestamptz, tm time, tmtz timetz, iv interval,
    by bytea,
    js json, jsb jsonb,
    ia integer[], ta text[], md integer[][], ja jsonb[],
    mood "My Schema"."Mood", moods "My Schema"."Mood"[],
    pos "My Schema".positive, mail "My Schema".email,
    addr "My Schema".address,
    r4 int4range, rn numrange, rts tstzrange, rd daterange,
    u uuid,
    ip inet, net cidr, mac macaddr,
    x xml,
    bv bit varying(64), bf bit(8),
    tsv tsvector, tsq tsquery,
    m money,
    pt point, bx box, ln lseg, cir circle,
    o oid
);

INSERT INTO "My Schema"."Every Type" VALUES
(1, 'plain', 'v', 'abc', 1, 2, 3, 1.5, 2.25, 3.125, 1.2345, true,
 '2024-02-29', '2024-02-29 12:34:56.789012', '2024-02-29 12:34:56.789012+05:30', '23:59:59.999999', '01:02:03+04', '1 year 2 mons 3 days 04:05:06.789',
 '\x00010203ff'::bytea, '{"a": [1, 2, {"b": null}], "k": "v\"q"}', '{"z": 1, "a": [true, false, null], "n": 1.50}',
 '{1,2,3}', '{"a,b","c\"d","e\\f","",NULL,"NULL"}', '{{1,2,3},{4,5,6}}', ARRAY['{"a":1}'::jsonb, '[]'],
 'happy ''quoted''', '{sad,"with,comma"}', 7, 'a@b', ROW('Main St, 1', 12, '{x,"y z"}'),
 '[1,10)', '(1.5,2.5]', '["2024-01-01 00:00:00+00","infinity")', 'empty',
 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03',
 '<a href="x">t &amp; "q"</a>', B'101', B'10101010',
 'the quick brown fox''s tail', 'fox & !dog', '12.34',
 '(1.5,-2)', '((0,0),(1,1))', '[(0,0),(1,1)]', '<(0,0),2>', 12345),
-- the hard cases: NULL versus empty, escapes, infinities, NaN, extremes
(2, E'line1\nline2\r\nline3 "quoted", comma, back\\slash, tab\t, \\N, ''single''', '', '', -32768, -2147483648, -9223372036854775808,
 'NaN', '-Infinity', 'NaN', -0.0001, false,
 'infinity', '-infinity', 'infinity', '00:00:00', '00:00:00-12', '-178000000 years',
 '\x00'::bytea, 'null', '"just a string with \u00e9 and \\ and \""',
 '{}', '{}', '{{NULL,NULL},{NULL,1}}', '{}',
 'sad', '{}', 1, '@', ROW(NULL, NULL, NULL),
 'empty', '(,)', '(,)', '[-infinity,infinity]',
 '00000000-0000-0000-0000-000000000000', '::1', '::/0', '00:00:00:00:00:00',
 '<?xml version="1.0"?><r><![CDATA[<&>]]></r>', B'', B'00000000',
 '', '!a', '-92233720368547758.08',
 '(0,0)', '((0,0),(0,0))', '[(0,0),(0,0)]', '<(0,0),0>', 0),
(3, '', NULL, NULL, 32767, 2147483647, 9223372036854775807,
 'Infinity', 'Infinity', '1e-1000', NULL, NULL,
 '-infinity', 'infinity', '-infinity', '24:00:00', NULL, '-1 days +00:00:00.000001',
 '\x'::bytea, '[]', '{}',
 '{NULL}', '{""}', '{{{1},{2}},{{3},{4}}}', NULL,
 NULL, '{NULL}', NULL, NULL, ROW('', 0, '{}'),
 NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL,
 NULL, NULL, NULL,
 NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL);
INSERT INTO "My Schema"."Every Type" (id) VALUES (4);

-- bytea with NULs everywhere and every byte value, a 10 MB text, unicode
INSERT INTO "My Schema"."Every Type" (id, by, t, vc)
SELECT 5, (SELECT string_agg(lpad(to_hex(g % 256), 2, '0'), '') FROM generate_series(0, 1023) g)::text::bytea, NULL, 'x';
UPDATE "My Schema"."Every Type" SET by = decode((SELECT string_agg(lpad(to_hex(g % 256), 2, '0'), '')
    FROM generate_series(0, 1023) g), 'hex') WHERE id = 5;
INSERT INTO "My Schema"."Every Type" (id, t) SELECT 6, repeat(E'0123456789abcdef,"\\\n', 655360);
INSERT INTO "My Schema"."Every Type" (id, t, vc) VALUES (7, 'Grüße, 日本語, emoji 🐘, RTL עברית', 'ß');

-- hostile identifiers: keywords, spaces, dots, quotes, mixed case; a foreign key between them
CREATE TABLE "select"."Order" (
    "Id" integer PRIMARY KEY,
    "from" text,
    "col with space" text,
    "a""b" integer,
    "user" text,
    "x.y" text
);
CREATE TABLE "a.b"."t.with.dots" (
    "Id" integer PRIMARY KEY,
    "Order Id" integer REFERENCES "select"."Order" ("Id"),
    "SELECT" text
);
CREATE TABLE "we""ird"."x""; drop table y; --" (
    "'; delete from t; --" integer PRIMARY KEY,
    "$1" text,
    "\" text
);
CREATE TABLE "My Schema"."MiXeD" ("ID" integer PRIMARY KEY, "Value" text, value text);
CREATE TABLE public.y (id integer PRIMARY KEY);
CREATE TABLE public.t (id integer PRIMARY KEY);

INSERT INTO "select"."Order" SELECT g, 'from ' || g, 'space ' || g, g * 2, 'user' || g, 'x.y' FROM generate_series(1, 20) g;
INSERT INTO "a.b"."t.with.dots" SELECT g, 1 + g % 20, 'sel' || g FROM generate_series(1, 50) g;
INSERT INTO "we""ird"."x""; drop table y; --" VALUES (1, '$1', '\'), (2, E'\\', '"'), (3, NULL, '');
INSERT INTO "My Schema"."MiXeD" VALUES (1, 'upper', 'lower'), (2, NULL, '');
INSERT INTO public.y VALUES (1), (2);
INSERT INTO public.t VALUES (1), (2), (3);

-- schema objects beyond rows: defaults, every kind of constraint, a partial index, a trigger, a
-- view, comments, an owner other than the restoring user and privileges (pg_dump --schema-only of
-- source and target must be equal; owners and privileges with --keep-owners)
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'fidelity reader') THEN
    CREATE ROLE "fidelity reader";
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'fidelity owner') THEN
    CREATE ROLE "fidelity owner";
  END IF;
END $$;
CREATE SEQUENCE "My Schema".counter START 100 INCREMENT 5;
CREATE TABLE "My Schema".constrained (
    id integer PRIMARY KEY,
    n numeric(10, 2) NOT NULL DEFAULT 1.50 CHECK (n >= 0),
    code text UNIQUE DEFAULT 'c' || nextval('"My Schema".counter'),
    created timestamptz DEFAULT '2024-01-01 00:00+00',
    parent integer REFERENCES "My Schema".constrained (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "n or code" CHECK (n > 0 OR code IS NOT NULL)
);
CREATE INDEX "partial idx" ON "My Schema".constrained (code) WHERE n > 1;
CREATE FUNCTION "My Schema".touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.created := now();
  RETURN NEW;
END $$;
CREATE TRIGGER "touch it" BEFORE UPDATE ON "My Schema".constrained
    FOR EACH ROW EXECUTE FUNCTION "My Schema".touch();
CREATE VIEW "My Schema"."Constrained View" AS SELECT id, n FROM "My Schema".constrained WHERE n > 0;
COMMENT ON TABLE "My Schema".constrained IS 'every kind of constraint';
COMMENT ON COLUMN "My Schema".constrained.n IS 'never negative';
GRANT USAGE, CREATE ON SCHEMA "My Schema" TO "fidelity owner";
ALTER TABLE "My Schema".constrained OWNER TO "fidelity owner";
GRANT USAGE ON SCHEMA "My Schema" TO "fidelity reader";
GRANT SELECT ON "My Schema".constrained, "My Schema"."Constrained View" TO "fidelity reader";
GRANT UPDATE (n) ON "My Schema".constrained TO "fidelity reader";
INSERT INTO "My Schema".constrained (id, n, parent) VALUES (1, 2, NULL), (2, 0, 1), (3, 5.25, 2);
