//! Place names as dumps write them (`KAB. MALANG`, `Kota Adm. Jakarta Pusat`, `kec. tumpang`),
//! reduced to one comparable form, and the reduced names of every regency and district of the
//! region table ([`PlaceNames`]), so a regency or district column can be checked against the
//! NIK's own region.
//!
//! A name is cut into words at every ASCII byte that is neither a letter nor a digit (bytes
//! above 0x7F stay inside words), upper-cased and joined without separators: case, spaces and
//! punctuation never decide. Leading kind words are dropped and remembered: `KABUPATEN`/`KAB`
//! (a regency), `KOTA`/`KOTAMADYA`/`KODYA` (a city), then `ADM`/`ADMINISTRASI`, and for
//! districts `KECAMATAN`/`KEC`/`DISTRIK`. `KEP` is read as `KEPULAUAN`. A written name matches
//! a table name when the rests are equal and the written kind (if any) is the table's, or when
//! the whole written name equals the table name's rest (`KOTA BARU` for Kabupaten Kotabaru).
//! Every name a code had counts: older meanings and the tables' other spellings.
//!
//! Pure and allocation-free per record: a reduced name lives in a fixed buffer; a name longer
//! than [`MAX_NAME`] letters is not read (and so not checked).

use super::{DistrictId, RegencyId};

/// The longest reduced name read (letters and digits); real names are under 40.
pub const MAX_NAME: usize = 56;

/// Which kind a written regency name declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No kind word: matches either.
    Any,
    Kabupaten,
    Kota,
}

/// Which level a name is of: the kind words differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Regency,
    District,
}

/// A name reduced for comparison: all words joined (`full`) and the part after the leading
/// kind words (`core`, a suffix of `full`).
#[derive(Clone, Copy)]
pub struct Reduced {
    pub kind: Kind,
    buf: [u8; MAX_NAME],
    len: u8,
    core_start: u8,
}

impl Reduced {
    /// The name without its leading kind words.
    pub fn core(&self) -> &[u8] {
        &self.buf[self.core_start as usize..self.len as usize]
    }
    /// Every word of the name, joined.
    pub fn full(&self) -> &[u8] {
        &self.buf[..self.len as usize]
    }
}

impl std::fmt::Debug for Reduced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reduced({:?}, {:?})", self.kind, String::from_utf8_lossy(self.core()))
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

fn word_is(w: &[u8], words: &[&str]) -> bool {
    words.iter().any(|x| w.eq_ignore_ascii_case(x.as_bytes()))
}

/// Reduces a written name; `None` when it holds no word or is longer than [`MAX_NAME`].
pub fn reduce(raw: &[u8], level: Level) -> Option<Reduced> {
    let mut r = Reduced { kind: Kind::Any, buf: [0; MAX_NAME], len: 0, core_start: 0 };
    // 0: before any word; 1: after a kind word (an ADM word may follow); 2: in the name.
    let mut stage = 0u8;
    let mut i = 0;
    while i < raw.len() {
        if !is_word_byte(raw[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < raw.len() && is_word_byte(raw[i]) {
            i += 1;
        }
        let word = &raw[start..i];
        let prefix = match (level, stage) {
            (Level::Regency, 0) if word_is(word, &["KABUPATEN", "KAB"]) => Some(Kind::Kabupaten),
            (Level::Regency, 0) if word_is(word, &["KOTA", "KOTAMADYA", "KODYA"]) => Some(Kind::Kota),
            (Level::Regency, 1) if word_is(word, &["ADM", "ADMINISTRASI", "ADMINISTRATIF"]) => Some(r.kind),
            (Level::District, 0) if word_is(word, &["KECAMATAN", "KEC", "DISTRIK"]) => Some(Kind::Any),
            _ => None,
        };
        let word: &[u8] = if word.eq_ignore_ascii_case(b"KEP") { b"KEPULAUAN" } else { word };
        let at = r.len as usize;
        if at + word.len() > MAX_NAME {
            return None;
        }
        for (slot, b) in r.buf[at..at + word.len()].iter_mut().zip(word) {
            *slot = b.to_ascii_uppercase();
        }
        r.len += word.len() as u8;
        match prefix {
            Some(kind) if stage < 2 => {
                r.kind = kind;
                stage = if level == Level::Regency && stage == 0 { 1 } else { 2 };
                r.core_start = r.len;
            }
            _ => stage = 2,
        }
    }
    if r.len == 0 {
        return None;
    }
    if r.core_start == r.len {
        // Only kind words (`KOTA`): read the whole as the name.
        r.core_start = 0;
        r.kind = Kind::Any;
    }
    Some(r)
}

/// The reduced names of every regency (with its kind) and district of a region table.
pub struct PlaceNames {
    regencies: Vec<Vec<(Kind, Box<[u8]>)>>,
    districts: Vec<Vec<Box<[u8]>>>,
}

impl PlaceNames {
    /// Reduces every name once (a few milliseconds for the whole table): per regency its kind
    /// and names, per district its names, both indexed by dense id.
    pub fn new<'a>(regencies: impl Iterator<Item = (Kind, Vec<&'a str>)>, districts: impl Iterator<Item = Vec<&'a str>>) -> PlaceNames {
        let regencies = regencies
            .map(|(own, names)| {
                let mut v: Vec<(Kind, Box<[u8]>)> = names
                    .iter()
                    .filter_map(|n| reduce(n.as_bytes(), Level::Regency))
                    .map(|n| (if n.kind == Kind::Any { own } else { n.kind }, n.core().into()))
                    .collect();
                v.dedup();
                v
            })
            .collect();
        let districts = districts
            .map(|names| {
                let mut v: Vec<Box<[u8]>> = names.iter().filter_map(|n| reduce(n.as_bytes(), Level::District)).map(|n| n.core().into()).collect();
                v.dedup();
                v
            })
            .collect();
        PlaceNames { regencies, districts }
    }

    /// Whether a written regency name is one of the regency's names.
    #[inline]
    pub fn regency_matches(&self, id: RegencyId, written: &Reduced) -> bool {
        self.regencies[id.0 as usize].iter().any(|(kind, name)| {
            (**name == *written.core() && (written.kind == Kind::Any || written.kind == *kind)) || **name == *written.full()
        })
    }

    /// Whether a written district name is one of the district's names.
    #[inline]
    pub fn district_matches(&self, id: DistrictId, written: &Reduced) -> bool {
        self.districts[id.0 as usize].iter().any(|name| **name == *written.core() || **name == *written.full())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nik::RegionTable;

    fn core(s: &str, level: Level) -> (Kind, String) {
        let r = reduce(s.as_bytes(), level).unwrap();
        (r.kind, String::from_utf8(r.core().to_vec()).unwrap())
    }

    #[test]
    fn kind_words_case_and_punctuation_are_dropped() {
        let reg = |s| core(s, Level::Regency);
        assert_eq!(reg("KAB. MALANG"), (Kind::Kabupaten, "MALANG".into()));
        assert_eq!(reg("Kabupaten  Malang"), (Kind::Kabupaten, "MALANG".into()));
        assert_eq!(reg("kota adm. jakarta-pusat"), (Kind::Kota, "JAKARTAPUSAT".into()));
        assert_eq!(reg("KOTA ADMINISTRASI JAKARTA PUSAT"), (Kind::Kota, "JAKARTAPUSAT".into()));
        assert_eq!(reg("Kab. Adm. Kep. Seribu"), (Kind::Kabupaten, "KEPULAUANSERIBU".into()));
        assert_eq!(reg("Kota Kotamobagu"), (Kind::Kota, "KOTAMOBAGU".into()));
        assert_eq!(reg("KOTA"), (Kind::Any, "KOTA".into()));
        assert_eq!(reg("Malang"), (Kind::Any, "MALANG".into()));
        assert_eq!(core("Kec. Tumpang", Level::District), (Kind::Any, "TUMPANG".into()));
        assert_eq!(core("Distrik Merauke", Level::District), (Kind::Any, "MERAUKE".into()));
        assert_eq!(core("O'o'u", Level::District), (Kind::Any, "OOU".into()));
        assert!(reduce(b" - ", Level::District).is_none());
        assert!(reduce("X".repeat(MAX_NAME + 1).as_bytes(), Level::District).is_none());
    }

    #[test]
    fn written_names_match_every_edition_and_only_their_kind() {
        let t = RegionTable::embedded();
        let p = t.place_names();
        let reg = |code| t.regency(code).unwrap();
        let m = |code, s: &str| p.regency_matches(reg(code), &reduce(s.as_bytes(), Level::Regency).unwrap());
        assert!(m(3507, "KABUPATEN MALANG"));
        assert!(m(3507, "kab malang"));
        assert!(m(3507, "MALANG"));
        assert!(!m(3507, "KOTA MALANG"), "the city is another regency");
        assert!(m(3573, "Kota Malang"));
        assert!(m(3171, "KOTA ADM. JAKARTA PUSAT"));
        assert!(m(3101, "KAB. ADM. KEP. SERIBU"));
        assert!(m(1212, "KABUPATEN TOBA SAMOSIR"), "the name before the rename");
        assert!(m(1212, "Kabupaten Toba"));
        assert!(m(6302, "KOTA BARU"), "Kabupaten Kotabaru, written in two words");
        assert!(!m(3507, "KABUPATEN BEKASI"));
        let d = |code| t.district(code).unwrap();
        let md = |code, s: &str| p.district_matches(d(code), &reduce(s.as_bytes(), Level::District).unwrap());
        assert!(md(110110, "PASIE RAJA"));
        assert!(md(110110, "Pasi Raja"), "an older spelling");
        assert!(md(120826, "dolok silou"), "the second of two older spellings");
        assert!(!md(110110, "KLUET UTARA"));
        // 740813 and 740815 swapped names between editions: both names count for each.
        let (a, b) = (t.district_info(d(740813)).clone(), t.district_info(d(740815)).clone());
        assert!(md(740813, &a.name) && md(740813, &b.name), "{a:?} {b:?}");
    }
}
