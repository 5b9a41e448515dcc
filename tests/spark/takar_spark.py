#!/usr/bin/env python3
"""Exact distinct people across many dumps with Apache Spark and `takar keys`.

    spark-submit [--master URL] [--files takar,takar.key] tests/spark/takar_spark.py \\
        --out SHARED/keys --result SHARED/result [--takar PATH] [--key-file PATH] \\
        [--reference-date YYYY-MM-DD] INPUT...

Stage 1 (map): the input files are spread over the executors, one Spark task per file;
each task runs `takar keys FILE --out SHARED/keys` (the binary given by --takar, else one
shipped with `--files takar`, else `takar` on the PATH), which writes that file's rows into
the shared folder, bucketed by NIK pseudonym. Tasks write different file names, so they run
side by side; a task that Spark retries rewrites its own files (takar's writes are staged and
renamed, and a rerun is safe).

Stage 2 (reduce): Spark reads the bucketed Parquet and computes, exactly:
  RESULT/provinces  province_code, people
  RESULT/regencies  province_code, regency_code, people
  RESULT/sources    source, rows, people
  RESULT/overlap    source_a, source_b, shared   (every pair of sources, a < b, shared > 0)
  RESULT/total      people
Every NIK pseudonym belongs to one bucket and one district, so counting distinct pseudonyms
is exact however Spark partitions the work (no approximate distinct is used anywhere).

The key: the same pseudonym key must make every file. `--key-file NAME` names a key file
(also found among the files shipped with --files); without it, each executor uses its own
TAKAR_KEY (local mode: the driver's environment). The key is never put in Spark's config.
"""

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

from pyspark.sql import SparkSession
from pyspark.sql import functions as F


def shipped(name):
    """A file given to spark-submit with --files, if it is there."""
    try:
        from pyspark import SparkFiles

        path = SparkFiles.get(os.path.basename(name))
        return path if os.path.exists(path) else None
    except Exception:
        return None


def resolve(path, default=None):
    if path and os.path.exists(path):
        return os.path.abspath(path)
    return shipped(path) if path else default


def run_takar(files, takar, key_file, out, extra):
    """Runs `takar keys` on one task's files; yields what it wrote (one JSON line per source)."""
    files = list(files)
    if not files:
        return
    binary = resolve(takar) or shutil.which("takar")
    if binary is None:
        raise RuntimeError("no takar binary: give --takar PATH, ship it with --files, or install it on the nodes")
    scratch = tempfile.mkdtemp(prefix="takar-task-")
    try:
        # Files shipped with --files may lose their modes: copy the binary executable and the
        # key private (takar refuses a key file others may read).
        exe = os.path.join(scratch, "takar")
        shutil.copyfile(binary, exe)
        os.chmod(exe, stat.S_IRWXU)
        cmd = [exe, "keys", "--json", "--no-progress", "--out", out] + extra
        if key_file:
            found = resolve(key_file)
            if found is None:
                raise RuntimeError(f"key file {key_file} not found on this executor")
            private = os.path.join(scratch, "takar.key")
            shutil.copyfile(found, private)
            os.chmod(private, stat.S_IRUSR | stat.S_IWUSR)
            cmd += ["--key-file", private]
        done = subprocess.run(cmd + files, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"takar keys failed ({done.returncode}): {done.stderr.strip()}")
        for source in json.loads(done.stdout)["sources"]:
            yield json.dumps(source)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="shared folder of the bucketed Parquet (takar keys --out)")
    ap.add_argument("--result", required=True, help="folder of the answers (Parquet)")
    ap.add_argument("--takar", default="takar", help="the takar binary (a path, or a name shipped with --files)")
    ap.add_argument("--key-file", help="the pseudonym key (a path, or a name shipped with --files)")
    ap.add_argument("--reference-date", help="passed to takar keys")
    ap.add_argument("--threads", type=int, default=0, help="takar threads per task (default: all the executor's cores)")
    ap.add_argument("inputs", nargs="+", help="dump files, readable at the same path on every executor")
    a = ap.parse_args(argv)

    started = time.time()
    spark = SparkSession.builder.appName("takar-keys").getOrCreate()
    sc = spark.sparkContext
    extra = []
    if a.reference_date:
        extra += ["--reference-date", a.reference_date]
    if a.threads:
        extra += ["-j", str(a.threads)]
    out, takar, key_file = a.out, a.takar, a.key_file

    # Stage 1: one task per input file.
    written = (
        sc.parallelize(a.inputs, numSlices=len(a.inputs))
        .mapPartitions(lambda files: run_takar(files, takar, key_file, out, extra))
        .collect()
    )
    written = [json.loads(w) for w in written]
    print(f"takar keys wrote {sum(w['rows'] for w in written)} rows of {len(written)} sources in {time.time() - started:.1f} s", file=sys.stderr)

    # Stage 2: exact answers from the bucketed Parquet. Pseudonyms are below 2^48: a Spark long
    # holds them (Spark reads Parquet's unsigned 64-bit integers as decimal(20,0)).
    rows = spark.read.option("basePath", out).parquet(out).withColumn("nik", F.col("nik_pseudonym").cast("long"))
    # One row per person with the person's region (a pseudonym has one district), and its
    # bucket, so each distinct runs within buckets.
    people = rows.select("bucket", "nik", "province_code", "regency_code").distinct().cache()
    write = lambda df, name: df.coalesce(1).write.mode("overwrite").parquet(os.path.join(a.result, name))
    write(people.groupBy("province_code").agg(F.count("*").alias("people")), "provinces")
    write(people.groupBy("province_code", "regency_code").agg(F.count("*").alias("people")), "regencies")
    write(people.agg(F.count("*").alias("people")), "total")
    per_source = rows.select("source", "bucket", "nik").distinct().cache()
    counts = rows.groupBy("source").agg(F.count("*").alias("rows"))
    write(
        per_source.groupBy("source").agg(F.count("*").alias("people")).join(counts, "source").select("source", "rows", "people"),
        "sources",
    )
    pa, pb = per_source.alias("a"), per_source.alias("b")
    overlap = (
        pa.join(pb, (F.col("a.bucket") == F.col("b.bucket")) & (F.col("a.nik") == F.col("b.nik")) & (F.col("a.source") < F.col("b.source")))
        .groupBy(F.col("a.source").alias("source_a"), F.col("b.source").alias("source_b"))
        .agg(F.count("*").alias("shared"))
    )
    write(overlap, "overlap")
    print(f"answers written in {time.time() - started:.1f} s", file=sys.stderr)
    spark.stop()


if __name__ == "__main__":
    main()
