//! The text of one record: from its identity, the seed and its row index to fourteen fields.
//!
//! Three small generators feed it, so that repeats look like repeats: the person's (keyed by
//! the NIK: a duplicate record has the same name, birth place and marital status), the
//! family's (keyed by the real No. KK: members share a family name and address), and the row's
//! (how this record happens to be written: date format, `L` or `LAKI-LAKI`, separators in a
//! repeated NIK, the spelling of an invalid number). None of these choices changes a count:
//! those were settled in [`identity`](super::identity).

use rand::RngExt;

use crate::generate::row::{KkKind, NikKind, RowId};
use crate::generate::invalid::{UnknownCodes, PLACEHOLDER};
use crate::generate::names;
use crate::generate::numbering::{birth_of, digits16, BIRTH_YEARS};
use crate::generate::random::{rng, Domain};
use crate::generate::config::DumpFormat;
use crate::nik::date::days_in_month;
use crate::nik::{Date, RegionTable};

/// Column names, in order; the header row and the SQL/JSON keys.
pub(crate) const COLUMNS: [&str; 14] = [
    "nik", "nkk", "nama", "jenis_kelamin", "tempat_lahir", "tanggal_lahir", "status_kawin", "alamat", "rt",
    "rw", "kelurahan", "kecamatan", "kabupaten", "tps",
];
const NIK: usize = 0;
const NKK: usize = 1;
const NAMA: usize = 2;
const JENIS_KELAMIN: usize = 3;
const TEMPAT_LAHIR: usize = 4;
const TANGGAL_LAHIR: usize = 5;
const STATUS_KAWIN: usize = 6;
const ALAMAT: usize = 7;
const RT: usize = 8;
const RW: usize = 9;
const KELURAHAN: usize = 10;
const KECAMATAN: usize = 11;
const KABUPATEN: usize = 12;
const TPS: usize = 13;

/// Everything shared by all rows, built once.
pub(crate) struct Context<'t> {
    pub table: &'t RegionTable,
    pub seed: u64,
    pub format: DumpFormat,
    pub records: u64,
    unknown: UnknownCodes,
    /// Upper-case names per district id and regency id, and the regency's town for birth places.
    kecamatan: Vec<String>,
    kabupaten: Vec<String>,
    town: Vec<String>,
}

impl<'t> Context<'t> {
    pub(crate) fn new(table: &'t RegionTable, seed: u64, format: DumpFormat, records: u64) -> Context<'t> {
        let upper = |s: &str| s.to_ascii_uppercase();
        Context {
            table,
            seed,
            format,
            records,
            unknown: UnknownCodes::new(table),
            kecamatan: table.districts.iter().map(|d| upper(&d.name)).collect(),
            kabupaten: table.regencies.iter().map(|r| upper(&r.name)).collect(),
            town: table
                .regencies
                .iter()
                .map(|r| {
                    let n = r.name.strip_prefix("Kabupaten ").or_else(|| r.name.strip_prefix("Kota ")).unwrap_or(&r.name);
                    upper(n)
                })
                .collect(),
        }
    }
}

/// One record's field values; `present[i] == false` is a missing value (empty, `NULL`, `null`).
pub(crate) struct Fields {
    pub text: [Vec<u8>; 14],
    pub present: [bool; 14],
}

impl Fields {
    pub(crate) fn new() -> Fields {
        Fields { text: Default::default(), present: [true; 14] }
    }
}

/// Fills `f` with the fields of row `row`.
pub(crate) fn fill(ctx: &Context, row: u64, id: &RowId, f: &mut Fields) {
    for t in f.text.iter_mut() {
        t.clear();
    }
    f.present = [true; 14];
    let mut rr = rng(ctx.seed, Domain::Row, row);
    let person_key = if id.nik_valid() { id.nik } else { row | 1 << 63 };
    let mut pr = rng(ctx.seed, Domain::Person, person_key);
    let mut fr = rng(ctx.seed, Domain::Family, id.kk);

    // The numbers.
    let t = &mut f.text[NIK];
    match id.nik_kind {
        NikKind::Fresh => t.extend_from_slice(&digits16(id.nik)),
        NikKind::Duplicate => separated(&digits16(id.nik), rr.random_range(0..20), t),
        NikKind::Invalid(reason) => ctx.unknown.nik(ctx.table, reason, id.district, &mut rr, t),
        NikKind::Missing => f.present[NIK] = false,
        NikKind::Placeholder => separated(PLACEHOLDER.as_bytes(), rr.random_range(0..3) * 9, t),
    }
    let t = &mut f.text[NKK];
    match id.kk_kind {
        KkKind::Valid => t.extend_from_slice(&digits16(id.kk)),
        KkKind::Missing => f.present[NKK] = false,
        KkKind::Invalid(reason) => ctx.unknown.kk(reason, id.kk, &mut rr, t),
    }

    let (birth, female) = if id.nik_valid() {
        birth_of(id.nik)
    } else {
        let year = pr.random_range(BIRTH_YEARS.0..=BIRTH_YEARS.1);
        let month = pr.random_range(1..=12);
        (Date { year, month, day: pr.random_range(1..=days_in_month(year, month)) }, pr.random_bool(0.5))
    };

    // Family draws first, in a fixed order, so every member sees the same values.
    let family_name = pick(&mut fr, names::FAMILY);
    let address_kind = fr.random_range(0..100);
    let (street, hamlet, estate) = (pick(&mut fr, names::STREETS), pick(&mut fr, names::HAMLETS), pick(&mut fr, names::ESTATES));
    let (house, block) = (fr.random_range(1..=150u32), b'A' + fr.random_range(0..6u8));
    let (rt, rw) = (fr.random_range(1..=15u32), fr.random_range(1..=12u32));
    let village = (pick(&mut fr, names::VILLAGE_HEADS), pick(&mut fr, names::VILLAGE_TAILS));
    let tps = fr.random_range(1..=60u32);

    let t = &mut f.text[NAMA];
    let given = if female { names::FEMALE } else { names::MALE };
    t.extend_from_slice(pick(&mut pr, given).as_bytes());
    if pr.random_range(0..100) < 40 {
        t.push(b' ');
        t.extend_from_slice(pick(&mut pr, given).as_bytes());
    }
    if pr.random_ratio(1, 200) {
        // `MUHAMMAD "ADI" SAPUTRA`: the quotes are CSV's doubled-quote case. Plain TSV has no
        // quoting, and a quote would make a scanner take it for CSV, so it gets none there.
        let nick = pick(&mut pr, names::NICKNAMES).as_bytes();
        if ctx.format == DumpFormat::Tsv {
            push_all(t, &[b" ", nick]);
        } else {
            push_all(t, &[b" \"", nick, b"\""]);
        }
    }
    if pr.random_range(0..100) < 45 {
        push_all(t, &[b" ", family_name.as_bytes()]);
    }

    let t = &mut f.text[JENIS_KELAMIN];
    if id.gender_present {
        let long = rr.random_range(0..10) == 0;
        t.extend_from_slice(match (female != id.wrong_gender, long) {
            (false, false) => b"L".as_slice(),
            (true, false) => b"P",
            (false, true) => b"LAKI-LAKI",
            (true, true) => b"PEREMPUAN",
        });
    } else {
        f.present[JENIS_KELAMIN] = false;
    }

    let t = &mut f.text[TEMPAT_LAHIR];
    if pr.random_range(0..4) > 0 {
        let reg = ctx.table.regency_of(id.district);
        t.extend_from_slice(ctx.town[reg.0 as usize].as_bytes());
    } else {
        t.extend_from_slice(pick(&mut pr, names::CITIES).as_bytes());
    }

    if id.date_present {
        let mut date = birth;
        if id.wrong_date {
            // Another real date whose two-digit year differs, so it is no reading of the NIK's
            // DDMMYY in either century.
            let shift = rr.random_range(1..=5u16);
            date.year = if rr.random_bool(0.5) { date.year + shift } else { date.year - shift };
            date.day = date.day.min(days_in_month(date.year, date.month));
        }
        push_date(&mut f.text[TANGGAL_LAHIR], date, rr.random_range(0..100));
    } else {
        f.present[TANGGAL_LAHIR] = false;
    }

    let status = match (birth.year >= 2000, pr.random_range(0..100)) {
        (true, p) if p < 85 => 0,
        (true, _) => 1,
        (false, p) if p < 10 => 0,
        (false, p) if p < 88 => 1,
        _ => 2,
    };
    let long = rr.random_range(0..100) < 15;
    let status: &[u8] = match (status, long) {
        (0, false) => b"B",
        (1, false) => b"S",
        (_, false) => b"P",
        (0, true) => b"BELUM KAWIN",
        (1, true) => b"SUDAH KAWIN",
        (_, true) => b"PERNAH KAWIN",
    };
    f.text[STATUS_KAWIN].extend_from_slice(status);

    let t = &mut f.text[ALAMAT];
    match address_kind {
        0..=54 => push_all(t, &[b"JL. ", street.as_bytes(), b" NO. "]),
        55..=69 => push_all(t, &[b"GG. ", street.as_bytes(), b" NO. "]),
        70..=89 => push_all(t, &[b"DUSUN ", hamlet.as_bytes()]),
        _ => push_all(t, &[b"PERUM ", estate.as_bytes(), b" BLOK ", &[block], b" NO. "]),
    }
    if !(70..=89).contains(&address_kind) {
        push_num(t, house, 1);
    }
    // About one record in 10,000 has a line break inside the address (never in TSV, which
    // cannot hold one).
    let newline = rr.random_ratio(1, 10_000) && ctx.format != DumpFormat::Tsv;
    t.extend_from_slice(if newline { b",\nRT " } else { b", RT " });
    push_num(t, rt, 3);
    t.extend_from_slice(b"/RW ");
    push_num(t, rw, 3);
    push_num(&mut f.text[RT], rt, 3);
    push_num(&mut f.text[RW], rw, 3);
    push_all(&mut f.text[KELURAHAN], &[village.0.as_bytes(), village.1.as_bytes()]);
    f.text[KECAMATAN].extend_from_slice(ctx.kecamatan[id.place.0 as usize].as_bytes());
    let reg = ctx.table.regency_of(id.place);
    f.text[KABUPATEN].extend_from_slice(ctx.kabupaten[reg.0 as usize].as_bytes());
    f.text[TPS].extend_from_slice(b"TPS ");
    push_num(&mut f.text[TPS], tps, 3);
}

fn pick<R: RngExt>(rng: &mut R, list: &[&'static str]) -> &'static str {
    list[rng.random_range(0..list.len())]
}

fn push_all(t: &mut Vec<u8>, parts: &[&[u8]]) {
    for p in parts {
        t.extend_from_slice(p);
    }
}

/// `v` in decimal, zero-padded to `width` digits.
pub(crate) fn push_num(t: &mut Vec<u8>, v: u32, width: usize) {
    let mut buf = [b'0'; 10];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let start = i.min(buf.len() - width.min(buf.len()));
    t.extend_from_slice(&buf[start..]);
}

/// A 16-digit number as written: style 0 (of 20 for a repeated NIK) in four groups
/// `3507 0115 0890 9967`, style 9 as `3507-01-150890-9967`, any other style plain.
fn separated(d: &[u8], style: u32, t: &mut Vec<u8>) {
    match style {
        0 => push_all(t, &[&d[..4], b" ", &d[4..8], b" ", &d[8..12], b" ", &d[12..]]),
        9 => push_all(t, &[&d[..4], b"-", &d[4..6], b"-", &d[6..12], b"-", &d[12..]]),
        _ => t.extend_from_slice(d),
    }
}

/// `DD-MM-YYYY` mostly, some `YYYY-MM-DD` and `DD/MM/YYYY` (`style` is a percentile).
fn push_date(t: &mut Vec<u8>, d: Date, style: u32) {
    let (y, m, day) = (u32::from(d.year), u32::from(d.month), u32::from(d.day));
    if (84..92).contains(&style) {
        push_num(t, y, 4);
        t.push(b'-');
        push_num(t, m, 2);
        t.push(b'-');
        push_num(t, day, 2);
    } else {
        let sep = if style >= 92 { b'/' } else { b'-' };
        push_num(t, day, 2);
        t.push(sep);
        push_num(t, m, 2);
        t.push(sep);
        push_num(t, y, 4);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates_are_padded() {
        let mut t = Vec::new();
        push_num(&mut t, 7, 3);
        push_num(&mut t, 1234, 2);
        push_num(&mut t, 0, 1);
        assert_eq!(t, b"00712340");
        t.clear();
        let d = Date { year: 1990, month: 8, day: 5 };
        push_date(&mut t, d, 0);
        push_date(&mut t, d, 85);
        push_date(&mut t, d, 95);
        assert_eq!(t, b"05-08-19901990-08-0505/08/1990");
        t.clear();
        separated(b"3507011508909967", 0, &mut t);
        separated(b"3507011508909967", 9, &mut t);
        assert_eq!(t, b"3507 0115 0890 99673507-01-150890-9967");
    }
}
