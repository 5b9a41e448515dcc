#!/usr/bin/env python3
"""Asks DuckDB the README's questions of `takar keys` output and checks the answers.

Usage: python3 tests/keys_duckdb.py KEYS_DIR EXPECTED.json

KEYS_DIR is what `takar keys ... --out KEYS_DIR` wrote (bucket=NNN/part-*.parquet).
EXPECTED.json (written by tests/keys_buckets.rs) holds `takar scan`'s unique NIKs per
province and per regency code over the same inputs, and `takar overlap --json` of them.
Runs the README's queries, unchanged but for the folder: distinct people per province and
regency in one query, the same bucket by bucket, and the pairwise overlap of sources; each
must equal takar's answer exactly. Prints every failure and exits 1 if there is any.
"""

import json
import sys

import duckdb

keys_dir, expected_path = sys.argv[1], sys.argv[2]
expected = json.load(open(expected_path))
failures = []


def check(what, got, want):
    if got != want:
        failures.append(f"{what}: got {got!r}, want {want!r}")


con = duckdb.connect()
files = f"{keys_dir}/*/*.parquet"

# README: distinct people per province and per regency, one query.
rows = con.execute(
    """
    SELECT province_code, regency_code, count(DISTINCT nik_pseudonym) AS people
    FROM read_parquet(?, hive_partitioning = true)
    GROUP BY GROUPING SETS ((province_code), (province_code, regency_code))
    """,
    [files],
).fetchall()
provinces = {p: n for p, r, n in rows if r is None}
regencies = {r: n for p, r, n in rows if r is not None}
check("people per province", provinces, expected["provinces"])
check("people per regency", regencies, expected["regencies"])

# README: the same count bucket by bucket (a person lives in one bucket), then added.
rows = con.execute(
    """
    SELECT province_code, sum(people)::BIGINT
    FROM (SELECT bucket, province_code, count(DISTINCT nik_pseudonym) AS people
          FROM read_parquet(?, hive_partitioning = true) GROUP BY ALL)
    GROUP BY ALL
    """,
    [files],
).fetchall()
check("people per province, bucket by bucket", dict(rows), expected["provinces"])

# README: each source's distinct people and the pairwise overlap of sources.
rows = con.execute(
    """
    WITH people AS (SELECT DISTINCT source, nik_pseudonym FROM read_parquet(?))
    SELECT a.source, b.source, count(*) AS shared
    FROM people a JOIN people b USING (nik_pseudonym)
    WHERE a.source <= b.source
    GROUP BY ALL
    """,
    [files],
).fetchall()
unique = {a: n for a, b, n in rows if a == b}
shared = {tuple(sorted((a, b))): n for a, b, n in rows if a != b}
overlap = expected["overlap"]
check("people per source", unique, {s["name"]: s["unique"] for s in overlap["sets"]})
check(
    "overlap of sources",
    shared,
    {tuple(sorted((p["a"], p["b"]))): p["intersection"] for p in overlap["pairs"] if p["intersection"] > 0},
)
if not any(n > 0 for n in shared.values()):
    failures.append("the fixture's sources should overlap")

# Types as the README promises them; DuckDB reads the folder names as a `bucket` column.
types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))", [files]).fetchall())
check("types", types, {
    "nik_pseudonym": "UBIGINT",
    "kk_pseudonym": "UBIGINT",
    "province_code": "VARCHAR",
    "regency_code": "VARCHAR",
    "district_code": "VARCHAR",
    "source": "VARCHAR",
    "bucket": "VARCHAR",
})

for f in failures:
    print("FAIL", f)
print(f"keys_duckdb: {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
