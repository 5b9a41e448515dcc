#!/usr/bin/env python3
"""Reads takar's Parquet outputs with pandas, polars and duckdb and checks the contract.

Usage: python3 tests/readback.py OUTDIR

OUTDIR holds what `takar::report::write_outputs` writes: summary.json, provinces.parquet,
regencies.parquet, districts.parquet. Checks, for every file: the column names (in order),
their types and nullability; that the three libraries agree on the row count and on
sum(records) and sum(unique_nik); code widths; the sort order (unique_nik descending, then
code). Across files: every level sums to summary.json's nik.valid (records) and nik.unique
(unique_nik). Prints every failure and exits 1 if there is any, 0 otherwise.
"""

import json
import os
import sys

import duckdb
import pandas as pd
import polars as pl

S, U, F = "string", "uint64", "float64"
# population (uint64, null where the table has none) and coverage (float64): issue 10.
COVERAGE = [("population", U, True), ("coverage", F, True)]
CONTRACT = {
    "provinces.parquet": [
        ("province_code", S, False),
        ("province_name", S, False),
        ("current_code", S, True),
        ("records", U, False),
        ("unique_nik", U, False),
    ] + COVERAGE,
    "regencies.parquet": [
        ("province_code", S, False),
        ("province_name", S, False),
        ("regency_code", S, False),
        ("regency_name", S, False),
        ("kind", S, False),
        ("current_code", S, True),
        ("records", U, False),
        ("unique_nik", U, False),
    ] + COVERAGE,
    "districts.parquet": [
        ("province_code", S, False),
        ("province_name", S, False),
        ("regency_code", S, False),
        ("regency_name", S, False),
        ("district_code", S, False),
        ("district_name", S, False),
        ("current_code", S, True),
        ("records", U, False),
        ("unique_nik", U, False),
    ],
}
OWN_CODE = {
    "provinces.parquet": ("province_code", 2),
    "regencies.parquet": ("regency_code", 4),
    "districts.parquet": ("district_code", 6),
}
CODE_WIDTH = {"province_code": 2, "regency_code": 4, "district_code": 6}

failures = []


def fail(msg):
    failures.append(msg)


def check_pandas(name, path, contract):
    df = pd.read_parquet(path)
    cols = list(df.columns)
    want = [c for c, _, _ in contract]
    if cols != want:
        fail(f"{name}: pandas columns {cols}, expected {want}")
        return None
    for col, kind, nullable in contract:
        dt = df[col].dtype
        if kind == S:
            ok = pd.api.types.is_string_dtype(dt)
        elif kind == F:
            ok = str(dt) == "float64"
        else:
            # pandas turns a uint64 column holding nulls into float64.
            ok = str(dt) == "uint64" or (nullable and str(dt) in ("float64", "UInt64"))
        if not ok:
            fail(f"{name}: pandas dtype of {col} is {dt}, expected {kind}")
    return {
        "rows": len(df),
        "records": int(df["records"].sum()),
        "unique_nik": int(df["unique_nik"].sum()),
        "frame": df,
    }


def check_polars(name, path, contract):
    df = pl.read_parquet(path)
    want = [c for c, _, _ in contract]
    if df.columns != want:
        fail(f"{name}: polars columns {df.columns}, expected {want}")
        return None
    for col, kind, _ in contract:
        dt = df.schema[col]
        expected = pl.String if kind == S else pl.Float64 if kind == F else pl.UInt64
        if dt != expected:
            fail(f"{name}: polars dtype of {col} is {dt}, expected {expected}")
    return {
        "rows": df.height,
        "records": int(df["records"].sum()),
        "unique_nik": int(df["unique_nik"].sum()),
    }


def check_duckdb(name, path, contract):
    con = duckdb.connect()
    described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()
    types = [(r[0], r[1]) for r in described]
    want = [(c, "VARCHAR" if k == S else "DOUBLE" if k == F else "UBIGINT") for c, k, _ in contract]
    if types != want:
        fail(f"{name}: duckdb columns {types}, expected {want}")
        return None
    # Nullability straight from the Parquet schema: REQUIRED for non-null columns.
    reps = dict(
        con.execute(
            "SELECT name, repetition_type FROM parquet_schema(?) WHERE num_children IS NULL OR num_children = 0",
            [path],
        ).fetchall()
    )
    for col, _, nullable in contract:
        want_rep = "OPTIONAL" if nullable else "REQUIRED"
        if reps.get(col) != want_rep:
            fail(f"{name}: {col} is {reps.get(col)} in the Parquet schema, expected {want_rep}")
    rows, records, unique = con.execute(
        "SELECT count(*), coalesce(sum(records), 0), coalesce(sum(unique_nik), 0) FROM read_parquet(?)",
        [path],
    ).fetchone()
    return {"rows": int(rows), "records": int(records), "unique_nik": int(unique)}


def check_values(name, df):
    """Code widths, kinds and order, on the pandas frame."""
    own, width = OWN_CODE[name]
    for col, w in CODE_WIDTH.items():
        if col not in df.columns:
            continue
        bad = [c for c in df[col] if not (isinstance(c, str) and len(c) == w and c.isascii() and c.isdigit())]
        if bad:
            fail(f"{name}: {col} values not {w} digits: {bad[:5]}")
    cur = [c for c in df["current_code"] if isinstance(c, str)]
    bad = [c for c in cur if not (len(c) == width and c.isascii() and c.isdigit())]
    if bad:
        fail(f"{name}: current_code values not {width} digits: {bad[:5]}")
    if "kind" in df.columns:
        bad = sorted(set(df["kind"]) - {"kabupaten", "kota"})
        if bad:
            fail(f"{name}: unexpected kind values {bad}")
    if len(df) and (df["records"] == 0).any():
        fail(f"{name}: rows with zero records")
    keys = [(-int(u), str(c)) for u, c in zip(df["unique_nik"], df[own])]
    if keys != sorted(keys):
        fail(f"{name}: not sorted by unique_nik descending, then {own}")
    if len(set(df[own])) != len(df):
        fail(f"{name}: duplicate {own}")


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    outdir = argv[1]
    try:
        with open(os.path.join(outdir, "summary.json"), encoding="utf-8") as f:
            summary = json.load(f)
        nik_valid, nik_unique = int(summary["nik"]["valid"]), int(summary["nik"]["unique"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"readback: cannot read summary.json nik.valid/nik.unique in {outdir}: {e}", file=sys.stderr)
        return 1

    for name, contract in CONTRACT.items():
        path = os.path.join(outdir, name)
        if not os.path.isfile(path):
            fail(f"{name}: missing")
            continue
        results = {}
        for lib, check in (("pandas", check_pandas), ("polars", check_polars), ("duckdb", check_duckdb)):
            try:
                r = check(name, path, contract)
            except Exception as e:  # a file one library cannot read is a failure, not a crash
                fail(f"{name}: {lib} cannot read it: {type(e).__name__}: {e}")
                r = None
            if r is not None:
                results[lib] = r
        if len(results) != 3:
            continue
        for key in ("rows", "records", "unique_nik"):
            seen = {lib: r[key] for lib, r in results.items()}
            if len(set(seen.values())) != 1:
                fail(f"{name}: libraries disagree on {key}: {seen}")
        check_values(name, results["pandas"]["frame"])
        got = results["duckdb"]
        if got["records"] != nik_valid:
            fail(f"{name}: sum(records) = {got['records']}, summary.json nik.valid = {nik_valid}")
        if got["unique_nik"] != nik_unique:
            fail(f"{name}: sum(unique_nik) = {got['unique_nik']}, summary.json nik.unique = {nik_unique}")
        print(f"{name}: {got['rows']} rows, records {got['records']}, unique_nik {got['unique_nik']}")

    if failures:
        for f in failures:
            print(f"readback: FAIL: {f}", file=sys.stderr)
        return 1
    print("readback: OK (pandas, polars and duckdb agree with summary.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
