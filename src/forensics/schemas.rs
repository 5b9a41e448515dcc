//! The source fingerprint: a dump's column names matched against the known schemas of
//! `data/schemas.csv` (KPU voter list, BPJS Kesehatan, Dukcapil SIAK, e-commerce, telco SIM
//! registration), the way Dukcapil named the 2021 BPJS dump from its column list.
//!
//! A schema scores the share of its columns the dump has (`matched / columns`); the best
//! scoring schema is reported when at least [`MIN_MATCHED`] columns and [`MIN_SCORE`] of the
//! schema match, else `looks_like` is null. Names are compared canonically (lower case, letters
//! and digits only), as header detection compares them.

use serde::Serialize;

const SCHEMAS_CSV: &str = include_str!("data/schemas.csv");

/// Fewest matching columns for a guess (`nik` and `nama` alone say little).
pub const MIN_MATCHED: usize = 4;
/// Smallest share of a schema's columns for a guess.
pub const MIN_SCORE: f64 = 0.5;

/// What the dump's columns look like: `source` in `summary.json`.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SourceGuess {
    /// The schema's name, or null when none matches well enough.
    pub looks_like: Option<String>,
    /// The best schema's columns that the dump has (the schema's first spelling of each).
    pub matched_columns: Vec<String>,
    /// `matched / columns of the schema`, in 0..1 (of the best schema, even below the bar).
    pub score: f64,
}

/// One schema: its name and its columns, each a list of accepted spellings.
struct Schema {
    name: &'static str,
    columns: Vec<Vec<&'static str>>,
}

fn schemas() -> Vec<Schema> {
    let mut out: Vec<Schema> = Vec::new();
    for line in SCHEMAS_CSV.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let Some((name, column)) = line.split_once(',') else { continue };
        let spellings = column.split('|').map(str::trim).filter(|c| !c.is_empty()).collect();
        match out.last_mut() {
            Some(s) if s.name == name => s.columns.push(spellings),
            _ => out.push(Schema { name, columns: vec![spellings] }),
        }
    }
    out
}

/// A header name with case, spaces and punctuation removed.
pub fn canonical(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The schema the headers (of every input of the dump together) match best.
pub fn fingerprint<'a>(headers: impl IntoIterator<Item = &'a str>) -> SourceGuess {
    let have: Vec<String> = headers.into_iter().map(canonical).filter(|h| !h.is_empty()).collect();
    let mut best = SourceGuess::default();
    let mut best_name = None;
    for s in schemas() {
        let matched: Vec<String> =
            s.columns.iter().filter(|spellings| spellings.iter().any(|c| have.iter().any(|h| h == c))).map(|sp| sp[0].to_string()).collect();
        let score = matched.len() as f64 / s.columns.len() as f64;
        if score > best.score {
            best_name = (matched.len() >= MIN_MATCHED && score >= MIN_SCORE).then(|| s.name.to_string());
            best = SourceGuess { looks_like: None, matched_columns: matched, score };
        }
    }
    best.looks_like = best_name;
    best.score = (best.score * 1e4).round() / 1e4;
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_shapes_are_recognised() {
        let kpu = ["nik", "nkk", "nama", "jenis_kelamin", "tempat_lahir", "tanggal_lahir", "status_kawin", "alamat", "rt", "rw", "kelurahan", "kecamatan", "kabupaten", "tps"];
        let g = fingerprint(kpu);
        assert_eq!(g.looks_like.as_deref(), Some("kpu_voter_list"));
        assert_eq!(g.matched_columns.len(), 14);
        assert_eq!(g.score, 0.875, "14 of 16 columns");
        let bpjs = ["PSNOKA", "PSNOKALAMA", "NAMA", "NMCETAK", "JENKEL", "TGLLHR", "NIK", "NOKA", "KDKANTOR"];
        assert_eq!(fingerprint(bpjs).looks_like, None, "9 of 26 is under half");
        let bpjs_full = [
            "PSNOKA", "PSNOKALAMA", "PSNOKALAMA2", "NAMA", "NMCETAK", "JENKEL", "AGAMA", "TMPLHR", "TGLLHR", "FLAGTANGGUNGAN", "NOHP", "NIK", "NOKTP", "TMT",
        ];
        assert_eq!(fingerprint(bpjs_full).looks_like.as_deref(), Some("bpjs_kesehatan"));
        let sim = ["NIK", "MSISDN", "PROVIDER", "REG_DATE"];
        let g = fingerprint(sim);
        assert_eq!((g.looks_like.as_deref(), g.score), (Some("telco_sim_registration"), 0.6667));
        let bare = fingerprint(["nik", "nama", "alamat"]);
        assert_eq!(bare.looks_like, None, "three common columns are no fingerprint");
        assert_eq!(fingerprint([]), SourceGuess::default());
    }
}
