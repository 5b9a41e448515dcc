//! Guessing the dialect and the columns of a delimited dump from its first records: the
//! delimiter, whether the first record is a header, and which columns hold the NIK, the KK,
//! the birth date and the gender. Every guess can be overridden by a flag, and the report shows
//! what was guessed so that a wrong guess is fixed in one rerun.
//!
//! Columns are found by header name first (case, spaces and punctuation ignored: `NIK`,
//! `No. NIK`, `nik_ktp`, `NO_KK`...), then by content: the column whose sampled values are most
//! often valid NIKs. NIK and KK columns look alike (16 digits, same region prefix); a KK has no
//! day + 40, so the column with women's birth days is the NIK.

use crate::engine::{Role, RoleMap};
use crate::nik::{Check, Validator};
use crate::format::csv::Columns;
use crate::format::roles::{noun, HEADER_NAMES};
pub use crate::format::roles::ColumnChoice;
use crate::input::text::strip_bom;
use crate::nik::mask::mask_digits;

/// What the user fixed; `None` means "guess".
#[derive(Debug, Clone, Default)]
pub struct SniffOptions {
    pub delimiter: Option<u8>,
    pub header: Option<bool>,
    pub columns: RoleMap<Option<ColumnChoice>>,
}

impl SniffOptions {
    /// These options with `role`'s column fixed.
    pub fn with_column(mut self, role: Role, choice: ColumnChoice) -> SniffOptions {
        self.columns[role] = Some(choice);
        self
    }
}

/// The dialect and columns of one delimited input.
#[derive(Debug, Clone)]
pub struct Layout {
    pub delimiter: u8,
    pub header: bool,
    /// Header names (masked: a 16-digit run never appears here), or empty without a header.
    pub names: Vec<String>,
    pub columns: Columns,
    /// Bytes before the first data record (BOM and header).
    pub data_start: usize,
}

impl Layout {
    /// A column's display name: its header name, or `column N` (1-based).
    pub fn column_name(&self, col: Option<usize>) -> Option<String> {
        col.map(|c| match self.names.get(c) {
            Some(n) if self.header => n.clone(),
            _ => format!("column {}", c + 1),
        })
    }
}

/// Header name with case, spaces and punctuation removed.
pub fn canonical(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Splits one record into all of its fields (unquoted, unescaped), csv-core style. Slow; for
/// sniffing only. Returns the fields and where the next record starts, or `None` at the end.
pub fn split_record(data: &[u8], mut pos: usize, d: u8) -> Option<(Vec<Vec<u8>>, usize)> {
    while pos < data.len() && (data[pos] == b'\n' || data[pos] == b'\r') {
        pos += 1;
    }
    if pos >= data.len() {
        return None;
    }
    let mut fields = vec![Vec::new()];
    let mut quoted = false;
    let mut at_start = true;
    while pos < data.len() {
        let c = data[pos];
        pos += 1;
        let f = fields.last_mut().unwrap();
        if quoted {
            if c == b'"' {
                if data.get(pos) == Some(&b'"') {
                    f.push(b'"');
                    pos += 1;
                } else {
                    quoted = false;
                }
            } else {
                f.push(c);
            }
        } else if at_start && c == b'"' {
            quoted = true;
            at_start = false;
        } else if c == d {
            fields.push(Vec::new());
            at_start = true;
        } else if c == b'\n' || c == b'\r' {
            return Some((fields, pos));
        } else {
            f.push(c);
            at_start = false;
        }
    }
    Some((fields, pos))
}

fn sample_records(data: &[u8], d: u8, max: usize) -> Vec<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while out.len() < max {
        match split_record(data, pos, d) {
            Some((f, next)) => {
                out.push(f);
                pos = next;
            }
            None => break,
        }
    }
    out
}

/// Picks the delimiter whose field count is largest and most consistent over the sample.
fn sniff_delimiter(data: &[u8]) -> u8 {
    let mut best = (b',', 0usize, 0usize);
    for d in [b',', b';', b'\t', b'|'] {
        let recs = sample_records(data, d, 50);
        if recs.is_empty() {
            continue;
        }
        let mut counts: Vec<usize> = recs.iter().map(|r| r.len()).collect();
        counts.sort_unstable();
        let modal = counts[counts.len() / 2];
        let agree = counts.iter().filter(|&&c| c == modal).count();
        if modal > 1 && agree * 5 >= recs.len() * 4 && (agree, modal) > (best.1, best.2) {
            best = (d, agree, modal);
        }
    }
    best.0
}

fn find_by_name(names: &[String], list: &[&str]) -> Option<usize> {
    let canon: Vec<String> = names.iter().map(|n| canonical(n)).collect();
    list.iter().find_map(|want| canon.iter().position(|c| c == want))
}

/// The column `choice` names: by position, or by header name as written in the file (`raw`;
/// `shown` are the same names masked, for the message).
fn resolve_choice(choice: &ColumnChoice, raw: &[String], shown: &[String], header: bool, what: &str) -> Result<usize, String> {
    match choice {
        ColumnChoice::Position(n) => Ok(n - 1),
        ColumnChoice::Name(name) => {
            let want = canonical(name);
            let name = mask_digits(name);
            raw.iter()
                .position(|n| *n == *name || (header && canonical(n) == want))
                .filter(|_| header)
                .ok_or_else(|| {
                    if header {
                        format!("no {what} column named {name:?}; headers seen: {}", shown.join(", "))
                    } else {
                        format!("no header row, so {what} column {name:?} must be given as a number (1 = first column)")
                    }
                })
        }
    }
}

/// Per-column counts of valid NIKs, valid KKs and women's NIKs over the sample.
fn content_scores(records: &[Vec<Vec<u8>>], v: &Validator<'_>) -> Vec<(usize, usize, usize)> {
    let width = records.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut scores = vec![(0usize, 0usize, 0usize); width];
    for r in records {
        for (i, f) in r.iter().enumerate() {
            if let Check::Valid(n) = v.nik(f) {
                scores[i].0 += 1;
                if n.is_female() {
                    scores[i].2 += 1;
                }
            }
            if let Check::Valid(_) = v.kk(f) {
                scores[i].1 += 1;
            }
        }
    }
    scores
}

/// Whether a field holds a digit, ASCII or full-width (U+FF10-U+FF19, which the NIK
/// normaliser reads as digits too): a row of full-width numbers is data, not a header.
fn holds_digit(f: &[u8]) -> bool {
    f.iter().any(u8::is_ascii_digit) || f.windows(3).any(|w| matches!(w, [0xEF, 0xBC, 0x90..=0x99]))
}

/// Guesses the layout from a sample at the start of the input (after any BOM).
pub fn sniff(sample: &[u8], opts: &SniffOptions, v: &Validator<'_>) -> Result<Layout, String> {
    let data = strip_bom(sample);
    let bom = sample.len() - data.len();
    let delimiter = opts.delimiter.unwrap_or_else(|| sniff_delimiter(data));
    let records = sample_records(data, delimiter, 1000);
    // Names in the first record as written (to match a name given on the command line) and
    // masked (to be shown); they choose columns only if it turns out to be a header.
    let raw: Vec<String> = records.first().map(|r| r.iter().map(|f| String::from_utf8_lossy(f).trim().to_string()).collect()).unwrap_or_default();
    let first: Vec<String> = raw.iter().map(|n| mask_digits(n)).collect();
    let named = HEADER_NAMES.map(|list| find_by_name(&raw, list));
    let header = opts.header.unwrap_or_else(|| {
        let has_digits16 = |r: &Vec<Vec<u8>>| r.iter().any(|f| matches!(v.nik(f), Check::Valid(_)) || matches!(v.kk(f), Check::Valid(_)));
        let has_digit = |r: &Vec<Vec<u8>>| r.iter().any(|f| holds_digit(f));
        let label_like = |r: &Vec<Vec<u8>>| r.iter().all(|f| !f.is_empty() && !holds_digit(f));
        named[Role::Nik].is_some()
            || named[Role::Kk].is_some()
            || (records.first().is_some_and(|r| !has_digits16(r)) && records.iter().skip(1).any(has_digits16))
            || (records.first().is_some_and(label_like) && records.iter().skip(1).any(has_digit))
    });
    let data_start = bom + if header { split_record(data, 0, delimiter).map_or(data.len(), |(_, next)| next) } else { 0 };
    let body = if header && !records.is_empty() { &records[1..] } else { &records[..] };
    let names = if header { first } else { Vec::new() };

    let mut columns = Columns::default();
    for role in Role::ALL {
        columns[role] = match &opts.columns[role] {
            Some(c) => Some(resolve_choice(c, if header { &raw } else { &[] }, &names, header, noun(role))?),
            None if header => named[role],
            None => None,
        };
    }
    let (mut nik, mut kk) = (columns[Role::Nik], columns[Role::Kk]);

    if nik.is_none() || kk.is_none() {
        let scores = content_scores(body, v);
        let enough = |n: usize| n > 0 && n * 10 >= body.len() * 3;
        if nik.is_none() {
            // Most valid NIKs; among near-equals, the one with women's birth days.
            nik = (0..scores.len())
                .filter(|&i| Some(i) != kk && enough(scores[i].0))
                .max_by_key(|&i| (scores[i].0 + scores[i].2 * 2, std::cmp::Reverse(i)));
        }
        if kk.is_none() && opts.columns[Role::Kk].is_none() {
            kk = (0..scores.len())
                .filter(|&i| Some(i) != nik && enough(scores[i].1) && scores[i].2 * 10 <= scores[i].1)
                .max_by_key(|&i| (scores[i].1, std::cmp::Reverse(i)));
        }
    }
    let Some(nik) = nik else {
        let seen = if names.is_empty() { "(no header row)".to_string() } else { names.join(", ") };
        return Err(format!(
            "cannot find the NIK column: no header name like NIK/NO_KTP and no column of mostly valid NIKs in the first {} records; headers seen: {seen}; name it with --nik-column NAME|N",
            body.len()
        ));
    };
    if nik >= 256 || kk.is_some_and(|k| k >= 256) {
        return Err("takar reads NIK/KK columns among the first 256 columns only".into());
    }
    columns[Role::Nik] = Some(nik);
    columns[Role::Kk] = kk;
    Ok(Layout { delimiter, header, names, columns, data_start })
}
