//! Which parser an input needs: the format is sniffed from the first bytes (or fixed by
//! `--format`), and each format module turns a sample into a ready parser plus the details
//! the report shows (format, delimiter, header, columns), so a wrong guess is visible; each
//! returns its own parser in a [`Found`] ([`layout`]), wrapped here into [`Parser`].
//! Every parser implements [`Splittable`], so all formats share the parallel chunker and the
//! counting rules.

pub mod csv;
pub mod json;
pub mod layout;
pub mod roles;
mod simd;
pub mod sheet;
pub mod sql;
pub mod text;

use crate::nik::Validator;
use crate::engine::{scan_slice, Context, Role, Splittable};
use crate::format::csv::RecordParser;
use crate::format::csv::sniff::SniffOptions;
use crate::engine::Harvest;
use crate::input::text::strip_bom;
pub use layout::{Details, Found};

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

/// A ready parser of one of the supported formats. One is built per input and used by
/// reference, so the CSV parser's inline tables are left unboxed.
#[allow(clippy::large_enum_variant)]
pub enum Parser {
    Delimited(RecordParser),
    Sql(sql::SqlParser),
    Json(json::JsonParser),
    Text(text::TextParser),
}

/// What detection found for one input, with the parser wrapped.
pub type Detected = Found<Parser>;

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
        Format::Sql => return Ok(sql::detect(sample, whole, all, &opts, v)?.map(|f| f.map_parser(Parser::Sql))),
        Format::Jsonl | Format::Json => return Ok(json::detect(sample, whole, &opts, v)?.map(|f| f.map_parser(Parser::Json))),
        Format::Text => return Ok(Some(text::detect(sample).map_parser(Parser::Text))),
        other => return Err(format!("--format {} is not supported yet", other.as_str())),
    }
    let found = csv::detect(sample, whole, &opts, v).map(|f| f.map(|f| f.map_parser(Parser::Delimited)));
    // No column of NIKs, yet 16-digit tokens: without a header row it is a paste without
    // structure, read as text. CSV stays the default; a header row, a delimiter or a column
    // named on the command line means columns, and the error stands (with a hint).
    let told = opts.delimiter.is_some() || opts.columns[Role::Nik].is_some() || opts.columns[Role::Kk].is_some();
    match found {
        Err(message) if auto && !told && text::has_token(sample) => {
            if text::header_like(sample) {
                Err(format!("{message}; if this is free text rather than columns, use --format text"))
            } else {
                Ok(Some(text::detect(sample).map_parser(Parser::Text)))
            }
        }
        found => found,
    }
}

/// Runs the chunker with whichever parser this is.
pub fn scan_with(parser: &Parser, ctx: &Context<'_>, data: &[u8], base: u64, eof: bool, chunk_size: usize) -> (Harvest, usize) {
    fn run<P: Splittable>(p: &P, ctx: &Context<'_>, data: &[u8], base: u64, eof: bool, chunk: usize) -> (Harvest, usize) {
        scan_slice(p, ctx, data, base, eof, chunk)
    }
    match parser {
        Parser::Delimited(p) => run(p, ctx, data, base, eof, chunk_size),
        Parser::Sql(p) => run(p, ctx, data, base, eof, chunk_size),
        Parser::Json(p) => run(p, ctx, data, base, eof, chunk_size),
        Parser::Text(p) => run(p, ctx, data, base, eof, chunk_size),
    }
}
