//! Kemendagri region codes (province `PP`, regency/city `PPKK`, district `PPKKCC`) from six
//! editions, 2015-2025, embedded in the binary and turned once into dense ids.
//!
//! A NIK keeps the code of the office that issued it, so a code is valid when *any* edition has
//! it: historic codes (Papua before the 2022-2025 splits) are real and keep their own id, with the
//! successor code recorded. Lookups are array indexing by the numeric code, never string hashing:
//! `province_index[PP]`, `regency_index[PPKK]`, then `district_index[regency_id * 100 + CC]`.
//! Dense ids (`u8`/`u16`) index the per-region count arrays of a scan, so merging partial counts
//! is an element-wise add. Source: the `cahyadsn/wilayah` transcriptions (see README).

use std::sync::OnceLock;

use super::places::{Kind, PlaceNames};

const PROVINCES_CSV: &str = include_str!("data/provinces.csv");
const REGENCIES_CSV: &str = include_str!("data/regencies.csv");
const DISTRICTS_CSV: &str = include_str!("data/districts.csv");
const EDITIONS_CSV: &str = include_str!("data/editions.csv");

/// The newest edition in the embedded tables; a code last seen in it is current.
pub const NEWEST_EDITION: u16 = 2025;

/// The editions the embedded tables merge, oldest first (`2015` ... `2025`), as outputs
/// record them for provenance.
pub fn editions() -> impl Iterator<Item = &'static str> {
    EDITIONS_CSV.lines().skip(1).filter_map(|l| l.split(',').next()).filter(|e| !e.is_empty())
}

/// Dense index of a province code in [`RegionTable::provinces`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProvinceId(pub u8);
/// Dense index of a regency/city code in [`RegionTable::regencies`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegencyId(pub u16);
/// Dense index of a district code in [`RegionTable::districts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DistrictId(pub u16);

/// Kabupaten (regency, KK 01-69) or Kota (city, KK 71-79).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegencyKind {
    Kabupaten,
    Kota,
}

impl RegencyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RegencyKind::Kabupaten => "kabupaten",
            RegencyKind::Kota => "kota",
        }
    }
}

/// One code of one level, merged over every meaning it had across editions.
#[derive(Debug, Clone)]
pub struct Region {
    /// The numeric code: `35`, `3507`, `350701`.
    pub code: u32,
    /// Name in the newest edition that has the code (the newest meaning if it had several).
    pub name: String,
    /// First and last edition (year ids, e.g. 2015, 2025) in which the code appears.
    pub first_seen: u16,
    pub last_seen: u16,
    /// Code of the same place in the next edition, when the code is no longer current.
    pub successor: Option<u32>,
    /// Dense id of the parent (province of a regency, regency of a district); 0 for provinces.
    pub parent: u16,
    /// Regencies only.
    pub kind: Option<RegencyKind>,
    /// Every other name the code had: older meanings' names and the tables' `other_names`
    /// (spellings of older editions), so a place column written in an old spelling matches.
    pub other_names: Vec<String>,
}

impl Region {
    /// Whether the newest edition still has this code.
    pub fn is_current(&self) -> bool {
        self.last_seen == NEWEST_EDITION
    }
}

/// The three code tables with their constant-time indexes.
pub struct RegionTable {
    pub provinces: Vec<Region>,
    pub regencies: Vec<Region>,
    pub districts: Vec<Region>,
    province_index: [u8; 100],
    regency_index: Vec<u16>,
    district_index: Vec<u16>,
    /// Per district id: the dense id of the current regency its regency became (itself when
    /// current), so a KK and a NIK issued before and after a split compare as one place.
    current_regency: Vec<u16>,
    /// The normalised names of every regency and district, built on the first name check.
    place_names: OnceLock<PlaceNames>,
}

const NONE: u16 = u16::MAX;

impl RegionTable {
    /// The embedded tables, parsed on first use.
    pub fn embedded() -> &'static RegionTable {
        static TABLE: OnceLock<RegionTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            RegionTable::from_csv(PROVINCES_CSV, REGENCIES_CSV, DISTRICTS_CSV)
                .expect("embedded region tables are well-formed (checked by tests)")
        })
    }

    /// Builds the table from the three CSV texts (the shape of `src/nik/data/*.csv`).
    pub fn from_csv(provinces: &str, regencies: &str, districts: &str) -> Result<Self, String> {
        let provinces = merge_meanings(parse_rows(provinces, 2)?);
        let regencies = merge_meanings(parse_rows(regencies, 4)?);
        let districts = merge_meanings(parse_rows(districts, 6)?);
        if provinces.len() > 99 || regencies.len() >= NONE as usize || districts.len() >= NONE as usize {
            return Err("region table too large for its id types".into());
        }
        let mut province_index = [u8::MAX; 100];
        for (i, p) in provinces.iter().enumerate() {
            province_index[p.code as usize] = i as u8;
        }
        let mut regency_index = vec![NONE; 10_000];
        let mut regs = Vec::with_capacity(regencies.len());
        for (i, mut r) in regencies.into_iter().enumerate() {
            let parent = province_index[(r.code / 100) as usize];
            if parent == u8::MAX {
                return Err(format!("regency {} has no province", r.code));
            }
            r.parent = parent as u16;
            regency_index[r.code as usize] = i as u16;
            regs.push(r);
        }
        let mut district_index = vec![NONE; regs.len() * 100];
        let mut dists = Vec::with_capacity(districts.len());
        for (i, mut d) in districts.into_iter().enumerate() {
            let parent = regency_index[(d.code / 100) as usize];
            if parent == NONE {
                return Err(format!("district {} has no regency", d.code));
            }
            d.parent = parent;
            district_index[parent as usize * 100 + (d.code % 100) as usize] = i as u16;
            dists.push(d);
        }
        // Follow successors to the current code (a bounded walk: a chain longer than the
        // editions would be a loop in the data, and the code then stands for itself).
        let current_of_regency: Vec<u16> = (0..regs.len())
            .map(|i| {
                let mut at = i;
                for _ in 0..16 {
                    let r: &Region = &regs[at];
                    match r.successor.filter(|_| !r.is_current()).and_then(|s| regency_index.get(s as usize).copied()) {
                        Some(next) if next != NONE => at = next as usize,
                        _ => break,
                    }
                }
                at as u16
            })
            .collect();
        let current_regency = dists.iter().map(|d| current_of_regency[d.parent as usize]).collect();
        Ok(RegionTable {
            provinces,
            regencies: regs,
            districts: dists,
            province_index,
            regency_index,
            district_index,
            current_regency,
            place_names: OnceLock::new(),
        })
    }

    /// Province id of a two-digit code `PP` (0..=99).
    #[inline]
    pub fn province(&self, pp: u32) -> Option<ProvinceId> {
        match self.province_index.get(pp as usize) {
            Some(&i) if i != u8::MAX => Some(ProvinceId(i)),
            _ => None,
        }
    }

    /// Regency id of a four-digit code `PPKK` (0..=9999).
    #[inline]
    pub fn regency(&self, ppkk: u32) -> Option<RegencyId> {
        match self.regency_index.get(ppkk as usize) {
            Some(&i) if i != NONE => Some(RegencyId(i)),
            _ => None,
        }
    }

    /// District id of district `CC` (0..=99) inside a known regency.
    #[inline]
    pub fn district_in(&self, regency: RegencyId, cc: u32) -> Option<DistrictId> {
        if cc >= 100 {
            return None;
        }
        match self.district_index.get(regency.0 as usize * 100 + cc as usize) {
            Some(&i) if i != NONE => Some(DistrictId(i)),
            _ => None,
        }
    }

    /// District id of a six-digit code `PPKKCC`.
    #[inline]
    pub fn district(&self, ppkkcc: u32) -> Option<DistrictId> {
        self.regency(ppkkcc / 100).and_then(|r| self.district_in(r, ppkkcc % 100))
    }

    pub fn province_info(&self, id: ProvinceId) -> &Region {
        &self.provinces[id.0 as usize]
    }
    pub fn regency_info(&self, id: RegencyId) -> &Region {
        &self.regencies[id.0 as usize]
    }
    pub fn district_info(&self, id: DistrictId) -> &Region {
        &self.districts[id.0 as usize]
    }
    /// Regency that a district belongs to.
    #[inline]
    pub fn regency_of(&self, d: DistrictId) -> RegencyId {
        RegencyId(self.districts[d.0 as usize].parent)
    }
    /// Province that a regency belongs to.
    #[inline]
    pub fn province_of(&self, r: RegencyId) -> ProvinceId {
        ProvinceId(self.regencies[r.0 as usize].parent as u8)
    }
    /// The current regency a district's regency became (itself when current): historic
    /// codes count toward their successor.
    #[inline]
    pub fn current_regency_of(&self, d: DistrictId) -> RegencyId {
        RegencyId(self.current_regency[d.0 as usize])
    }
    /// The normalised names of every regency and district, for matching place columns;
    /// built once, on first use (a scan without place columns never pays for it).
    pub fn place_names(&self) -> &PlaceNames {
        self.place_names.get_or_init(|| {
            fn names(r: &Region) -> Vec<&str> {
                std::iter::once(r.name.as_str()).chain(r.other_names.iter().map(String::as_str)).collect()
            }
            let kind = |r: &Region| if r.kind == Some(RegencyKind::Kota) { Kind::Kota } else { Kind::Kabupaten };
            PlaceNames::new(self.regencies.iter().map(|r| (kind(r), names(r))), self.districts.iter().map(names))
        })
    }
}

struct Row {
    code: u32,
    name: String,
    kind: Option<RegencyKind>,
    first_seen: u16,
    last_seen: u16,
    successor: Option<u32>,
    other_names: Vec<String>,
}

/// Reads the columns takar needs by header name, so extra or reordered columns are harmless.
fn parse_rows(text: &str, digits: usize) -> Result<Vec<Row>, String> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().ok_or("empty region table")?.split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).ok_or(format!("no column {name}"));
    let (c_code, c_name, c_first, c_last, c_succ) =
        (col("code")?, col("name")?, col("first_seen")?, col("last_seen")?, col("successor_code")?);
    let c_kind = col("kind").ok();
    let c_other = col("other_names").ok();
    let mut rows = Vec::new();
    for (n, line) in lines.enumerate() {
        if line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        let bad = || format!("region table line {}: {line}", n + 2);
        let get = |i: usize| f.get(i).copied().ok_or_else(bad);
        let code_s = get(c_code)?;
        if code_s.len() != digits || !code_s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let succ = get(c_succ)?;
        rows.push(Row {
            code: code_s.parse().map_err(|_| bad())?,
            name: get(c_name)?.to_string(),
            kind: match c_kind.map(get).transpose()? {
                Some("kota") => Some(RegencyKind::Kota),
                Some(_) => Some(RegencyKind::Kabupaten),
                None => None,
            },
            first_seen: get(c_first)?.parse().map_err(|_| bad())?,
            last_seen: get(c_last)?.parse().map_err(|_| bad())?,
            successor: if succ.is_empty() { None } else { Some(succ.parse().map_err(|_| bad())?) },
            other_names: match c_other.and_then(|i| f.get(i)) {
                Some(names) => names.split(';').map(str::trim).filter(|n| !n.is_empty()).map(str::to_string).collect(),
                None => Vec::new(),
            },
        });
    }
    Ok(rows)
}

/// One `Region` per code: a code with several meanings (740813/740815 swapped names between
/// 2015 and 2017) keeps the newest meaning's name and spans all of their editions.
fn merge_meanings(mut rows: Vec<Row>) -> Vec<Region> {
    rows.sort_by_key(|r| (r.code, r.last_seen));
    let mut out: Vec<Region> = Vec::with_capacity(rows.len());
    for r in rows {
        match out.last_mut() {
            Some(prev) if prev.code == r.code => {
                prev.first_seen = prev.first_seen.min(r.first_seen);
                prev.last_seen = r.last_seen;
                let older = std::mem::replace(&mut prev.name, r.name);
                prev.other_names.push(older);
                prev.other_names.extend(r.other_names);
                prev.successor = r.successor;
            }
            _ => out.push(Region {
                code: r.code,
                name: r.name,
                first_seen: r.first_seen,
                last_seen: r.last_seen,
                successor: r.successor,
                parent: 0,
                kind: r.kind,
                other_names: r.other_names,
            }),
        }
    }
    out
}

/// The embedded CSV texts, for the oracle (which searches them line by line).
#[doc(hidden)]
pub mod tests_support {
    pub const PROVINCES: &str = super::PROVINCES_CSV;
    pub const REGENCIES: &str = super::REGENCIES_CSV;
    pub const DISTRICTS: &str = super::DISTRICTS_CSV;
}
