//! Fields to bytes, per format: the quoting and escaping rules of each dump format, the header
//! and the footer.
//!
//! CSV follows RFC 4180 (quote a field holding a comma, quote or line break; double the quotes).
//! TSV has no quoting at all, so its fields never hold a tab or line break (the field builder
//! makes sure). SQL is what mysqldump writes: `INSERT` statements of [`SQL_ROWS_PER_INSERT`] rows,
//! single-quoted strings with backslash escapes, `NULL` for a missing value. JSONL is one object
//! per line, every value a string or `null`.

use crate::generate::person::{Fields, COLUMNS};
use crate::generate::config::DumpFormat;

/// Rows per extended `INSERT`, as mysqldump's default packet size gives for rows this wide.
pub(crate) const SQL_ROWS_PER_INSERT: u64 = 500;

/// Everything before the first record.
pub(crate) fn header(format: DumpFormat, out: &mut Vec<u8>) {
    match format {
        DumpFormat::Csv | DumpFormat::Tsv => {
            let sep = if format == DumpFormat::Csv { b',' } else { b'\t' };
            for (i, c) in COLUMNS.iter().enumerate() {
                if i > 0 {
                    out.push(sep);
                }
                out.extend_from_slice(c.as_bytes());
            }
            out.push(b'\n');
        }
        DumpFormat::Sql => {
            out.extend_from_slice(
                b"-- MySQL dump 10.13  Distrib 5.7.33, for Linux (x86_64)\n--\n-- Host: localhost    Database: kpu\n\
                  -- ------------------------------------------------------\n\n\
                  /*!40101 SET NAMES utf8mb4 */;\n\nDROP TABLE IF EXISTS `dpt`;\nCREATE TABLE `dpt` (\n",
            );
            for c in COLUMNS {
                out.extend_from_slice(b"  `");
                out.extend_from_slice(c.as_bytes());
                out.extend_from_slice(b"` varchar(255) DEFAULT NULL,\n");
            }
            out.extend_from_slice(b"  KEY `idx_nik` (`nik`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\n");
            out.extend_from_slice(b"LOCK TABLES `dpt` WRITE;\n");
        }
        DumpFormat::Jsonl => {}
    }
}

/// Everything after the last record.
pub(crate) fn footer(format: DumpFormat, out: &mut Vec<u8>) {
    if format == DumpFormat::Sql {
        out.extend_from_slice(b"UNLOCK TABLES;\n\n-- Dump completed\n");
    }
}

/// Appends record `row` (0-based) of `records` to `out`.
pub(crate) fn record(format: DumpFormat, row: u64, records: u64, f: &Fields, out: &mut Vec<u8>) {
    match format {
        DumpFormat::Csv => delimited(f, b',', true, out),
        DumpFormat::Tsv => delimited(f, b'\t', false, out),
        DumpFormat::Sql => sql(row, records, f, out),
        DumpFormat::Jsonl => jsonl(f, out),
    }
}

fn delimited(f: &Fields, sep: u8, quote: bool, out: &mut Vec<u8>) {
    for (i, (t, &present)) in f.text.iter().zip(&f.present).enumerate() {
        if i > 0 {
            out.push(sep);
        }
        if !present {
            continue;
        }
        if quote && t.iter().any(|&c| matches!(c, b',' | b'"' | b'\n' | b'\r')) {
            out.push(b'"');
            for &c in t {
                if c == b'"' {
                    out.push(b'"');
                }
                out.push(c);
            }
            out.push(b'"');
        } else {
            debug_assert!(quote || !t.iter().any(|&c| matches!(c, b'\t' | b'\n' | b'\r')));
            out.extend_from_slice(t);
        }
    }
    out.push(b'\n');
}

fn sql(row: u64, records: u64, f: &Fields, out: &mut Vec<u8>) {
    if row % SQL_ROWS_PER_INSERT == 0 {
        out.extend_from_slice(b"INSERT INTO `dpt` (");
        for (i, c) in COLUMNS.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'`');
            out.extend_from_slice(c.as_bytes());
            out.push(b'`');
        }
        out.extend_from_slice(b") VALUES (");
    } else {
        out.extend_from_slice(b",(");
    }
    for (i, (t, &present)) in f.text.iter().zip(&f.present).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if !present {
            out.extend_from_slice(b"NULL");
            continue;
        }
        out.push(b'\'');
        for &c in t {
            // mysqldump's escapes (mysql_real_escape_string).
            match c {
                b'\'' | b'"' | b'\\' => out.extend_from_slice(&[b'\\', c]),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                0 => out.extend_from_slice(b"\\0"),
                _ => out.push(c),
            }
        }
        out.push(b'\'');
    }
    out.push(b')');
    if row % SQL_ROWS_PER_INSERT == SQL_ROWS_PER_INSERT - 1 || row + 1 == records {
        out.extend_from_slice(b";\n");
    }
}

fn jsonl(f: &Fields, out: &mut Vec<u8>) {
    out.push(b'{');
    for (i, (t, &present)) in f.text.iter().zip(&f.present).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(COLUMNS[i].as_bytes());
        out.extend_from_slice(b"\":");
        if !present {
            out.extend_from_slice(b"null");
            continue;
        }
        out.push(b'"');
        for &c in t {
            match c {
                b'"' | b'\\' => out.extend_from_slice(&[b'\\', c]),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0..=0x1F => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[usize::from(c >> 4)], HEX[usize::from(c & 15)]]);
                }
                _ => out.push(c),
            }
        }
        out.push(b'"');
    }
    out.extend_from_slice(b"}\n");
}
