#!/usr/bin/env bash
# Runs every test against real PostgreSQL servers that the test suite starts itself.
# Installs what is missing on Debian (PostgreSQL, PostGIS, Graphviz, ShellCheck, lintian, man, zsh); elsewhere says what to install.
#   scripts/test.sh          the default suite (CI runs this)
#   scripts/test.sh --long   also the slow tests (older server versions, long concurrency runs)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/common.sh
source "$root/scripts/lib/common.sh"

long=false
for arg in "$@"; do
  case "$arg" in
    --long) long=true ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (try --help)" ;;
  esac
done

require_java
require_postgres
# Optional tools some tests use when present: dot (plan explain --graph), shellcheck (restore.sh).
command -v dot >/dev/null 2>&1 || apt_install graphviz || echo "note: Graphviz not installed; DOT syntax tests are skipped" >&2
command -v shellcheck >/dev/null 2>&1 || apt_install shellcheck || echo "note: ShellCheck not installed; restore.sh lint test is skipped" >&2
# The packaging test: lintian checks the .deb, man renders the pages, zsh loads the completion.
command -v lintian >/dev/null 2>&1 || apt_install lintian || echo "note: lintian not installed; the .deb is not linted" >&2
command -v man >/dev/null 2>&1 || apt_install man-db || echo "note: man not installed; the manual pages are not rendered" >&2
command -v zsh >/dev/null 2>&1 || apt_install zsh || echo "note: zsh not installed; its completion is not tried" >&2

PGBIN=$(pg_bindir)
export PGBIN
# PostGIS for the extensions test, built for the major version of the server the tests start
# (installed here, before any test cluster starts, so the server finds its files).
pg_major=$("$PGBIN/postgres" --version | sed -n 's/.*PostgreSQL) \([0-9]*\).*/\1/p')
sharedir=$("$PGBIN/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/$pg_major")
[[ -f "$sharedir/extension/postgis.control" ]] || apt_install "postgresql-$pg_major-postgis-3" \
  || echo "note: PostGIS for PostgreSQL $pg_major not installed; the extensions test is skipped" >&2
say "running the tests (PostgreSQL from $PGBIN)"
cd "$root"
exec ./mvnw -B verify -Dpgsubset.long="$long"
