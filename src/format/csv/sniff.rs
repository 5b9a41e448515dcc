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
pub fn split_record(data: &[u8], pos: usize, d: u8) -> Option<(Vec<Vec<u8>>, usize)> {
    split_quoted(data, pos, d, b'"')
}

/// [`split_record`] with `quote` as the quote character.
fn split_quoted(data: &[u8], mut pos: usize, d: u8, quote: u8) -> Option<(Vec<Vec<u8>>, usize)> {
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
            if c == quote {
                if data.get(pos) == Some(&quote) {
                    f.push(quote);
                    pos += 1;
                } else {
                    quoted = false;
                }
            } else {
                f.push(c);
            }
        } else if at_start && c == quote {
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
    sample_quoted(data, d, b'"', max)
}

fn sample_quoted(data: &[u8], d: u8, quote: u8, max: usize) -> Vec<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while out.len() < max {
        match split_quoted(data, pos, d, quote) {
            Some((f, next)) => {
                out.push(f);
                pos = next;
            }
            None => break,
        }
    }
    out
}

/// How consistently `d` splits the first records: (records, records with the usual field
/// count, that count). Fields are split with `"` as the quote, and with `'` (a dump quoted
/// the SQL way, where a quoted field may hold the delimiter); the steadier reading counts.
fn consistency(data: &[u8], d: u8) -> (usize, usize, usize) {
    let mut best = (0, 0, 0);
    for quote in [b'"', b'\''] {
        let recs = sample_quoted(data, d, quote, 50);
        if recs.is_empty() {
            continue;
        }
        let mut counts: Vec<usize> = recs.iter().map(|r| r.len()).collect();
        counts.sort_unstable();
        let modal = counts[counts.len() / 2];
        let agree = counts.iter().filter(|&&c| c == modal).count();
        if (agree, modal) > (best.1, best.2) {
            best = (recs.len(), agree, modal);
        }
    }
    best
}

/// Picks the delimiter whose field count is largest and most consistent over the sample: one
/// that splits at least 4 records in 5 alike if any does, else (a short file with a header
/// or a footer line such as `(3 rows)`) one that splits most records alike, else `,`. On a
/// tie a tab or `|` wins over `,` and `;`, which fields hold far more often.
fn sniff_delimiter(data: &[u8]) -> u8 {
    let mut strict = (b',', 0usize, 0usize);
    let mut loose = (b',', 0usize, 0usize);
    for d in [b'\t', b'|', b',', b';'] {
        let (n, agree, modal) = consistency(data, d);
        if modal <= 1 {
            continue;
        }
        if agree * 5 >= n * 4 && (agree, modal) > (strict.1, strict.2) {
            strict = (d, agree, modal);
        }
        if agree * 2 > n && (agree, modal) > (loose.1, loose.2) {
            loose = (d, agree, modal);
        }
    }
    if strict.1 > 0 {
        strict.0
    } else {
        loose.0
    }
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

#[cfg(test)]
mod tests {
    use super::sniff_delimiter;

    #[test]
    fn a_tsv_whose_fields_carry_single_quotes_is_tab_separated() {
        // Quoted the SQL way, with a tab inside a quoted field.
        let tabbed = b"nik\tnama\tcatatan\n3507011508900001\t'BUDI'\t'a\tb'\n3507015508900002\t'SITI'\t'x'\n3507011508900003\t'ANI'\t'c\td'\n";
        assert_eq!(sniff_delimiter(tabbed), b'\t');
        // Commas and apostrophes inside the fields, as many commas as tabs on each line.
        let commas = b"nik\tnama\n'3507011508900001'\t'BUDI, S.H.'\n'3507015508900002'\t'SITI, S.Pd.'\n'3507011508900003'\t'O'NEIL, M.'\n";
        assert_eq!(sniff_delimiter(commas), b'\t');
        // A leading apostrophe (a spreadsheet's text mark) opens no quote for the tab reading.
        let marked = b"nik\tnama\n'3507011508900001\tBUDI\n'3507015508900002\tSITI\n'3507011508900003\tANI\n";
        assert_eq!(sniff_delimiter(marked), b'\t');
    }

    #[test]
    fn a_pipe_file_with_a_footer_line_is_pipe_separated() {
        let footer = b"nik|nama\n3507011508900001|BUDI\n3507015508900002|SITI\n(2 rows)\n";
        assert_eq!(sniff_delimiter(footer), b'|');
        let psql = b" nik              | nama\n------------------+------\n 3507011508900001 | BUDI\n 3507015508900002 | SITI\n(2 rows)\n\n";
        assert_eq!(sniff_delimiter(psql), b'|');
    }

    #[test]
    fn plain_files_keep_their_delimiter() {
        assert_eq!(sniff_delimiter(b"nik,nama\n3507011508900001,BUDI\n"), b',');
        assert_eq!(sniff_delimiter(b"nik;nama\n3507011508900001;\"BUDI, S\"\n"), b';');
        assert_eq!(sniff_delimiter(b"nik,nama\n3507011508900001,\"a;b\"\n3507011508900002,\"c;d\"\n"), b',');
        assert_eq!(sniff_delimiter(b"3507011508900001\n3507011508900002\n"), b',');
        assert_eq!(sniff_delimiter(b"nik,nama,alamat\n1,O'NEIL,JL. X\n2,D'ARC,JL. Y\n3,X,Y\n"), b',');
    }
}
