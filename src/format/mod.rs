//! Which parser an input needs: the format is sniffed from the first bytes (or fixed by
//! `--format`), and each format module turns a sample into a ready parser plus the details
//! the report shows (format, delimiter, header, columns), so a wrong guess is visible.
//! Every parser implements [`Splittable`], so all formats share the parallel chunker and the
//! counting rules.

pub mod csv;
pub mod json;
pub(crate) mod simd;
pub mod sheet;
pub mod sql;
pub mod text;

use crate::nik::Validator;
use crate::engine::{scan_slice, Context, Splittable};
use crate::format::csv::RecordParser;
use crate::format::csv::sniff::{self, SniffOptions};
use crate::input::text::strip_bom;
use crate::report::summary::InputSummary;
use crate::engine::tally::Tally;

/// Input formats (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Auto,
    Csv,
    Tsv,
    Psv,
    Sql,
    Jsonl,
    Json,
    Xlsx,
    Text,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Psv => "psv",
            Format::Sql => "sql",
            Format::Jsonl => "jsonl",
            Format::Json => "json",
            Format::Xlsx => "xlsx",
            Format::Text => "text",
        }
    }
}

/// A ready parser of one of the supported formats.
pub enum Parser {
    Delimited(RecordParser),
    Sql(sql::SqlParser),
    Json(json::JsonParser),
    Text(text::TextParser),
}

/// What detection found for one input.
pub struct Detected {
    pub parser: Parser,
    /// Bytes before the first record (BOM, header).
    pub data_start: usize,
    /// What the report shows: format, delimiter, header, column names.
    pub details: Details,
}

#[derive(Debug, Clone, Default)]
pub struct Details {
    pub format: &'static str,
    pub delimiter: Option<String>,
    pub header: bool,
    pub nik_column: Option<String>,
    pub kk_column: Option<String>,
    pub birth_date_column: Option<String>,
    pub gender_column: Option<String>,
}

impl Details {
    pub fn apply(&self, info: &mut InputSummary) {
        info.format = self.format.into();
        info.delimiter = self.delimiter.clone();
        info.header = self.header;
        info.nik_column = self.nik_column.clone();
        info.kk_column = self.kk_column.clone();
        info.birth_date_column = self.birth_date_column.clone();
        info.gender_column = self.gender_column.clone();
    }
}

/// The format the first bytes look like, for `--format auto`.
pub fn sniff_format(sample: &[u8]) -> Format {
    let body = strip_bom(sample);
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    let head = &body[start..body.len().min(start + 4096)];
    let upper: Vec<u8> = head.iter().take(64).map(u8::to_ascii_uppercase).collect();
    let sql_start = [&b"--"[..], b"/*", b"CREATE ", b"INSERT ", b"SET ", b"DROP ", b"LOCK ", b"USE ", b"BEGIN", b"COPY ", b"START "];
    if sql_start.iter().any(|s| upper.starts_with(s)) {
        Format::Sql
    } else if head.first() == Some(&b'{') {
        Format::Jsonl
    } else if head.first() == Some(&b'[') {
        Format::Json
    } else {
        Format::Csv
    }
}

/// Detects the layout of an input from a sample of its first bytes (`whole` when the sample is
/// the entire input; `all` is the entire input when it is memory-mapped, for formats that look
/// further ahead, such as SQL dumps whose CREATE TABLE lies beyond the sample).
/// `Ok(None)`: no records at all (empty, whitespace, header only).
pub fn detect(
    sample: &[u8],
    whole: bool,
    all: Option<&[u8]>,
    format: Format,
    opts: &SniffOptions,
    v: &Validator<'_>,
) -> Result<Option<Detected>, String> {
    let auto = format == Format::Auto;
    let format = if auto { sniff_format(sample) } else { format };
    let mut opts = opts.clone();
    match format {
        Format::Tsv => opts.delimiter = opts.delimiter.or(Some(b'\t')),
        Format::Psv => opts.delimiter = opts.delimiter.or(Some(b'|')),
        Format::Csv | Format::Auto => {}
        Format::Sql => return sql::detect(sample, whole, all, &opts, v),
        Format::Jsonl | Format::Json => return json::detect(sample, whole, format, &opts, v),
        Format::Text => return Ok(Some(text::detect(sample))),
        other => return Err(format!("--format {} is not supported yet", other.as_str())),
    }
    let found = detect_delimited(sample, whole, &opts, v);
    // No column of NIKs, yet 16-digit tokens: without a header row it is a paste without
    // structure, read as text. CSV stays the default; a header row, a delimiter or a column
    // named on the command line means columns, and the error stands (with a hint).
    let told = opts.delimiter.is_some() || opts.nik.is_some() || opts.kk.is_some();
    match found {
        Err(message) if auto && !told && text::has_token(sample) => {
            if text::header_like(sample) {
                Err(format!("{message}; if this is free text rather than columns, use --format text"))
            } else {
                Ok(Some(text::detect(sample)))
            }
        }
        found => found,
    }
}

fn detect_delimited(sample: &[u8], whole: bool, opts: &SniffOptions, v: &Validator<'_>) -> Result<Option<Detected>, String> {
    let body = strip_bom(sample);
    let l = match sniff::sniff(sample, opts, v) {
        Ok(l) => l,
        Err(message) => {
            // A header-only file has no records to size; anything else needs its column.
            let only_header =
                whole && sniff::split_record(body, 0, b',').is_some_and(|(_, n)| sniff::split_record(body, n, b',').is_none());
            return if only_header { Ok(None) } else { Err(message) };
        }
    };
    let details = Details {
        format: match l.delimiter {
            b'\t' => "tsv",
            b'|' => "psv",
            _ => "csv",
        },
        delimiter: Some(if l.delimiter == b'\t' { "\\t".into() } else { (l.delimiter as char).to_string() }),
        header: l.header,
        nik_column: l.column_name(l.columns.nik),
        kk_column: l.column_name(l.columns.kk),
        birth_date_column: l.column_name(l.columns.birth_date),
        gender_column: l.column_name(l.columns.gender),
    };
    Ok(Some(Detected { parser: Parser::Delimited(RecordParser::new(l.delimiter, l.columns)), data_start: l.data_start, details }))
}

/// Runs the chunker with whichever parser this is.
pub fn scan_with(parser: &Parser, ctx: &Context<'_>, data: &[u8], base: u64, eof: bool, chunk_size: usize) -> (Tally, usize) {
    fn run<P: Splittable>(p: &P, ctx: &Context<'_>, data: &[u8], base: u64, eof: bool, chunk: usize) -> (Tally, usize) {
        scan_slice(p, ctx, data, base, eof, chunk)
    }
    match parser {
        Parser::Delimited(p) => run(p, ctx, data, base, eof, chunk_size),
        Parser::Sql(p) => run(p, ctx, data, base, eof, chunk_size),
        Parser::Json(p) => run(p, ctx, data, base, eof, chunk_size),
        Parser::Text(p) => run(p, ctx, data, base, eof, chunk_size),
    }
}
