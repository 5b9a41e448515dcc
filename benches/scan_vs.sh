#!/usr/bin/env bash
# takar scan against polars, DuckDB and the read floor on one generated dump, in one run,
# from a warm page cache. Prints a table of times, throughput, ratios and peak RSS.
#
#   bash benches/scan_vs.sh [RECORDS] [WORKDIR]      (defaults: 10000000, /tmp/takar-bench)
#   BASELINE=/path/to/older/takar REPEATS=5 bash benches/scan_vs.sh ...
#     also runs an older takar binary side by side: each takar run and its baseline twin are
#     alternated REPEATS times (default 1) and the best time of each is kept, and the table ends
#     with the new/old ratios (how a refactor is held to "within 3%").
#   (per input format: CSV, TSV, SQL, JSON, gzip, zstd, ...: see benches/formats.sh)
#   NO_PLACES=1 bash benches/scan_vs.sh ...
#     scans a copy of the dump whose kecamatan/kabupaten headers are renamed, so no regency or
#     district name column is found (the cost of the consistency checks without them, issue 10).
#
# Installs polars and duckdb with pip if missing. Ratios are what to compare; absolute times on
# a shared machine are noise. Peak RSS (VmHWM) includes the file pages a memory map touched;
# peak anon RSS is the process's own memory, the figure the memory target is about.
set -euo pipefail
records=${1:-10000000}
work=${2:-/tmp/takar-bench}
cd "$(dirname "$0")/.."
mkdir -p "$work"
cargo build --release --quiet
takar=$PWD/target/release/takar
dump=$work/dump-$records.csv
if [ ! -s "$dump" ]; then
  echo "generating $records records..." >&2
  "$takar" generate --records "$records" --seed 7 -o "$dump"
fi
if [ "${NO_PLACES:-}" = 1 ]; then
  plain=$work/dump-$records-noplaces.csv
  [ -s "$plain" ] || sed '1s/kecamatan/wil_a/; 1s/kabupaten/wil_b/' "$dump" > "$plain"
  cp "$dump.answer.json" "$plain.answer.json"
  dump=$plain
fi
python3 -c 'import polars, duckdb' 2>/dev/null || python3 -m pip install -q polars duckdb
bytes=$(stat -L -c %s "$dump")
cat "$dump" > /dev/null  # warm the page cache

cat > "$work/polars_run.py" <<'PY'
import sys, polars as pl
lf = pl.scan_csv(sys.argv[1], infer_schema=False)
uniq = lf.select(pl.col("nik").n_unique()).collect().item()
per = lf.group_by(pl.col("nik").str.slice(0, 4)).agg(pl.len()).collect()
print(uniq, per.height)
PY
cat > "$work/duckdb_run.py" <<'PY'
import sys, duckdb
con = duckdb.connect()
con.execute(f"CREATE VIEW d AS SELECT * FROM read_csv('{sys.argv[1]}', all_varchar=true)")
uniq = con.execute("SELECT COUNT(DISTINCT nik) FROM d").fetchone()[0]
per = con.execute("SELECT substr(nik,1,4) r, COUNT(*) FROM d GROUP BY r").fetchall()
print(uniq, len(per))
PY


run() { # name, command...
  local name=$1; shift
  echo "$name $(python3 benches/measure.py "$work/$name.out" "$work/$name.err" "$@")"
}

baseline=${BASELINE:-}
repeats=${REPEATS:-1}
# pair NAME ARGS...: takar ARGS as NAME (and the baseline as base_NAME), alternated, best kept.
pair() {
  local name=$1; shift
  local new="" old=""
  for _ in $(seq "$repeats"); do
    new+="$(run "$name" "$takar" "$@")"$'\n'
    if [ -n "$baseline" ]; then old+="$(run "base_$name" "$baseline" "$@")"$'\n'; fi
  done
  printf '%s' "$new" | sort -k2,2g | head -1
  if [ -n "$baseline" ]; then printf '%s' "$old" | sort -k2,2g | head -1; fi
}

{
  run wc_l wc -l "$dump"
  run cat_devnull sh -c "cat '$dump' > /dev/null"
  pair takar scan --json --no-progress "$dump"
  pair takar_1thread scan --json --no-progress --threads 1 "$dump"
  pair takar_stream scan --json --no-progress --mmap never "$dump"
  run polars python3 "$work/polars_run.py" "$dump"
  run duckdb python3 "$work/duckdb_run.py" "$dump"
} > "$work/times"

python3 - "$work/times" "$bytes" "$work/takar.out" "$dump.answer.json" <<'PY'
import sys, json
rows = [l.split() for l in open(sys.argv[1])]
t = {n: float(s) for n, s, _, _ in rows}
rss = {n: int(k) for n, _, k, _ in rows}
anon = {n: int(a) for n, _, _, a in rows}
size = int(sys.argv[2])
summary = json.load(open(sys.argv[3]))
try:
    answer = json.load(open(sys.argv[4]))
    exact = all(summary["nik"][k] == answer["nik"][k] for k in ("valid", "unique", "invalid", "missing", "placeholder")) and summary["records"] == answer["records"]
except FileNotFoundError:
    exact = None
best = min(t["polars"], t["duckdb"])
print(f"dump: {size/1e9:.2f} GB, {summary['records']:,} records, {summary['nik']['unique']:,} unique NIKs; matches answer: {exact}")
print(f"{'run':<16}{'seconds':>9}{'GB/s':>8}{'/ best(polars,duckdb)':>23}{'/ wc -l':>9}{'peak RSS MiB':>14}{'peak anon MiB':>15}")
for n, _, _, _ in rows:
    print(f"{n:<16}{t[n]:>9.2f}{size/t[n]/1e9:>8.2f}{t[n]/best:>23.3f}{t[n]/t['wc_l']:>9.2f}{rss[n]/1024:>14.0f}{anon[n]/1024:>15.0f}")
for n in [n for n, _, _, _ in rows if "base_" + n in t]:
    print(f"{n} / base_{n}: {t[n]/t['base_' + n]:.3f} (time), {anon[n]/max(anon['base_' + n], 1):.3f} (peak anon)")
PY
