"""Turns benches/scale.sh's results.tsv into benches/RESULTS.md (a table with the machine's
facts and the date) and benches/scale.svg (throughput and peak memory against records).

    python3 benches/scale_report.py RESULTS_TSV OUT_MD OUT_SVG [NOTE]

NOTE, when given, is printed under the first paragraph (how extra rows were added, say).
"""
import csv
import datetime
import os
import platform
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

tsv, out_md, out_svg = sys.argv[1:4]
note = sys.argv[4] if len(sys.argv) > 4 else ""
rows = list(csv.DictReader(open(tsv), delimiter="\t"))
for r in rows:
    r["records"], r["bytes"] = int(r["records"]), int(r["bytes"])
    r["seconds"], r["anon"] = float(r["seconds"]), int(r["peak_anon_kib"]) / 1024

# Best (fastest) run of each kind per size, and the range when there were several.
best, spread = {}, {}
for r in rows:
    k = (r["records"], r["run"])
    spread.setdefault(k, []).append(r["seconds"])
    if k not in best or r["seconds"] < best[k]["seconds"]:
        best[k] = r
runs = sorted(best.values(), key=lambda r: (r["records"], r["run"]))


def cpu():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


mem_gib = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) / 2**20
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
lines = [
    "# takar scan at scale",
    "",
    f"Measured {datetime.date.today().isoformat()} by `bash benches/scale.sh` on {os.cpu_count()} cores "
    f"({cpu()}), {mem_gib:.1f} GiB of memory, Linux {platform.release()}; takar at commit {commit}, release build. "
    "Dumps from `takar generate --seed 7` (CSV, 14 columns with NIK, KK, birth date, gender and place names, "
    "so every consistency check runs). One run of each kind unless REPEATS was set (then the best). "
    "Ratios side by side are the figures to compare; absolute times on a shared machine are noise.",
    "",
    "Runs: `warm` from the page cache; `cat` is `cat FILE > /dev/null`, the read floor; each cold run (`cat` too) starts with the file evicted from the page cache (`posix_fadvise` DONTNEED); `cold` is a file larger "
    "than memory, read as `--mmap auto` picks (streamed, dropping what was read); `cold-never` streamed without "
    "the drop; `cold-1G` with `--max-memory 1G`; `warm-spill-256M` a budget below the keys' size, so they spill; "
    "`duckdb` is `COUNT(DISTINCT nik)` over `read_csv` on the same file: distinct strings, invalid NIKs "
    "included, hence its higher count.",
    "",
] + ([note, ""] if note else []) + [
    "| records | file | run | wall | GB/s | records/s | peak anon | unique NIKs |",
    "|---:|---:|---|---:|---:|---:|---:|---:|",
]
for r in runs:
    gbps = r["bytes"] / r["seconds"] / 1e9
    rps = r["records"] / r["seconds"] / 1e6
    times = spread[(r["records"], r["run"])]
    wall = f"{r['seconds']:.2f} s" + (f" (best of {len(times)}; up to {max(times):.2f})" if len(times) > 1 else "")
    lines.append(
        f"| {r['records']:,} | {r['bytes'] / 1e9:.2f} GB | {r['run']} | {wall} | {gbps:.2f} | "
        f"{rps:.1f} M | {r['anon']:,.0f} MiB | {r['unique_nik'] or '-'} |"
    )

# The targets, as ratios from this run.
def get(n, run):
    return best.get((n, run))


notes = []


def t_exact(n):
    return get(n, "cold") if get(n, "cold-approx") else get(n, "warm")


warm = sorted((r for r in runs if r["run"] == "warm"), key=lambda r: r["records"])
per_byte = {r["records"]: r["seconds"] / r["bytes"] for r in warm}
if 10_000_000 in per_byte and 50_000_000 in per_byte:
    notes.append(f"- No cliff: time per byte at 50M is {per_byte[50_000_000] / per_byte[10_000_000]:.2f}x that of 10M, best warm run against best (target: within 1.10x).")
    # Runs of 10M and 50M made in alternation (the rows after the script's own, in pairs)
    # compare like with like on a machine whose speed drifts.
    last_scripted = max((i for i, r in enumerate(rows) if r["run"] != "warm"), default=-1)
    seq = [r for r in rows[last_scripted + 1:] if r["run"] == "warm" and r["records"] in (10_000_000, 50_000_000)]
    pairs = [(a, b) for a, b in zip(seq, seq[1:]) if a["records"] == 10_000_000 and b["records"] == 50_000_000]
    if len(pairs) >= 3:
        ratios = sorted((b["seconds"] / b["bytes"]) / (a["seconds"] / a["bytes"]) for a, b in pairs)
        notes.append(f"- No cliff, paired: {len(ratios)} runs of 10M each followed by 50M give per-byte ratios "
                     f"{ratios[0]:.2f}-{ratios[-1]:.2f}, median {ratios[len(ratios) // 2]:.2f}.")
for n in sorted({r["records"] for r in runs}):
    c, floor = get(n, "cold"), get(n, "cat")
    if c and floor:
        notes.append(f"- Cold, {n:,} records: {c['seconds'] / floor['seconds']:.2f}x the time of `cat` (target: at most 1.15x); "
                     f"peak anonymous memory {c['anon'] / 1024:.2f} GiB (target: under 3 GiB).")
    never = get(n, "cold-never")
    if c and never:
        notes.append(f"- Cold, {n:,} records: `--mmap auto` (drop-behind stream) {c['seconds']:.1f} s against plain streaming {never['seconds']:.1f} s.")
    b = get(n, "cold-1G")
    if b:
        notes.append(f"- `--max-memory 1G`, {n:,} records: peak anonymous memory {b['anon'] / 1024:.2f} GiB (target: under 1.25 GiB), "
                     f"{b['seconds']:.1f} s, unique NIKs {b['unique_nik']} (the same as without a budget: {c['unique_nik'] if c else '-'}).")
    s, w = get(n, "warm-spill-256M"), get(n, "warm")
    if s and w:
        notes.append(f"- Spilling, {n:,} records warm: `--max-memory 256M` takes {s['seconds'] / w['seconds']:.2f}x the time, "
                     f"{s['anon']:.0f} MiB against {w['anon']:.0f} MiB, same unique NIKs ({s['unique_nik']} = {w['unique_nik']}).")
    a = get(n, "cold-approx") or get(n, "warm-approx")
    if a and t_exact(n):
        e = t_exact(n)
        notes.append(f"- `--approximate`, {n:,} records: {a['seconds'] / e['seconds']:.2f}x the exact scan's time, "
                     f"{a['anon']:.0f} MiB against {e['anon']:.0f} MiB; {a['unique_nik']} unique NIKs estimated against {e['unique_nik']} exact "
                     f"({(int(a['unique_nik']) - int(e['unique_nik'])) / int(e['unique_nik']):+.2%}).")
    d = get(n, "duckdb")
    t = w or c
    if d and t:
        notes.append(f"- DuckDB, {n:,} records: {d['seconds'] / t['seconds']:.1f}x takar's time and {d['anon'] / max(t['anon'], 1):.1f}x its memory.")
lines += ["", "## Against the targets", ""] + notes + ["", "![throughput and memory against records](scale.svg)", ""]
open(out_md, "w").write("\n".join(lines))

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
for run, style in [("warm", "o-"), ("cold", "s-"), ("cold-1G", "^-"), ("warm-approx", "v-"), ("cold-approx", "v-"), ("cat", "x--"), ("duckdb", "d:")]:
    pts = sorted((r for r in runs if r["run"] == run), key=lambda r: r["records"])
    if not pts:
        continue
    xs = [r["records"] for r in pts]
    ax1.plot(xs, [r["bytes"] / r["seconds"] / 1e9 for r in pts], style, label=run)
    if run != "cat":
        ax2.plot(xs, [r["anon"] for r in pts], style, label=run)
for ax, label in [(ax1, "throughput (GB/s)"), (ax2, "peak anonymous memory (MiB)")]:
    ax.set_xscale("log")
    ax.set_xlabel("records")
    ax.set_ylabel(label)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
ax2.set_yscale("log")
fig.suptitle(f"takar scan, {os.cpu_count()} cores, {mem_gib:.0f} GiB ({datetime.date.today().isoformat()})")
fig.tight_layout()
fig.savefig(out_svg, format="svg")
