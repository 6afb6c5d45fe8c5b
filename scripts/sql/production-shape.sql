-- The production shape pgsubset is built for: Django-like auth_* and django_* tables, a short chain
-- of small lookup tables, a big parent (waveforms_file) and a huge child (waveforms_continuoustrace,
-- ~26 rows per file, indexed on file_id). Deterministic: no random(), the same data on every run.
--
-- psql variables:  files (default 100000)  traces (rows per file, default 26)  payload (bytea bytes, default 200)
-- With the defaults the database is about 1 GB (scripts/bench.sh --scale 1).
\set ON_ERROR_STOP on
\if :{?files} \else \set files 100000 \endif
\if :{?traces} \else \set traces 26 \endif
\if :{?payload} \else \set payload 200 \endif

BEGIN;
CREATE TABLE django_content_type (
    id serial PRIMARY KEY,
    app_label varchar(100) NOT NULL,
    model varchar(100) NOT NULL,
    UNIQUE (app_label, model)
);
CREATE TABLE auth_permission (
    id serial PRIMARY KEY,
    name varchar(255) NOT NULL,
    content_type_id int NOT NULL REFERENCES django_content_type (id) DEFERRABLE INITIALLY DEFERRED,
    codename varchar(100) NOT NULL,
    UNIQUE (content_type_id, codename)
);
CREATE TABLE auth_group (
    id serial PRIMARY KEY,
    name varchar(150) NOT NULL UNIQUE
);
CREATE TABLE auth_group_permissions (
    id bigserial PRIMARY KEY,
    group_id int NOT NULL REFERENCES auth_group (id) DEFERRABLE INITIALLY DEFERRED,
    permission_id int NOT NULL REFERENCES auth_permission (id) DEFERRABLE INITIALLY DEFERRED,
    UNIQUE (group_id, permission_id)
);
CREATE TABLE auth_user (
    id serial PRIMARY KEY,
    password varchar(128) NOT NULL,
    last_login timestamptz,
    is_superuser boolean NOT NULL,
    username varchar(150) NOT NULL UNIQUE,
    first_name varchar(150) NOT NULL,
    last_name varchar(150) NOT NULL,
    email varchar(254) NOT NULL,
    is_staff boolean NOT NULL,
    is_active boolean NOT NULL,
    date_joined timestamptz NOT NULL
);
CREATE TABLE auth_user_groups (
    id bigserial PRIMARY KEY,
    user_id int NOT NULL REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED,
    group_id int NOT NULL REFERENCES auth_group (id) DEFERRABLE INITIALLY DEFERRED,
    UNIQUE (user_id, group_id)
);
CREATE TABLE django_session (
    session_key varchar(40) PRIMARY KEY,
    session_data text NOT NULL,
    expire_date timestamptz NOT NULL
);
CREATE INDEX ON django_session (expire_date);
CREATE TABLE django_admin_log (
    id serial PRIMARY KEY,
    action_time timestamptz NOT NULL,
    object_id text,
    object_repr varchar(200) NOT NULL,
    action_flag smallint NOT NULL CHECK (action_flag >= 0),
    change_message text NOT NULL,
    content_type_id int REFERENCES django_content_type (id) DEFERRABLE INITIALLY DEFERRED,
    user_id int NOT NULL REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED
);

-- A short chain of small tables: network -> station -> channel.
CREATE TABLE waveforms_network (
    id serial PRIMARY KEY,
    code varchar(8) NOT NULL UNIQUE,
    description text NOT NULL
);
CREATE TABLE waveforms_station (
    id serial PRIMARY KEY,
    network_id int NOT NULL REFERENCES waveforms_network (id),
    code varchar(8) NOT NULL,
    latitude double precision NOT NULL,
    longitude double precision NOT NULL,
    UNIQUE (network_id, code)
);
CREATE TABLE waveforms_channel (
    id serial PRIMARY KEY,
    station_id int NOT NULL REFERENCES waveforms_station (id),
    code varchar(8) NOT NULL,
    UNIQUE (station_id, code)
);
CREATE TABLE waveforms_file (
    id bigserial PRIMARY KEY,
    channel_id int NOT NULL REFERENCES waveforms_channel (id),
    uploaded_by_id int REFERENCES auth_user (id),
    path text NOT NULL,
    created timestamptz NOT NULL,
    size_bytes bigint NOT NULL
);
CREATE INDEX ON waveforms_file (channel_id);
-- Its foreign key and file_id index are added after the load (below): one validating join and one
-- index build instead of a trigger and an index insertion per row.
CREATE TABLE waveforms_continuoustrace (
    id bigserial PRIMARY KEY,
    file_id bigint NOT NULL,
    starttime timestamptz NOT NULL,
    sampling_rate real NOT NULL,
    data bytea NOT NULL
);
-- No declared foreign key: the plan's relations: section tells pgsubset about it.
CREATE TABLE waveforms_mapping (
    id serial PRIMARY KEY,
    file_id bigint NOT NULL,
    label text NOT NULL
);
CREATE INDEX ON waveforms_mapping (file_id);

INSERT INTO django_content_type (app_label, model)
SELECT app, model FROM (VALUES ('auth', 'user'), ('auth', 'group'), ('auth', 'permission'),
    ('sessions', 'session'), ('admin', 'logentry'), ('waveforms', 'file'), ('waveforms', 'continuoustrace'),
    ('waveforms', 'station'), ('waveforms', 'channel'), ('waveforms', 'network')) v(app, model);
INSERT INTO auth_permission (name, content_type_id, codename)
SELECT 'Can ' || a || ' ' || ct.model, ct.id, a || '_' || ct.model
  FROM django_content_type ct, unnest(ARRAY['add', 'change', 'delete', 'view']) a;
INSERT INTO auth_group (name) VALUES ('operators'), ('analysts'), ('admins');
INSERT INTO auth_group_permissions (group_id, permission_id)
SELECT g.id, p.id FROM auth_group g JOIN auth_permission p ON (p.id % 3) = (g.id % 3);
INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, last_name, email, is_staff,
                       is_active, date_joined)
SELECT 'pbkdf2_sha256$600000$' || md5('salt' || g) || '$' || md5('hash' || g),
       timestamptz '2025-01-01' + g * interval '7 minutes', g <= 3, 'user' || g,
       (ARRAY['Anna', 'Ben', 'Chloé', 'Dmitri', 'Eve', 'Fatima', 'Gustav'])[1 + g % 7],
       (ARRAY['Smith', 'Müller', 'O''Brien', 'Nakamura', 'García', 'Kowalski'])[1 + g % 6],
       'user' || g || '@example.org', g <= 10, g % 17 <> 0, timestamptz '2020-01-01' + g * interval '1 day'
  FROM generate_series(1, 500) g;
INSERT INTO auth_user_groups (user_id, group_id)
SELECT u.id, 1 + u.id % 3 FROM auth_user u;
INSERT INTO django_session (session_key, session_data, expire_date)
SELECT md5('session' || g), encode(convert_to('{"_auth_user_id": "' || (1 + g % 500) || '"}', 'UTF8'), 'base64'),
       timestamptz '2026-01-01' + g * interval '1 minute'
  FROM generate_series(1, 20000) g;
INSERT INTO django_admin_log (action_time, object_id, object_repr, action_flag, change_message, content_type_id, user_id)
SELECT timestamptz '2024-01-01' + g * interval '1 hour', (g % 1000)::text, 'object ' || g, 1 + g % 3,
       '[{"changed": {"fields": ["name"]}}]', 1 + g % 10, 1 + g % 10
  FROM generate_series(1, 5000) g;

INSERT INTO waveforms_network (code, description)
SELECT 'N' || g, 'Network ' || g FROM generate_series(1, 5) g;
INSERT INTO waveforms_station (network_id, code, latitude, longitude)
SELECT 1 + g % 5, 'S' || g, -60 + (g * 7) % 120, -180 + (g * 13) % 360 FROM generate_series(1, 60) g;
INSERT INTO waveforms_channel (station_id, code)
SELECT s.id, c FROM waveforms_station s, unnest(ARRAY['BHZ', 'BHN', 'BHE']) c;

INSERT INTO waveforms_file (channel_id, uploaded_by_id, path, created, size_bytes)
SELECT 1 + g % 180, CASE WHEN g % 4 = 0 THEN NULL ELSE 1 + g % 500 END,
       '/archive/' || (2015 + g % 10) || '/' || md5(g::text) || '.mseed',
       timestamptz '2015-01-01' + g * interval '30 minutes', 4096 + (g::bigint * 7919) % 1048576
  FROM generate_series(1, :files) g;
INSERT INTO waveforms_continuoustrace (file_id, starttime, sampling_rate, data)
SELECT f, timestamptz '2015-01-01' + f * interval '30 minutes' + t * interval '1 minute', 100,
       substring(decode(repeat(md5(f::text || ':' || t), (:payload / 16) + 1), 'hex') FROM 1 FOR :payload)
  FROM generate_series(1, :files) f, generate_series(1, :traces) t;
ALTER TABLE waveforms_continuoustrace
    ADD CONSTRAINT waveforms_continuoustrace_file_id_fkey FOREIGN KEY (file_id) REFERENCES waveforms_file (id);
CREATE INDEX waveforms_continuoustrace_file_id ON waveforms_continuoustrace (file_id);
INSERT INTO waveforms_mapping (file_id, label)
SELECT g, 'label-' || g FROM generate_series(10, :files, 10) g;
COMMIT;
ANALYZE;
