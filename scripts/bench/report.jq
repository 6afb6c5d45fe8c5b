# Renders bench-results.json as one Markdown table (scripts/bench.sh --report).
# Speed: the scale with the most runs (the smaller on a tie). Memory: every JVM's peak RSS at the
# smallest and the largest scale measured. Ratios are min/min, the median/median one in brackets;
# PASS/MISS is decided on min/min (the run least disturbed by other load on the machine).

def f2: . * 100 | round / 100 | tostring;
def secs: if . == null then "-" else f2 end;
def mb: if . == null or . == 0 then "-" else (. / 1024 | round | tostring) + " MB" end;
# A step's timings; "a+b" is the sum of two steps (clone against dump + restore); a number is a
# target in seconds (the ratio is then the step's time over the target).
def stepof($s; $n):
  if $n == null then null
  elif ($n | type) == "number" then {min_s: $n, median_s: $n}
  elif ($n | contains("+")) then
    ([$n | split("+")[] as $k | $s[$k]]) as $parts
    | if any($parts[]; . == null) then null
      else {min_s: ($parts | map(.min_s) | add), median_s: ($parts | map(.median_s) | add)} end
  else $s[$n] end;
def verdict($ratio; $op; $limit):
  if $ratio == null then "-"
  elif ($op == "<=" and $ratio <= $limit) or ($op == "<" and $ratio < $limit) then "PASS"
  else "MISS" end;

. as $root
| ($root.scales | to_entries | map(.value)) as $all
| ($all | sort_by(-.runs, .scale) | .[0]) as $p
| ($all | sort_by(.scale)) as $by_scale
| ($by_scale[0]) as $small
| ($by_scale[-1]) as $large
| $p.steps as $s
# SPEC: a subset dump no slower than the manual procedure where that takes a second or more,
# within 1.25x below that.
| def subset_limit($steps): if ($steps.manual.min_s // 0) >= 1 then 1.00 else 1.25 end;
  def subset_target($steps): if ($steps.manual.min_s // 0) >= 1 then "<= 1.0x manual (manual >= 1 s)"
    else "<= 1.25x manual (manual < 1 s)" end;
  def subset_limit10($steps): 1.10;
[
    # name, what, baseline, op, limit, target text
    ["manual", "manual procedure: pg_dump --exclude-table-data + 2 COPY via psql + sed", null, null, null, "baseline"],
    ["floor", "floor: the 2 subset queries alone, to /dev/null", "manual", null, null, "info"],
    ["subset_dump", "pgsubset dump, subset plan (= the manual selection)", "manual", "<=", subset_limit($s), subset_target($s)],
    ["pg_sample", "pg_sample, the same selection (PG_SAMPLE)", null, null, null, "baseline"],
    ["subset_dump", "pgsubset dump, subset plan, against pg_sample", "pg_sample", "<", 1.00, "faster than pg_sample"],
    ["manual_10pct", "manual, every 10th file and all its traces (one semi-join)", null, null, null, "baseline"],
    ["subset_dump_10pct", "pgsubset dump, every 10th file and all its traces", "manual_10pct", "<=", 1.10, "<= 1.1x manual"],
    ["pg_sample_10pct", "pg_sample, every 10th file and all its traces", null, null, null, "baseline"],
    ["subset_dump_10pct", "pgsubset dump, every 10th file, against pg_sample", "pg_sample_10pct", "<", 1.00, "faster than pg_sample"],
    ["startup_first_query", "pgsubset dump start-up: process start to its first statement (server log)", 0.25, "<=", 1.00, "<= 0.25 s"],
    ["subset_dump_demo", "pgsubset dump, config-examples/demo-plan.yaml", "manual", null, null, "info (other selection)"],
    ["pg_dump_fp", "pg_dump -Fp of the whole database (= the full plan's tables)", null, null, null, "baseline"],
    ["pg_dump_fd_j2", "pg_dump -Fd -Z0 -j 2", "pg_dump_fp", null, null, "info"],
    ["full_dump_j1", "pgsubset dump, full plan, --jobs 1", "pg_dump_fp", "<=", 1.25, "<= 1.25x pg_dump"],
    ["full_dump_j2", "pgsubset dump, full plan, --jobs 2", "pg_dump_fp", "<=", 1.25, "<= 1.25x pg_dump"],
    ["many_pg_dump_fp", "pg_dump -Fp of 500 tables of 20 rows", null, null, null, "baseline"],
    ["many_full_dump", "pgsubset dump, full plan, 500 tables of 20 rows", "many_pg_dump_fp", "<=", 1.25, "<= 1.25x pg_dump"],
    ["file_dump", "pgsubset dump, waveforms_file in full (its child skipped)", null, null, null, "baseline"],
    ["file_dump_transforms", "the same with 3 transformed columns (hash, digits, SQL)", "file_dump", "<=", 1.20, "<= 1.2x without"],
    ["psql_copy_restore", "psql: pre-data, \\copy of every CSV, post-data", null, null, null, "baseline"],
    ["restore_sh", "restore.sh of the full dump", "psql_copy_restore", "<=", 1.10, "<= 1.1x psql \\copy"],
    ["restore_j1", "pgsubset restore --jobs 1 of the full dump", "psql_copy_restore", "<=", 1.10, "<= 1.1x psql \\copy"],
    ["restore_j2", "pgsubset restore --jobs 2 of the full dump", "psql_copy_restore", "<", 1.00, "< 1.0x psql \\copy"],
    ["clone_j2", "pgsubset clone --jobs 2, full plan (against dump --jobs 2 + restore --jobs 2)", "full_dump_j2+restore_j2", "<=", 0.85, "<= 0.85x dump + restore"],
    ["wide_pg_dump_schema", "catalog scale: pg_dump --schema-only, \($p.catalog.tables // "-") tables", null, null, null, "baseline"],
    ["wide_plan_check", "catalog scale: pgsubset plan check, \($p.catalog.tables // "-") tables", "wide_pg_dump_schema", null, null, "info (no SPEC target)"]
  ] as $rows
| (
    "Scale \($p.scale): \($p.files) files, \($p.files * $p.traces_per_file) traces, database \($p.database_bytes / 1048576 | round) MB, loaded in \($p.load_seconds | secs) s; \($p.runs) runs per step; \($p.machine.cores) cores (\($p.machine.cpu)), \($p.machine.memory) RAM, PostgreSQL \($p.machine.postgres), \($p.machine.java); finished \($p.finished_at), commit \($p.commit).",
    "",
    ([$p.steps[].load_1min[]] as $l | "1-minute load average at the start of the timed steps: \($l | min | f2) to \($l | max | f2), mean \(($l | add) / ($l | length) | f2) (2 cores: anything above 2 means other processes were competing for the CPU)."),
    "",
    "| step | min s | median s | peak RSS | ratio min (median) | target | result |",
    "|---|---:|---:|---:|---:|---|---|",
    "| load: production-shape.sql at scale \($p.scale) | \($p.load_seconds | secs) | | | | < 45 s at S=1 (well under a minute) | \(if $p.scale == 1 then verdict($p.load_seconds; "<"; 45) else "-" end) |",
    ($rows[] as [$name, $what, $base, $op, $limit, $target]
      | $s[$name] as $m
      | stepof($s; $base) as $b
      | (if $m == null or $b == null then null else $m.min_s / $b.min_s end) as $r
      | (if $m == null or $b == null then null else $m.median_s / $b.median_s end) as $rm
      | if $m == null then "| \($what) | not measured\(if $p.skipped[$name]? then ": " + ($p.skipped[$name] | gsub("\\|"; "/")) else "" end) | | | | \($target) | - |"
        else "| \($what) | \($m.min_s | secs) | \($m.median_s | secs) | \($m.peak_rss_kb | mb) | \(if $r == null then "" else "\($r | f2)x (\($rm | f2)x)" end) | \($target) | \(if $op == null then "" else verdict($r; $op; $limit) end) |"
        end),
    (if $small.scale == $large.scale then
       "| memory flat: needs a second scale (run scripts/bench.sh --scale 4 --runs 1) | | | | | peak RSS flat | - |"
     else
       ($large.steps | to_entries[] | select(.key | test("^(subset_dump|full_dump|restore_j)")) | .key as $k
        | ($small.steps[$k].peak_rss_kb // null) as $a | .value.peak_rss_kb as $b
        | if $a == null then empty else
          "| memory: peak RSS of \($k), scale \($small.scale) (\($small.commit)) -> \($large.scale) (\($large.commit)) | | | \($a | mb) -> \($b | mb) | \($b / $a | f2)x | <= 1.25x (flat) | \(verdict($b / $a; "<="; 1.25)) |"
          end)
     end),
    # the subset steps at the other scale (scripts/bench.sh --scale 4 --runs 1 --memory-only)
    (if $small.scale == $large.scale then empty else
       ($large | select(.scale != $p.scale) // $small) as $o
       | $o.steps as $os
       | ([["subset_dump", "manual", subset_limit($os), subset_target($os)],
           ["subset_dump", "pg_sample", 1.00, "faster than pg_sample"],
           ["subset_dump_10pct", "manual_10pct", 1.10, "<= 1.1x manual"],
           ["subset_dump_10pct", "pg_sample_10pct", 1.00, "faster than pg_sample"]][]
          | . as [$name, $base, $limit, $target]
          | select($os[$name] != null and $os[$base] != null)
          | ($os[$name].min_s / $os[$base].min_s) as $r
          | "| scale \($o.scale): \($name) (\($os[$name].min_s | secs) s) against \($base) (\($os[$base].min_s | secs) s) | \($os[$name].min_s | secs) | \($os[$name].median_s | secs) | \($os[$name].peak_rss_kb | mb) | \($r | f2)x (\($os[$name].median_s / $os[$base].median_s | f2)x) | \($target) | \(verdict($r; if $limit == 1.00 and ($target | startswith("faster")) then "<" else "<=" end; $limit)) |")
     end),
    (if $p.selection_check_10pct == null then empty else
       "| selection check, every 10th file: manual \($p.selection_check_10pct.manual.waveforms_file) files + \($p.selection_check_10pct.manual.waveforms_continuoustrace) traces, pgsubset \($p.selection_check_10pct.pgsubset.waveforms_file) + \($p.selection_check_10pct.pgsubset.waveforms_continuoustrace), ids in one side only: \($p.selection_check_10pct.ids_in_one_side_only.waveforms_file + $p.selection_check_10pct.ids_in_one_side_only.waveforms_continuoustrace) | | | | | same rows | \(if $p.selection_check_10pct.same then "PASS" else "MISS" end) |"
     end),
    (if $p.selection_check == null then empty else
       "| selection check: manual \($p.selection_check.manual.waveforms_file) files + \($p.selection_check.manual.waveforms_continuoustrace) traces, pgsubset \($p.selection_check.pgsubset.waveforms_file) + \($p.selection_check.pgsubset.waveforms_continuoustrace) | | | | | same rows | \(if $p.selection_check.same then "PASS" else "MISS" end) |"
     end),
    ($p.keyset.cases[]? | "| memory: heap of a key set of \($p.keyset.keys) keys, \(.description) | | | \(.heap_bytes / 1048576 | f2) MB heap | | < 256 MB (well under 512) | \(verdict(.heap_bytes / 1048576; "<"; 256)) |")
  )
