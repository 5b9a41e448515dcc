#!/usr/bin/env bash
# keys.takar and `takar overlap` at scale, in one run (issue 11's figures):
#   - the cost of writing keys.takar during a scan: `scan --out` of the new binary against an
#     older one without keys files (BASELINE=path), alternated REPEATS times, best kept;
#   - keys.takar's size per million unique NIKs;
#   - `takar overlap` of the two dumps' keys files: time and peak anonymous memory, and its
#     answer checked against the overlap of the dumps scanned on the spot.
#
#   bash benches/overlap.sh [RECORDS] [WORKDIR]     (defaults: 20000000, /tmp/takar-overlap)
#
# One generated population of RECORDS rows is cut into A (the first 60%) and B (the last 60%),
# so the two dumps share the middle 20% of the rows (plus the people repeated across them).
set -euo pipefail
records=${1:-20000000}
work=${2:-/tmp/takar-overlap}
repeats=${REPEATS:-3}
cd "$(dirname "$0")/.."
cargo build --release --quiet
takar=$PWD/target/release/takar
export TAKAR_KEY=${TAKAR_KEY:-$(python3 -c 'import os; print(os.urandom(32).hex())')}
mkdir -p "$work"
all=$work/all-$records.csv
[ -s "$all" ] || "$takar" generate --records "$records" --seed 9 -o "$all" 2>/dev/null
n=$((records * 6 / 10))
# sed, not head: head closing the pipe early would fail the script under pipefail.
[ -s "$work/a.csv" ] || sed -n "1,$((n + 1))p" "$all" > "$work/a.csv"
[ -s "$work/b.csv" ] || { sed -n 1p "$all"; tail -n "$n" "$all"; } > "$work/b.csv"
cat "$work/a.csv" "$work/b.csv" > /dev/null  # warm the page cache

run() { # name, command...
  local name=$1; shift
  echo "$name $(python3 benches/measure.py "$work/$name.out" "$work/$name.err" "$@")"
}
best() { # name, command...: the best of REPEATS runs
  local name=$1; shift
  for _ in $(seq "$repeats"); do run "$name" "$@"; done | sort -k2,2g | head -1
}
{
  for _ in $(seq "$repeats"); do
    run scan_out "$takar" scan --no-progress --json --out "$work/out-a" "$work/a.csv"
    if [ -n "${BASELINE:-}" ]; then run base_scan_out "$BASELINE" scan --no-progress --json --out "$work/base-a" "$work/a.csv"; fi
  done | sort -k1,1 -k2,2g | awk '!seen[$1]++'
  run scan_out_b "$takar" scan --no-progress --json --out "$work/out-b" "$work/b.csv"
  best overlap_keys "$takar" overlap --json "$work/out-a/keys.takar" "$work/out-b/keys.takar"
  run overlap_dumps "$takar" overlap --json --no-progress "$work/a.csv" "$work/b.csv"
} > "$work/times"

python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
rows = {l.split()[0]: l.split()[1:] for l in open(f"{work}/times")}
summary = json.load(open(f"{work}/scan_out.out"))
size = os.path.getsize(f"{work}/out-a/keys.takar")
keys, dumps = json.load(open(f"{work}/overlap_keys.out")), json.load(open(f"{work}/overlap_dumps.out"))
figures = lambda o: ([{k: v for k, v in p.items() if k not in ("a", "b")} for p in o["pairs"]], [(s["unique"], s["only_here"]) for s in o["sets"]])
same = figures(keys) == figures(dumps)
print(f"A: {summary['records']:,} records, {summary['nik']['unique']:,} unique NIKs, {summary['kk']['unique']:,} unique KKs")
print(f"keys.takar: {size:,} bytes, {size / (summary['nik']['unique'] + summary['kk']['unique']) :.2f} bytes per unique number")
print(f"overlap: {keys['pairs'][0]['intersection']:,} shared; keys files and dumps agree: {same}")
print(f"{'run':<16}{'seconds':>9}{'peak anon MiB':>15}")
for name, (t, hwm, anon) in rows.items():
    print(f"{name:<16}{float(t):>9.2f}{int(anon) / 1024:>15.0f}")
if "base_scan_out" in rows:
    print(f"scan --out with keys / without: {float(rows['scan_out'][0]) / float(rows['base_scan_out'][0]):.3f} (time), "
          f"{int(rows['scan_out'][2]) / int(rows['base_scan_out'][2]):.3f} (peak anon)")
PY
