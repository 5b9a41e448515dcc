//! `takar overlap`'s answer as JSON (`{"sets": [...], "pairs": [...]}`, the keys scripts rely
//! on) and as a readable table. Pure: figures and names in, a `String` out.

use std::fmt::Write as _;

use serde::Serialize;

use super::terminal::thousands;
use crate::engine::overlap::Overlap;
use crate::nik::RegionTable;

#[derive(Serialize)]
struct SetRow<'a> {
    name: &'a str,
    unique: u64,
    only_here: u64,
}

#[derive(Serialize)]
struct ProvinceRow<'a> {
    province_code: String,
    province_name: &'a str,
    intersection: u64,
}

#[derive(Serialize)]
struct PairRow<'a> {
    a: &'a str,
    b: &'a str,
    intersection: u64,
    jaccard: f64,
    b_in_a: f64,
    a_in_b: f64,
    per_province: Vec<ProvinceRow<'a>>,
}

#[derive(Serialize)]
struct Json<'a> {
    key_fingerprint: &'a str,
    sets: Vec<SetRow<'a>>,
    pairs: Vec<PairRow<'a>>,
}

fn province_name(regions: &RegionTable, code: u8) -> &str {
    regions.province(u32::from(code)).map_or("", |id| regions.province_info(id).name.as_str())
}

/// Shares rounded to 6 places, as `summary.json` rounds its figures.
fn round(x: f64) -> f64 {
    super::json::round_to(x, 1e6)
}

/// The JSON form, pretty, ending in a newline.
pub fn render_json(names: &[String], key_fingerprint: &str, o: &Overlap, regions: &RegionTable) -> String {
    let json = Json {
        key_fingerprint,
        sets: names.iter().zip(&o.sets).map(|(n, s)| SetRow { name: n, unique: s.unique, only_here: s.only_here }).collect(),
        pairs: o
            .pairs
            .iter()
            .map(|p| PairRow {
                a: &names[p.a],
                b: &names[p.b],
                intersection: p.intersection,
                jaccard: round(p.jaccard),
                b_in_a: round(p.b_in_a),
                a_in_b: round(p.a_in_b),
                per_province: p
                    .per_province
                    .iter()
                    .map(|&(code, n)| ProvinceRow { province_code: format!("{code:02}"), province_name: province_name(regions, code), intersection: n })
                    .collect(),
            })
            .collect(),
    };
    super::json::pretty(&json)
}

/// The table for people: each set's size and own part, then each pair with its shares and its
/// three largest provinces in common.
pub fn render_text(names: &[String], key_fingerprint: &str, o: &Overlap, regions: &RegionTable) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "takar overlap (key {key_fingerprint})\n");
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0).max(4);
    let _ = writeln!(out, "  {:<width$}  {:>14}  {:>14}", "set", "unique NIKs", "in no other");
    for (n, s) in names.iter().zip(&o.sets) {
        let _ = writeln!(out, "  {n:<width$}  {:>14}  {:>14}", thousands(s.unique), thousands(s.only_here));
    }
    let _ = writeln!(out);
    for p in &o.pairs {
        let (a, b) = (&names[p.a], &names[p.b]);
        let _ = writeln!(out, "  {a}  &  {b}");
        let _ = writeln!(
            out,
            "    shared {}   jaccard {:.3}   {:.1}% of {b} is in {a}   {:.1}% of {a} is in {b}",
            thousands(p.intersection),
            p.jaccard,
            100.0 * p.b_in_a,
            100.0 * p.a_in_b
        );
        let mut top: Vec<&(u8, u64)> = p.per_province.iter().collect();
        top.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        let shown: Vec<String> = top.iter().take(3).map(|(c, n)| format!("{} {}", province_name(regions, *c), thousands(*n))).collect();
        if !shown.is_empty() {
            let _ = writeln!(out, "    most shared in: {}", shown.join(", "));
        }
    }
    super::json::shown(out)
}
