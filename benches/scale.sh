#!/usr/bin/env bash
# How takar scan scales with the dump: generated dumps of 1M, 10M, 50M and 200M records,
# each scanned warm (from the page cache, when it fits) and the largest also cold (a file
# larger than memory cannot stay cached; drop_caches is used instead when allowed), beside
# `cat FILE > /dev/null` (the read floor) and DuckDB on the same file where it finishes.
# Wall time, GB/s, records/s and peak anonymous memory; then the same largest dump under
# `--max-memory 1G` and with `--approximate`. Writes benches/RESULTS.md (the table, the machine, the date) and
# benches/scale.svg (throughput and memory against records, drawn by matplotlib).
#
#   bash benches/scale.sh
#   SIZES="1000000 10000000" SCRATCH=/big/disk DUCKDB_MAX=50000000 REPEATS=2 bash benches/scale.sh
#
# SCRATCH (default /tmp/takar-scale) holds the dumps; those of 10M records or more are
# deleted at the end unless KEEP=1 (the 200M CSV is 32.5 GB). DUCKDB_MAX: the largest dump
# DuckDB is run on (default 50000000; at 200M it needs about 15 GB and two minutes).
# REPEATS: warm runs per size, the best kept. Peak anonymous memory is RssAnon polled
# every 2 ms (benches/measure.py): the process's own memory, not the mapped file.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${SIZES:-"1000000 10000000 50000000 200000000"}
scratch=${SCRATCH:-/tmp/takar-scale}
duckdb_max=${DUCKDB_MAX:-50000000}
repeats=${REPEATS:-1}
mkdir -p "$scratch"
cargo build --release --quiet
takar=$PWD/target/release/takar
python3 -c 'import duckdb, matplotlib' 2>/dev/null || python3 -m pip install -q duckdb matplotlib
results=$scratch/results.tsv
printf 'records\tbytes\trun\tseconds\tpeak_anon_kib\tunique_nik\n' > "$results"
mem_kib=$(awk '/MemTotal/ {print $2}' /proc/meminfo)

cat > "$scratch/duckdb_run.py" <<'PY'
import sys, duckdb
con = duckdb.connect()
con.execute(f"CREATE VIEW d AS SELECT * FROM read_csv('{sys.argv[1]}', all_varchar=true)")
print(con.execute("SELECT COUNT(DISTINCT nik) FROM d").fetchone()[0])
PY

# measure NAME RECORDS BYTES COMMAND...: one line of results (unique NIKs from takar's JSON
# or DuckDB's number; none for cat).
measure() {
  local name=$1 records=$2 bytes=$3; shift 3
  local m unique
  m=$(python3 benches/measure.py "$scratch/out.txt" "$scratch/err.txt" "$@") || { echo "  $name failed: $(tail -3 "$scratch/err.txt")" >&2; return 0; }
  read -r secs _hwm anon <<< "$m"
  unique=$(python3 - "$scratch/out.txt" <<'PY'
import json, sys
text = open(sys.argv[1]).read().strip()
try:
    v = json.loads(text) if text else ""
    print(v["nik"]["unique"] if isinstance(v, dict) else v)
except ValueError:
    print("")
PY
)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$records" "$bytes" "$name" "$secs" "$anon" "$unique" >> "$results"
  echo "  $name: $secs s, peak anon $((anon / 1024)) MiB, unique NIKs $unique" >&2
}

cold() { # FILE: evict it from the page cache, so that every cold run starts alike
  # posix_fadvise(DONTNEED) drops a file's clean pages without privileges; drop_caches (when
  # allowed) drops the rest. Without this, a run after `cat` would find the file's tail cached
  # (and a run after takar's drop-behind none of it): the order would decide the ratio.
  sync
  python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$1"
  echo 1 > /proc/sys/vm/drop_caches 2>/dev/null || true
}

for n in $sizes; do
  dump=$scratch/dump-$n.csv
  if [ ! -s "$dump" ]; then
    echo "generating $n records..." >&2
    "$takar" generate --records "$n" --seed 7 -o "$dump" > /dev/null
  fi
  bytes=$(stat -L -c %s "$dump")
  echo "$n records, $bytes bytes" >&2
  scan=("$takar" scan --json --no-progress "$dump")
  if [ $((bytes / 1024)) -lt $((mem_kib / 2)) ]; then
    cat "$dump" > /dev/null
    for _ in $(seq "$repeats"); do measure warm "$n" "$bytes" "${scan[@]}"; done
  else
    # Larger than half the memory: no warm run exists. Cold, each after the others have
    # flushed it out: the read floor, takar as --mmap auto picks, the map forced, a budget.
    cold "$dump"; measure cat "$n" "$bytes" sh -c 'cat "$1" > /dev/null' sh "$dump"
    cold "$dump"; measure cold "$n" "$bytes" "${scan[@]}"
    cold "$dump"; measure cold-never "$n" "$bytes" "${scan[@]}" --mmap never
    cold "$dump"; measure cold-1G "$n" "$bytes" "${scan[@]}" --max-memory 1G
    cold "$dump"; measure cold-approx "$n" "$bytes" "${scan[@]}" --approximate
  fi
  if [ "$n" -eq 10000000 ]; then
    # A budget below the keys' 160 MB: the spill's cost, side by side with the warm run.
    measure warm-spill-256M "$n" "$bytes" "${scan[@]}" --max-memory 256M
    measure warm-approx "$n" "$bytes" "${scan[@]}" --approximate
  fi
  if [ "$n" -le "$duckdb_max" ]; then
    measure duckdb "$n" "$bytes" python3 "$scratch/duckdb_run.py" "$dump"
  fi
  if [ "$n" -ge 10000000 ] && [ "${KEEP:-}" != 1 ]; then rm -f "$dump" "$dump.answer.json"; fi
done

python3 benches/scale_report.py "$results" benches/RESULTS.md benches/scale.svg
echo "wrote benches/RESULTS.md and benches/scale.svg" >&2
