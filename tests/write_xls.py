"""Writes a CSV file as a legacy .xls workbook (BIFF8) with every cell as text, the way a
careful exporter stores NIKs; tests/scan_sheet.rs scans it. Needs xlwt (installed by .ci/run).

    python3 tests/write_xls.py IN.csv OUT.xls
"""
import csv
import sys

import xlwt

book = xlwt.Workbook(encoding="utf-8")
sheet = book.add_sheet("DPT")
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    for r, row in enumerate(csv.reader(f)):
        for c, value in enumerate(row):
            if value != "":
                sheet.write(r, c, value)
book.save(sys.argv[2])
