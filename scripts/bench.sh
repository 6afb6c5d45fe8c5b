#!/usr/bin/env bash
# Benchmarks pgsubset against the administrator's manual procedure, pg_dump and psql \copy on a
# generated production-shaped database (scripts/sql/production-shape.sql), in a throwaway cluster.
# Every figure is measured in the same run on the same data; the cluster is removed on exit.
#   scripts/bench.sh [--scale S] [--runs N] [--keep] [--catalog-tables N] [--memory-only] [--results FILE]
#     --scale S           data size: 100000*S files, 26 traces of 200 bytes each (S=1 is about 1 GB)
#     --runs N            runs of every timed step (default 3); min and median are reported
#     --keep              keep the work directory (dumps, logs, samples) and print where it is
#     --catalog-tables N  tables in the catalog-scale database for `plan check` (default 10000, 0: skip)
#     --memory-only       only the pgsubset dumps, restore --jobs 2 (peak RSS at a second scale) and the
#                         subset steps (manual procedures, pg_sample, subset dumps) for their ratios
#   PG_SAMPLE=/path/to/pg_sample adds pg_sample (github.com/mla/pg_sample, needs Perl DBD::Pg) with the
#   same selections as the manual procedures
#     --results FILE      results file, merged per scale (default bench-results.json in the repo root)
#   scripts/bench.sh --report [--results FILE]   prints the Markdown results table from the file
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/common.sh
source "$root/scripts/lib/common.sh"

scale=1
runs=3
keep=false
catalog_tables=10000
results="$root/bench-results.json"
report_only=false
baselines=true
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scale) scale=${2:?--scale needs a value}; shift 2 ;;
    --runs) runs=${2:?--runs needs a value}; shift 2 ;;
    --keep) keep=true; shift ;;
    --catalog-tables) catalog_tables=${2:?--catalog-tables needs a value}; shift 2 ;;
    --results) results=${2:?--results needs a file}; shift 2 ;;
    --report) report_only=true; shift ;;
    --memory-only) baselines=false; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done
if ! [[ "$scale" =~ ^[0-9]*\.?[0-9]+$ ]] || ! awk -v s="$scale" 'BEGIN { exit !(s > 0) }'; then
  die "--scale must be a positive number, got: $scale"
fi
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer, got: $runs"
[[ "$catalog_tables" =~ ^[0-9]+$ ]] || die "--catalog-tables must be a non-negative integer, got: $catalog_tables"

require_jq() {
  command -v jq >/dev/null 2>&1 || apt_install jq \
    || die "jq is required to write and read the results file: install it (Debian: apt-get install jq)"
}

# ---------------------------------------------------------------------------------------------
# The report: one Markdown table from the results file (speed at the scale with the most runs,
# memory across scales).
# ---------------------------------------------------------------------------------------------
print_report() {
  [[ -f "$results" ]] || die "no results file $results: run scripts/bench.sh first"
  jq -r -f "$root/scripts/bench/report.jq" "$results"
}

if $report_only; then
  require_jq
  print_report
  exit 0
fi

require_java
require_postgres
require_jq
if ! /usr/bin/time -v true >/dev/null 2>&1; then
  apt_install time || true
  /usr/bin/time -v true >/dev/null 2>&1 \
    || die "GNU time is required at /usr/bin/time (peak RSS of every step): install it (Debian: apt-get install time)"
fi
for tool in pg_dump psql createdb sed sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required and not on PATH"
done
build_jar "$root"
# The key-set measurement lives in the test sources (it is not part of the product).
if [[ ! -f "$root/target/test-classes/io/pgsubset/bench/KeySetHeap.class" ]] \
  || [[ -n "$(find "$root/src/test/java/io/pgsubset/bench" -newer "$root/target/test-classes/io/pgsubset/bench/KeySetHeap.class" -print -quit)" ]]; then
  say "compiling the benchmark's Java programs (test sources)"
  (cd "$root" && ./mvnw -B -q test-compile) >&2
fi

files=$(awk -v s="$scale" 'BEGIN { printf "%d", 100000 * s + 0.5 }')
traces=26
payload=200
(( files >= 500 )) || die "--scale $scale gives $files files; use at least 0.005 (500 files, one sample row)"

work=$(mktemp -d /tmp/pgsubset-bench.XXXXXX)
chmod 755 "$work"
cleanup() {
  stop_cluster
  if $keep; then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

samples="$work/samples.tsv"
: >"$samples"
run=0

# measure NAME CMD...: runs CMD under GNU time and records wall seconds, peak RSS and the load.
# The file system is synced first, untimed, so that no step pays for the previous step's writes:
# the manual procedures and pg_sample leave their output unsynced (1.2 GB for a 10% subset), and
# with more than dirty_background_ratio of memory dirty the kernel writes it back while the next
# step runs; a dump's own sync of its data files then waited behind it (a subset dump 0.77 s ->
# 1.5-1.6 s with 2.4 GB left dirty just before it).
measure() {
  local name=$1 t0 t1 secs rss load
  shift
  sync
  load=$(cut -d' ' -f1 /proc/loadavg)
  t0=$(date +%s%N)
  if ! /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/step.out" 2>"$work/step.err"; then
    tail -n 20 "$work/step.err" >&2
    die "$name failed (run $run); its last output is above"
  fi
  t1=$(date +%s%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$run" "$secs" "$rss" "$load" >>"$samples"
  printf '  %-26s run %d  %8.2f s  peak RSS %5d MB  load %s\n' "$name" "$run" "$secs" $((rss / 1024)) "$load" >&2
}

# psql quietly against a database, stopping at the first error.
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
export -f q

drop_db() { q -d postgres -c 'SET client_min_messages = warning' -c "DROP DATABASE IF EXISTS \"$1\""; }
fresh_db() { drop_db "$1"; createdb "$1"; }

pgsubset() { "$root/scripts/pgsubset" "$@"; }
# has_command WORDS...: true when this build of pgsubset has the subcommand.
has_command() {
  local usage
  usage=$(pgsubset "$@" --help 2>/dev/null) || return 1
  [[ "$usage" == "Usage: pgsubset $*"* ]]
}

# ---------------------------------------------------------------------------------------------
# The data
# ---------------------------------------------------------------------------------------------
say "starting a throwaway PostgreSQL cluster in $work"
start_cluster "$work/cluster"
server_version=$(psql -XAtc 'show server_version' postgres)
echo "PostgreSQL $server_version on 127.0.0.1:$PGPORT; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

say "generating the production shape at scale $scale ($files files x $traces traces of $payload bytes)"
createdb prod
t0=$(date +%s%N)
q -d prod -v files="$files" -v traces="$traces" -v payload="$payload" -f "$root/scripts/sql/production-shape.sql"
t1=$(date +%s%N)
load_seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
# Set hint bits and freeze now, so the first timed run does not pay for them.
q -d prod -c 'VACUUM (FREEZE, ANALYZE)'
db_bytes=$(psql -XAtc "select pg_database_size('prod')" prod)
# Many small tables (500 of 20 rows, with the catalog-scale database's keys): what a full dump
# costs per table, against pg_dump -Fp.
createdb many
q -d many -v n=500 -v rows=20 -f "$root/scripts/bench/wide-catalog.sql"
q -d many -c 'VACUUM (FREEZE, ANALYZE)'
cat >"$work/many-plan.yaml" <<'YAML'
version: 1
schemas: [public]
unlisted: full
YAML
echo "loaded in $load_seconds s; database size $(psql -XAtc "select pg_size_pretty(pg_database_size('prod'))" prod)" >&2

# ---------------------------------------------------------------------------------------------
# The plans
# ---------------------------------------------------------------------------------------------
# The subset plan selects exactly what the manual procedure selects: every 500th file by id (at
# most 10000), their traces (at most 50000, by file_id, id), every other table in full.
cat >"$work/subset-plan.yaml" <<'YAML'
version: 1
schemas: [public]
unlisted: full
sample:
  waveforms_file:
    every: 500
    order_by: id
    limit: 10000
follow:
  waveforms_continuoustrace:
    via: [file_id]
    limit: 50000
YAML
cat >"$work/full-plan.yaml" <<'YAML'
version: 1
schemas: [public]
unlisted: full
YAML
# A big subset: every 10th file, all its traces (no limits), every other table in full.
cat >"$work/subset10-plan.yaml" <<'YAML'
version: 1
schemas: [public]
unlisted: full
sample:
  waveforms_file:
    every: 10
    order_by: id
follow:
  waveforms_continuoustrace:
    via: [file_id]
YAML
# Transforms: the same dump (the parent table in full, its huge child skipped) without and with
# three cleaned columns of the parent; the salt makes the runs identical.
cat >"$work/file-plan.yaml" <<'YAML'
version: 1
schemas: [public]
unlisted: full
skip: [waveforms_continuoustrace]
YAML
cat "$work/file-plan.yaml" - >"$work/file-transform-plan.yaml" <<'YAML'
transform:
  waveforms_file:
    path: hash
    size_bytes: {digits: 9}
    created: "date_trunc('day', created)"
YAML
export PGSUBSET_SALT=pgsubset-bench
demo_plan="$root/config-examples/demo-plan.yaml"
if has_command plan check; then
  for plan in "$work/subset-plan.yaml" "$work/full-plan.yaml"; do
    pgsubset plan check -d prod --plan "$plan" >&2 || die "the benchmark's plan $plan does not pass plan check"
  done
fi

# ---------------------------------------------------------------------------------------------
# The baselines
# ---------------------------------------------------------------------------------------------
sample_ids_sql="SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM waveforms_file) s
 WHERE rn % 500 = 0 ORDER BY id LIMIT 10000"
file_copy_sql="COPY (SELECT * FROM (SELECT f.*, row_number() OVER (ORDER BY id) AS rn FROM waveforms_file f) s
 WHERE rn % 500 = 0 ORDER BY id LIMIT 10000) TO STDOUT (FORMAT csv, HEADER)"
trace_copy_sql="COPY (SELECT c.* FROM waveforms_continuoustrace c WHERE c.file_id IN ($sample_ids_sql)
 ORDER BY c.file_id, c.id LIMIT 50000) TO STDOUT (FORMAT csv, HEADER)"
export file_copy_sql trace_copy_sql
# The big subset by hand: every 10th file, and its traces by one semi-join.
file10_copy_sql="COPY (SELECT * FROM (SELECT f.*, row_number() OVER (ORDER BY id) AS rn FROM waveforms_file f) s
 WHERE rn % 10 = 0 ORDER BY id) TO STDOUT (FORMAT csv, HEADER)"
trace10_copy_sql="COPY (SELECT c.* FROM waveforms_continuoustrace c WHERE c.file_id IN (SELECT id FROM (SELECT id,
 row_number() OVER (ORDER BY id) AS rn FROM waveforms_file) s WHERE rn % 10 = 0)) TO STDOUT (FORMAT csv, HEADER)"
export file10_copy_sql trace10_copy_sql

# The administrator's procedure: schema and small tables with pg_dump, the two COPY queries, sed
# to strip the row_number() helper column (the last one) from the parent's CSV.
# manual_procedure OUT FILES_COPY TRACES_COPY: with the two COPY statements of one selection.
manual_procedure() {
  local out=$1
  rm -rf "$out" && mkdir -p "$out"
  pg_dump -d prod -Fp --exclude-table-data=waveforms_file --exclude-table-data=waveforms_continuoustrace \
    -f "$out/schema.sql"
  q -d prod -c "$2" >"$out/waveforms_file.raw.csv"
  q -d prod -c "$3" >"$out/waveforms_continuoustrace.csv"
  sed -e 's/,[^,]*$//' "$out/waveforms_file.raw.csv" >"$out/waveforms_file.csv"
  rm "$out/waveforms_file.raw.csv"
}
# pg_sample, the peer: the same files (ids are 1..N, so id % N = 0 is row_number() % N = 0; the limit of
# 10000 files binds only from scale 50) and their traces, every other table whole. It writes a schema
# of its own into the source (_pg_sample), dropped again at the end.
pg_sample_run() {
  local every=$1 out=$2
  perl "$PG_SAMPLE" --limit="public.waveforms_file = id % $every = 0" \
    --limit="public.waveforms_continuoustrace = file_id % $every = 0" --limit="* = *" -f "$out" prod
}
export -f pg_sample_run
# The floor: only the two subset queries, their rows streamed to /dev/null.
subset_queries() {
  q -d prod -c "$file_copy_sql" >/dev/null
  q -d prod -c "$trace_copy_sql" >/dev/null
}
export -f manual_procedure subset_queries
if [[ -n "${PG_SAMPLE:-}" ]]; then
  [[ -f "$PG_SAMPLE" ]] || die "PG_SAMPLE=$PG_SAMPLE: no such file (the pg_sample script)"
  perl -MDBD::Pg -e 1 2>/dev/null || die "pg_sample needs Perl's DBD::Pg (Debian: apt-get install libdbd-pg-perl)"
  export PG_SAMPLE
fi

# What the \copy baseline restores: the schema sections and one CSV per table, written once.
export_for_restore() {
  local out=$1
  mkdir -p "$out/data"
  pg_dump -d prod --schema-only --no-owner --no-privileges --section=pre-data -f "$out/pre-data.sql"
  pg_dump -d prod --schema-only --no-owner --no-privileges --section=post-data -f "$out/post-data.sql"
  : >"$out/copy.sql"
  local t
  while read -r t; do
    q -d prod -c "COPY public.$t TO STDOUT (FORMAT csv, HEADER)" >"$out/data/$t.csv"
    printf '\\copy public.%s FROM %s WITH (FORMAT csv, HEADER)\n' "$t" "'$out/data/$t.csv'" >>"$out/copy.sql"
  done < <(psql -XAt -d prod -c "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY relname")
}
# The administrator's restore: schema, \copy of every file, then indexes and constraints.
psql_restore() {
  local dir=$1 db=$2
  q -d "$db" -f "$dir/pre-data.sql" >/dev/null
  q -d "$db" -f "$dir/copy.sql"
  q -d "$db" -f "$dir/post-data.sql" >/dev/null
}
export -f export_for_restore psql_restore

if $baselines; then
  say "writing the CSV export the psql \\copy baseline restores"
  export_for_restore "$work/export"
  du -sh "$work/export" >&2
fi

# ---------------------------------------------------------------------------------------------
# The timed runs, interleaved so that load from other users of the machine spreads over all of them
# ---------------------------------------------------------------------------------------------
can_dump=false; can_restore=false
has_command dump && can_dump=true
has_command restore && can_restore=true
can_clone=false
has_command clone && can_clone=true
$can_dump || echo "note: this build has no 'pgsubset dump'; its measurements are skipped" >&2
$can_dump && $can_restore || echo "note: this build has no 'pgsubset restore'; its measurements are skipped" >&2

# startup_probe OUT: the subset dump once more, with its statements logged by the server; records
# the seconds from the process start (just before exec) to its first statement in the server log
# (SPEC: at most 0.25 s). The log's time stamps have milliseconds.
startup_probe() {
  local log="$CLUSTER_DIR/server.log" before t0 first at secs
  dump_args "$work/subset-plan.yaml" "$1" 1
  before=$(stat -c %s "$log")
  t0=$(date +%s%N)
  PGOPTIONS="-c log_statement=all" PGAPPNAME=pgsubset-startup "${dump_cmd[@]}" >/dev/null 2>"$work/step.err" \
    || { tail -n 20 "$work/step.err" >&2; die "startup probe failed (run $run)"; }
  first=$(tail -c +"$((before + 1))" "$log" | grep -m 1 ' statement: ' || true)
  [[ -n "$first" ]] || die "startup probe: no statement of pgsubset in $log"
  at=$(date -d "$(cut -c1-27 <<<"$first")" +%s%N)
  secs=$(awk -v a="$t0" -v b="$at" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  printf '%s\t%s\t%s\t%s\t%s\n' startup_first_query "$run" "$secs" 0 "$(cut -d' ' -f1 /proc/loadavg)" >>"$samples"
  printf '  %-26s run %d  %8.2f s  (process start to its first statement on the server)\n' startup_first_query "$run" "$secs" >&2
}

# dump_args PLAN OUT JOBS: the pgsubset dump command line, after removing OUT from the last run.
dump_args() {
  rm -rf "$2"
  dump_cmd=("$root/scripts/pgsubset" dump -d prod --plan "$1" --output "$2" --jobs "$3")
}

# probe NAME CMD...: one untimed run; when it fails, NAME is recorded as skipped with its error.
skipped="$work/skipped.tsv"
: >"$skipped"
probe() {
  local name=$1
  shift
  if "$@" >"$work/probe.out" 2>"$work/probe.err"; then return 0; fi
  printf '%s\t%s\n' "$name" "$(grep -m 1 -i error "$work/probe.err" || tail -n 1 "$work/probe.err")" >>"$skipped"
  echo "note: $name is skipped, this build fails it: $(cut -f2 "$skipped" | tail -n 1)" >&2
  return 1
}
can_subset=false; can_subset10=false; can_demo=false; can_transform=false
if $can_dump; then
  say "probing the subset dumps (untimed)"
  dump_args "$work/subset-plan.yaml" "$work/subset" 1
  probe subset_dump "${dump_cmd[@]}" && can_subset=true
  dump_args "$work/subset10-plan.yaml" "$work/subset10" 1
  probe subset_dump_10pct "${dump_cmd[@]}" && can_subset10=true
  if [[ -f "$demo_plan" ]]; then
    dump_args "$demo_plan" "$work/demo" 1
    probe subset_dump_demo "${dump_cmd[@]}" && can_demo=true
  fi
  dump_args "$work/file-transform-plan.yaml" "$work/file" 1
  probe file_dump_transforms "${dump_cmd[@]}" && can_transform=true
fi

# turned N WORDS...: the words, the first N (modulo their number) moved to the end.
turned() {
  local n=$1
  shift
  n=$((n % $#))
  printf '%s\n' "${@:n+1}" "${@:1:n}"
}
# subset_step NAME: one timed step of the subset groups (a step this build cannot run is left out).
# shellcheck disable=SC2016 # $1 in the bash -c scripts is expanded by the inner bash
subset_step() {
  case "$1" in
    manual) measure manual bash -c 'manual_procedure "$1" "$file_copy_sql" "$trace_copy_sql"' _ "$work/manual" ;;
    manual_10pct) measure manual_10pct bash -c 'manual_procedure "$1" "$file10_copy_sql" "$trace10_copy_sql"' _ \
      "$work/manual10" ;;
    pg_sample) measure pg_sample bash -c 'pg_sample_run 500 "$1"' _ "$work/pg_sample.sql" ;;
    pg_sample_10pct) measure pg_sample_10pct bash -c 'pg_sample_run 10 "$1"' _ "$work/pg_sample10.sql" ;;
    subset_dump)
      if $can_dump && $can_subset; then
        dump_args "$work/subset-plan.yaml" "$work/subset" 1
        measure subset_dump "${dump_cmd[@]}"
      fi ;;
    subset_dump_10pct)
      if $can_subset10; then
        dump_args "$work/subset10-plan.yaml" "$work/subset10" 1
        measure subset_dump_10pct "${dump_cmd[@]}"
      fi ;;
    *) die "unknown subset step $1" ;;
  esac
}

for ((run = 1; run <= runs; run++)); do
  say "run $run of $runs (scale $scale)"
  # The subset steps run in every mode, so that a second scale has their ratios too. The steps that
  # select the same rows run as a group whose order turns with each run, so that none is always the
  # one measured first, or right after a step that filled the cache for it (a subset dump timed after
  # the 10% steps had read 1.2 GB found its pages evicted; the manual procedure run first, never).
  small=(manual subset_dump)
  big=(manual_10pct subset_dump_10pct)
  if [[ -n "${PG_SAMPLE:-}" ]]; then
    small+=(pg_sample)
    big+=(pg_sample_10pct)
  fi
  for step in $(turned $((run - 1)) "${big[@]}") $(turned $((run - 1)) "${small[@]}"); do
    subset_step "$step"
  done
  if $can_dump && $can_subset; then
    startup_probe "$work/startup"
  fi
  if $baselines; then
    measure floor bash -c subset_queries
    measure pg_dump_fp pg_dump -d prod -Fp -f "$work/pg_dump.sql"
    rm -f "$work/pg_dump.sql"
    rm -rf "$work/pg_dump.dir"
    measure pg_dump_fd_j2 pg_dump -d prod -Fd -Z0 -j 2 -f "$work/pg_dump.dir"
    rm -rf "$work/pg_dump.dir"
    fresh_db target
    # shellcheck disable=SC2016
    measure psql_copy_restore bash -c 'psql_restore "$1" target' _ "$work/export"
    measure many_pg_dump_fp pg_dump -d many -Fp -f "$work/many.sql"
    rm -f "$work/many.sql"
    if $can_dump; then
      rm -rf "$work/many"
      measure many_full_dump "$root/scripts/pgsubset" dump -d many --plan "$work/many-plan.yaml" --output "$work/many"
    fi
  fi
  if $can_dump; then
    if $can_demo; then
      dump_args "$demo_plan" "$work/demo" 1
      measure subset_dump_demo "${dump_cmd[@]}"
    fi
    dump_args "$work/full-plan.yaml" "$work/full" 1
    measure full_dump_j1 "${dump_cmd[@]}"
    if $baselines && $can_transform; then
      dump_args "$work/file-plan.yaml" "$work/file" 1
      measure file_dump "${dump_cmd[@]}"
      dump_args "$work/file-transform-plan.yaml" "$work/file" 1
      measure file_dump_transforms "${dump_cmd[@]}"
    fi
    dump_args "$work/full-plan.yaml" "$work/full" 2
    measure full_dump_j2 "${dump_cmd[@]}"
    if $baselines && [[ -x "$work/full/restore.sh" ]]; then
      fresh_db target
      measure restore_sh "$work/full/restore.sh" -d target
    fi
    if $can_restore; then
      if $baselines; then
        fresh_db target
        measure restore_j1 "$root/scripts/pgsubset" restore "$work/full" -d target --jobs 1
      fi
      fresh_db target
      measure restore_j2 "$root/scripts/pgsubset" restore "$work/full" -d target --jobs 2
    fi
    if $can_clone; then
      # the same plan and jobs as full_dump_j2 + restore_j2, without the files in between
      drop_db target
      measure clone_j2 "$root/scripts/pgsubset" clone -d prod --plan "$work/full-plan.yaml" --jobs 2 --quiet \
        --target "host=$PGHOST port=$PGPORT dbname=target" --create
    fi
  fi
done
drop_db target

# The subset plan must select what the manual procedure selects: the same file ids and the same
# trace ids (not only as many), compared as sorted lists of the CSVs' first column (the id).
# csv_ids FILE: the ids of a CSV with a header, sorted; .gz files are decompressed.
csv_ids() {
  if [[ $1 == *.gz ]]; then gzip -dc "$1"; else cat "$1"; fi | tail -n +2 | cut -d, -f1 | sort -n
}
# pgs_ids DUMP TABLE: the ids in the data file of public.TABLE of a dump, as its manifest names it.
pgs_ids() {
  csv_ids "$1/$(jq -r --arg t "$2" '.tables[] | select(.schema == "public" and .name == $t) | .file' "$1/manifest.json")"
}
# selection_check MANUAL_DIR DUMP_DIR: JSON comparing the file and trace ids of both sides.
selection_check() {
  local m=$1 d=$2
  csv_ids "$m/waveforms_file.csv" >"$work/ids.manual.files"
  csv_ids "$m/waveforms_continuoustrace.csv" >"$work/ids.manual.traces"
  pgs_ids "$d" waveforms_file >"$work/ids.pgsubset.files"
  pgs_ids "$d" waveforms_continuoustrace >"$work/ids.pgsubset.traces"
  count() { wc -l <"$1"; }
  differ() { comm -3 "$1" "$2" | wc -l; }
  jq -n \
    --argjson mf "$(count "$work/ids.manual.files")" --argjson mt "$(count "$work/ids.manual.traces")" \
    --argjson pf "$(count "$work/ids.pgsubset.files")" --argjson pt "$(count "$work/ids.pgsubset.traces")" \
    --argjson df "$(differ <(sort "$work/ids.manual.files") <(sort "$work/ids.pgsubset.files"))" \
    --argjson dt "$(differ <(sort "$work/ids.manual.traces") <(sort "$work/ids.pgsubset.traces"))" \
    '{manual: {waveforms_file: $mf, waveforms_continuoustrace: $mt}, pgsubset: {waveforms_file: $pf, waveforms_continuoustrace: $pt},
      ids_in_one_side_only: {waveforms_file: $df, waveforms_continuoustrace: $dt},
      same: ($df == 0 and $dt == 0 and $mf > 0)}'
}
selection_json=null
selection10_json=null
if $can_subset; then
  selection_json=$(selection_check "$work/manual" "$work/subset")
  echo "selection: $(jq -c . <<<"$selection_json")" >&2
fi
if $can_subset10; then
  selection10_json=$(selection_check "$work/manual10" "$work/subset10")
  echo "selection (every 10th file): $(jq -c . <<<"$selection10_json")" >&2
fi

# ---------------------------------------------------------------------------------------------
# Memory: a key set of 10 million integer keys
# ---------------------------------------------------------------------------------------------
say "heap of a key set of 10 million integer keys"
keyset_json=$(java -Xmx512m -cp "$root/target/pgsubset.jar:$root/target/test-classes" io.pgsubset.bench.KeySetHeap 10000000)
echo "$keyset_json" | jq -r '.cases[] | "  \(.distribution): \(.heap_bytes / 1048576 * 100 | round / 100) MB heap, built in \(.build_ms) ms"' >&2

# ---------------------------------------------------------------------------------------------
# Catalog scale: plan check on a database with many tables
# ---------------------------------------------------------------------------------------------
catalog_json=null
if (( catalog_tables > 0 )); then
  say "catalog scale: $catalog_tables tables, every 10th referencing the one before it"
  createdb wide
  t0=$(date +%s%N)
  q -d wide -v n="$catalog_tables" -f "$root/scripts/bench/wide-catalog.sql"
  t1=$(date +%s%N)
  echo "created in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s" >&2
  cat >"$work/wide-plan.yaml" <<'YAML'
version: 1
unlisted: auto
sample:
  t00001:
    every: 10
YAML
  for ((run = 1; run <= runs; run++)); do
    measure wide_pg_dump_schema pg_dump -d wide --schema-only -f "$work/wide.sql"
    if has_command plan check; then
      measure wide_plan_check "$root/scripts/pgsubset" plan check -d wide --plan "$work/wide-plan.yaml"
    fi
  done
  catalog_json=$(jq -n --argjson tables "$catalog_tables" '{tables: $tables}')
fi

# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------
stats_json=$(sort -t$'\t' -k1,1 -k3,3g "$samples" | awk -F'\t' '
  function flush() {
    if (name == "") return
    med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    printf "%s\t%d\t%.3f\t%.3f\t%.3f\t%d\t%s\t%s\n", name, n, v[1], med, v[n], rss, times, loads
  }
  $1 != name { flush(); name = $1; n = 0; rss = 0; times = ""; loads = "" }
  { v[++n] = $3; if ($4 > rss) rss = $4; times = times (times == "" ? "" : ",") $3; loads = loads (loads == "" ? "" : ",") $5 }
  END { flush() }' | jq -R -s '
  split("\n") | map(select(length > 0) | split("\t")) |
  map({key: .[0], value: {runs: (.[1] | tonumber), min_s: (.[2] | tonumber), median_s: (.[3] | tonumber),
       max_s: (.[4] | tonumber), peak_rss_kb: (.[5] | tonumber),
       seconds: (.[6] | split(",") | map(tonumber)), load_1min: (.[7] | split(",") | map(tonumber))}}) | from_entries')

skipped_json=$(jq -R -s 'split("\n") | map(select(length > 0) | split("\t") | {key: .[0], value: .[1]}) | from_entries' "$skipped")

scale_json=$(jq -n --arg scale "$scale" --argjson files "$files" --argjson traces "$traces" \
  --argjson payload "$payload" --argjson runs "$runs" --argjson load "$load_seconds" --argjson bytes "$db_bytes" \
  --argjson steps "$stats_json" --argjson skipped "$skipped_json" --argjson keyset "$keyset_json" --argjson catalog "$catalog_json" \
  --argjson selection "$selection_json" --argjson selection10 "$selection10_json" --arg at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg pg "$server_version" \
  --arg java "$(java -version 2>&1 | head -n 1)" --arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
  --argjson cores "$(nproc)" --arg mem "$(free -h | awk '/^Mem:/ { print $2 }')" \
  --arg commit "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  '{scale: ($scale | tonumber), files: $files, traces_per_file: $traces, payload_bytes: $payload, runs: $runs,
    finished_at: $at, commit: $commit,
    machine: {cores: $cores, cpu: $cpu, memory: $mem, postgres: $pg, java: $java},
    load_seconds: $load, database_bytes: $bytes, steps: $steps, skipped: $skipped,
    selection_check: $selection, selection_check_10pct: $selection10, keyset: $keyset, catalog: $catalog}')

if [[ -f "$results" ]] && jq -e '.scales' "$results" >/dev/null 2>&1; then
  jq --arg s "$scale" --argjson r "$scale_json" '.scales[$s] = $r' "$results" >"$results.tmp"
else
  jq -n --arg s "$scale" --argjson r "$scale_json" '{scales: {($s): $r}}' >"$results.tmp"
fi
mv "$results.tmp" "$results"
say "results written to $results"
print_report
