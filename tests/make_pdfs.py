"""Writes real-shaped PDFs for tests/scan_containers.rs with fpdf2 (pure Python, from PyPI;
.ci/run installs it): a voter-list table of NIKs in a core font, the same table in an embedded
TrueType font (Identity-H text with a ToUnicode map, as office suites write), and a letter that
names people with labelled NIK and KK numbers in running text.

usage: make_pdfs.py NIKS_FILE OUT_DIR   (NIKS_FILE: one "nik,kk,name" line per person)
"""
import os
import sys

from fpdf import FPDF

people = [line.rstrip("\n").split(",", 2) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
out = sys.argv[2]
fonts = [("table_core.pdf", None)]
ttf = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
if os.path.exists(ttf):
    fonts.append(("table_ttf.pdf", ttf))
for name, font in fonts:
    pdf = FPDF()
    pdf.add_page()
    if font:
        pdf.add_font("dv", "", font)
        pdf.set_font("dv", size=8)
    else:
        pdf.set_font("Helvetica", size=8)
    pdf.cell(0, 6, "DAFTAR PEMILIH TETAP - KECAMATAN CONTOH", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=(12, 45, 80), first_row_as_headings=False) as table:
        for row in [["No", "NIK", "Nama"]] + [[str(i + 1), nik, nama[:30]] for i, (nik, _, nama) in enumerate(people)]:
            cells = table.row()
            for c in row:
                cells.cell(c)
    pdf.output(os.path.join(out, name))
pdf = FPDF()
pdf.add_page()
pdf.set_font("Helvetica", size=11)
text = "Dengan hormat, bersama ini kami sampaikan data penerima bantuan: "
text += "; ".join(f"{nama[:30]} (NIK {nik}, No. KK {kk})" for nik, kk, nama in people[:40]) + ". Demikian."
pdf.multi_cell(0, 6, text)
pdf.output(os.path.join(out, "letter.pdf"))
print(len(fonts) + 1)
