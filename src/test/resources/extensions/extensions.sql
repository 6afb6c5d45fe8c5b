-- The extensions production databases commonly carry, each used the way applications use it.
-- Loaded by ExtensionsTest; every extension comes from Debian's PostgreSQL packages.
CREATE EXTENSION postgis;
CREATE EXTENSION citext;
CREATE EXTENSION hstore;
CREATE EXTENSION pg_trgm;
CREATE EXTENSION btree_gist;
CREATE EXTENSION pgcrypto;

-- spatial_ref_sys is PostGIS's configuration table: these two rows are user data (outside the
-- extension's filter), the 8500 others come with CREATE EXTENSION postgis.
INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) VALUES
  (990001, 'pgsubset', 990001, 'LOCAL_CS["pgsubset test grid, ''quoted''"]', '+proj=longlat +datum=WGS84 +no_defs'),
  (990002, 'pgsubset', 990002, 'LOCAL_CS["second, unused"]', NULL);

-- citext: a case-insensitive UNIQUE key that a foreign key references
CREATE TABLE "Account" (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email citext NOT NULL UNIQUE,
  token uuid NOT NULL DEFAULT gen_random_uuid(),          -- pgcrypto
  salt bytea NOT NULL DEFAULT gen_random_bytes(16),       -- pgcrypto
  attrs hstore                                             -- hstore
);

-- PostGIS: geometry and geography columns with type modifiers, one in the custom SRID
CREATE TABLE place (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner citext NOT NULL REFERENCES "Account" (email),
  name text NOT NULL,
  pos geometry(Point, 4326) NOT NULL,
  area geography(Polygon, 4326),
  local geometry(PointZ, 990001),
  path geometry(LineStringM),
  srid integer REFERENCES spatial_ref_sys (srid)
);
CREATE INDEX place_name_trgm ON place USING gin (name gin_trgm_ops);  -- pg_trgm
CREATE INDEX place_pos ON place USING gist (pos);

-- btree_gist: an exclusion constraint mixing equality and range overlap
CREATE TABLE booking (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  place_id bigint NOT NULL REFERENCES place (id),
  during tstzrange NOT NULL,
  note hstore,
  EXCLUDE USING gist (place_id WITH =, during WITH &&)
);

INSERT INTO "Account" (email, attrs)
SELECT 'User' || i || '@Example.com',
       CASE WHEN i % 5 = 0 THEN NULL ELSE hstore(ARRAY['k' || i, 'v"' || i || E'\n,x', 'empty', '', 'null', NULL]) END
  FROM generate_series(1, 40) i;

INSERT INTO place (owner, name, pos, area, local, path, srid)
SELECT 'user' || (i % 40 + 1) || '@example.COM', 'place ' || i || CASE WHEN i % 7 = 0 THEN ' café' ELSE '' END,
       ST_SetSRID(ST_MakePoint(i * 0.5, -i * 0.25), 4326),
       CASE WHEN i % 3 = 0 THEN NULL
            ELSE ST_GeogFromText('SRID=4326;POLYGON((0 0, ' || i % 10 + 1 || ' 0, 1 1, 0 0))') END,
       ST_SetSRID(ST_MakePoint(i, i * 2, i * 3.5), 990001),
       CASE WHEN i % 2 = 0 THEN ST_GeomFromText('LINESTRINGM(0 0 1, ' || i || ' 1 2)') END,
       CASE i % 3 WHEN 0 THEN 990001 WHEN 1 THEN 4326 END
  FROM generate_series(1, 100) i;

INSERT INTO booking (place_id, during, note)
SELECT i % 100 + 1,
       tstzrange('2024-01-01 00:00+00'::timestamptz + i * interval '1 day',
                 '2024-01-01 00:00+00'::timestamptz + (i + 1) * interval '1 day'),
       CASE WHEN i % 4 = 0 THEN 'a=>1, "b c"=>NULL'::hstore END
  FROM generate_series(1, 300) i;
-- a schema a plan can leave out (schemas: [public]): pg_dump -n then needs -e for the extensions
CREATE SCHEMA audit;
CREATE TABLE audit.log (id bigint PRIMARY KEY, at geometry(Point, 4326), tags citext[]);
INSERT INTO audit.log VALUES (1, ST_SetSRID(ST_MakePoint(1, 2), 4326), ARRAY['A', 'b']::citext[]);
ANALYZE;
