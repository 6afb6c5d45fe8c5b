#!/usr/bin/env bash
# The main job end to end on a throwaway local PostgreSQL: builds pgsubset, starts a temporary
# cluster, creates a demo database shaped like the production case, and runs every pgsubset
# command on it, printing what each does. Everything is removed on exit, Ctrl-C included.
#   scripts/demo.sh [--files N]     (N waveforms_file rows, default 100000)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/common.sh
source "$root/scripts/lib/common.sh"

files=100000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --files) files=$2; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done

require_java
require_postgres
build_jar "$root"

work=$(mktemp -d /tmp/pgsubset-demo.XXXXXX)
chmod 755 "$work"
cleanup() {
  stop_cluster
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting a throwaway PostgreSQL cluster in $work"
start_cluster "$work/cluster"
echo "PostgreSQL $(psql -XAtc 'show server_version' postgres) on 127.0.0.1:$PGPORT" >&2

say "creating the demo database 'prod' ($files waveform files, 26 traces each)"
createdb prod
time psql -X -q -d prod -v files="$files" -v traces=26 -v payload=64 -f "$root/scripts/sql/production-shape.sql"

pgsubset() { "$root/scripts/pgsubset" "$@"; }

say "pgsubset sizes -d prod: which tables are big?"
pgsubset sizes -d prod

say "pgsubset sizes -d prod --min-size 10MB --format json: the same for scripts"
pgsubset sizes -d prod --min-size 10MB --format json

say "pgsubset plan init -d prod --sample-over 2MB --target-rows 1000: a starter plan from the live catalog"
pgsubset plan init -d prod --sample-over 2MB --target-rows 1000 -o "$work/init-plan.yaml"
cat "$work/init-plan.yaml"
pgsubset plan check -d prod --plan "$work/init-plan.yaml"

say "pgsubset plan check: the demo plan (config-examples/demo-plan.yaml), then the same with a typo"
pgsubset plan check -d prod --plan "$root/config-examples/demo-plan.yaml"
sed 's/every: 500/evry: 500/; s/waveforms_continuoustrace:/waveforms_continuoustrac:/' \
  "$root/config-examples/demo-plan.yaml" > "$work/typo-plan.yaml"
pgsubset plan check -d prod --plan "$work/typo-plan.yaml" || echo "(exit $? as expected: every problem, with line and column)" >&2

say "pgsubset plan explain: every table's mode and why, the foreign keys the closure follows, a graph"
pgsubset plan explain -d prod --plan "$root/config-examples/demo-plan.yaml" --graph "$work/plan.dot"

if [[ ! -f "$work/out/manifest.json" ]]; then
  say "pgsubset dump -d prod --plan config-examples/demo-plan.yaml: the subset, from one snapshot, users cleaned"
  PGSUBSET_SALT=demo-secret pgsubset dump -d prod --plan "$root/config-examples/demo-plan.yaml" -o "$work/out" --jobs 2
fi

say "restore.sh --create -d dev: the dump restored with psql alone, into a new database"
"$work/out/restore.sh" --create -d dev

say "pgsubset restore --replace dev --jobs 2: a fresh copy swapped in, the previous one kept"
pgsubset restore "$work/out" --replace dev --jobs 2
psql -XAtc "SELECT datname FROM pg_database WHERE datname LIKE 'dev%' ORDER BY 1" postgres

say "pgsubset verify -d dev: rows, content digests, foreign keys and sequences against the manifest"
pgsubset verify "$work/out" -d dev

say "the Django users in dev: cleaned by the plan's transform: section (the same salt gives the same values)"
psql -X -d dev -c "SELECT id, username, email, first_name, last_name, password FROM auth_user ORDER BY id LIMIT 3"

say "demo finished"
