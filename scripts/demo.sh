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

say "demo finished"
