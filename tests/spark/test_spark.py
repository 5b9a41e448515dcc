#!/usr/bin/env python3
"""The Spark recipe, tested: PySpark in local mode on generated dumps, compared with takar.

Usage: python3 tests/spark/test_spark.py [--takar target/debug/takar] [--master local[2]]

Generates four dumps with `takar generate` (CSV and JSON lines; one of them made of slices of
two others, so every pair of sources shares people), runs tests/spark/takar_spark.py through
spark-submit exactly as on a cluster (only --master differs), and checks every answer Spark
wrote against `takar scan` (unique NIKs per province and regency, and in all) and
`takar overlap` (people per source and per pair) over the same files: equal, exactly.
Needs pyspark (pip install pyspark) and a Java runtime. Exits 1 on any difference.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import pyarrow.parquet as pq

TEST_KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
REFERENCE = "2026-11-24"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--takar", default=os.path.join(ROOT, "target", "debug", "takar"))
    ap.add_argument("--master", default="local[2]")
    a = ap.parse_args()
    takar = os.path.abspath(a.takar)
    env = dict(os.environ, TAKAR_KEY=TEST_KEY)
    started = time.time()

    def run(*args, **kw):
        done = subprocess.run([takar, *args], env=env, capture_output=True, text=True, **kw)
        if done.returncode != 0:
            sys.exit(f"takar {' '.join(args)} failed: {done.stderr}")
        return done.stdout

    work = tempfile.mkdtemp(prefix="takar-spark-")
    path = lambda name: os.path.join(work, name)
    run("generate", "--records", "6000", "--seed", "41", "-o", path("a.csv"))
    run("generate", "--records", "4000", "--seed", "42", "-o", path("b.csv"))
    run("generate", "--records", "3000", "--seed", "43", "--format", "jsonl", "-o", path("d.jsonl"))
    a_lines = open(path("a.csv")).read().splitlines()
    b_lines = open(path("b.csv")).read().splitlines()
    with open(path("c.csv"), "w") as f:
        f.write("\n".join(a_lines[:1500] + b_lines[1::3][:700]) + "\n")
    inputs = [path(n) for n in ["a.csv", "b.csv", "c.csv", "d.jsonl"]]

    import pyspark

    submit = os.path.join(os.path.dirname(pyspark.__file__), "bin", "spark-submit")
    out, result = path("keys"), path("result")
    spark_started = time.time()
    done = subprocess.run(
        [submit, "--master", a.master,
         # A small local run: no web UI, few shuffle partitions, quiet logs, and the 256
         # bucket folders listed by the driver rather than by a Spark job of 256 tasks.
         "--conf", "spark.ui.enabled=false", "--conf", "spark.sql.shuffle.partitions=8", "--conf", "spark.log.level=WARN",
         "--conf", "spark.sql.sources.parallelPartitionDiscovery.threshold=1024",
         os.path.join(HERE, "takar_spark.py"), "--takar", takar, "--reference-date", REFERENCE, "--out", out, "--result", result, *inputs],
        env=env, capture_output=True, text=True,
    )
    if done.returncode != 0:
        sys.exit(f"spark-submit failed:\n{done.stdout}\n{done.stderr[-6000:]}")
    for line in (done.stdout + done.stderr).splitlines():
        if "takar keys wrote" in line or "answers written" in line:  # the job's own timings
            print("  spark job:", line)
    spark_seconds = time.time() - spark_started

    def read(name):
        return pq.read_table(os.path.join(result, name)).to_pylist()

    # What takar says of the same files.
    scan_out = path("scan")
    summary = json.loads(run("scan", "--json", "--no-progress", "--reference-date", REFERENCE, "--out", scan_out, *inputs))
    level = lambda name, code: {r[code]: r["unique_nik"] for r in pq.read_table(os.path.join(scan_out, name)).to_pylist()}
    overlap = json.loads(run("overlap", "--json", "--no-progress", "--reference-date", REFERENCE, *inputs))
    valid = {p: json.loads(run("scan", "--json", "--no-progress", "--reference-date", REFERENCE, p))["nik"]["valid"] for p in inputs}

    failures = []

    def check(what, got, want):
        if got != want:
            failures.append(f"{what}:\n  spark {got}\n  takar {want}")

    check("people per province", {r["province_code"]: r["people"] for r in read("provinces")}, level("provinces.parquet", "province_code"))
    check("people per regency", {r["regency_code"]: r["people"] for r in read("regencies")}, level("regencies.parquet", "regency_code"))
    check("people in all", read("total")[0]["people"], summary["nik"]["unique"])
    sources = {r["source"]: r for r in read("sources")}
    check("rows per source", {s: r["rows"] for s, r in sources.items()}, valid)
    check("people per source", {s: r["people"] for s, r in sources.items()}, {s["name"]: s["unique"] for s in overlap["sets"]})
    check(
        "overlap of sources",
        {tuple(sorted((r["source_a"], r["source_b"]))): r["shared"] for r in read("overlap")},
        {tuple(sorted((p["a"], p["b"]))): p["intersection"] for p in overlap["pairs"] if p["intersection"] > 0},
    )
    if len(read("overlap")) < 2:
        failures.append("the fixture should make two overlapping pairs (a and c, b and c)")

    for f in failures:
        print("FAIL", f)
    print(
        f"spark recipe: {len(inputs)} dumps, {sum(valid.values())} rows, {summary['nik']['unique']} people, "
        f"{len(read('regencies'))} regencies, {len(read('overlap'))} overlapping pairs; "
        f"spark-submit {spark_seconds:.1f} s, all {time.time() - started:.1f} s; {len(failures)} failure(s)"
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
