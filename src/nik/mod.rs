//! The NIK core: is a field a real NIK (or No. KK), why not, and what does it say.
//!
//! Pure: no I/O, no clock, no allocation and no panic on any input bytes. The reference date
//! ("today") comes from the caller. Rules, first failure wins:
//! 1-2. normalise to 16 ASCII digits ([`normalize`]), else `spreadsheet_mangled`, `non_digit` or
//!      `length`; an empty/`NULL` field is missing, not invalid;
//! 3.   province, regency and district codes exist in some Kemendagri edition ([`region`]);
//! 4.   `DDMMYY` is a real, non-future date in 19YY or 20YY (day + 40 for women) ([`date`]);
//! 5.   serial 0001-9999;
//! 6.   not a dummy number (one repeated digit, a 2-digit cycle, a run of 0123...): `placeholder`.
//!
//! A valid number becomes a [`Nik`] / [`Kk`]: the 16-digit value plus its dense district id.
//! Its [`Nik::key`] packs (district id, last 10 digits) into 47 bits: an exact dedup key whose
//! high bits index the per-district count arrays directly.
//!
//! [`mask`] is the other side of the promise: any 16-digit run is masked in what a person sees
//! and refused in what takar writes (it allocates the masked message, never on the scan path).

pub mod date;
pub mod mask;
pub mod normalize;
pub mod oracle;
pub mod places;
pub mod region;

use core::fmt;

pub use date::{Date, DateRule};
pub use normalize::{normalize, Normalized};
pub use region::{DistrictId, ProvinceId, RegencyId, RegionTable};

/// Why a field is not a valid NIK/KK. Counted per reason, never raised as an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    Length,
    NonDigit,
    SpreadsheetMangled,
    Province,
    Regency,
    District,
    BirthDate,
    Serial,
    Placeholder,
}

impl Reason {
    pub const COUNT: usize = 9;
    pub const ALL: [Reason; Reason::COUNT] = [
        Reason::Length,
        Reason::NonDigit,
        Reason::SpreadsheetMangled,
        Reason::Province,
        Reason::Regency,
        Reason::District,
        Reason::BirthDate,
        Reason::Serial,
        Reason::Placeholder,
    ];

    /// The name used in JSON and reports (`birth_date`, `spreadsheet_mangled`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Length => "length",
            Reason::NonDigit => "non_digit",
            Reason::SpreadsheetMangled => "spreadsheet_mangled",
            Reason::Province => "province",
            Reason::Regency => "regency",
            Reason::District => "district",
            Reason::BirthDate => "birth_date",
            Reason::Serial => "serial",
            Reason::Placeholder => "placeholder",
        }
    }

    #[inline]
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of checking one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check<T> {
    Missing,
    Invalid(Reason),
    Valid(T),
}

const TEN_POW_10: u64 = 10_000_000_000;

/// A valid NIK: `PP KK CC DDMMYY SSSS`. `Debug`/`Display` show only the region prefix.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nik {
    value: u64,
    district: DistrictId,
}

/// A valid family-card number (No. KK): region prefix, `DDMMYY` issue date, serial.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Kk {
    value: u64,
    district: DistrictId,
}

macro_rules! number_accessors {
    ($t:ty) => {
        impl $t {
            /// The 16-digit number. Handle with care: this is the personal datum.
            #[inline]
            pub fn value(self) -> u64 {
                self.value
            }
            /// Exact dedup key: `district_id << 34 | last ten digits` (47 bits).
            #[inline]
            pub fn key(self) -> u64 {
                (u64::from(self.district.0) << 34) | (self.value % TEN_POW_10)
            }
            /// District id of a key made by [`Self::key`].
            #[inline]
            pub fn key_district(key: u64) -> DistrictId {
                DistrictId((key >> 34) as u16)
            }
            #[inline]
            pub fn district(self) -> DistrictId {
                self.district
            }
            /// `PPKKCC` as a number.
            pub fn region_code(self) -> u32 {
                (self.value / TEN_POW_10) as u32
            }
            /// The two digits `DD` as written (41-71 for a woman's NIK).
            pub fn day_field(self) -> u32 {
                ((self.value / 100_000_000) % 100) as u32
            }
            pub fn month(self) -> u32 {
                ((self.value / 1_000_000) % 100) as u32
            }
            pub fn year2(self) -> u32 {
                ((self.value / 10_000) % 100) as u32
            }
            pub fn serial(self) -> u32 {
                (self.value % 10_000) as u32
            }
            /// The masked form `350701**********`, safe to print.
            pub fn masked(self) -> Masked {
                Masked(self.region_code())
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($t), self.masked())
            }
        }
    };
}
number_accessors!(Nik);
number_accessors!(Kk);

impl Nik {
    /// Women's NIKs add 40 to the day of birth.
    pub fn is_female(self) -> bool {
        self.day_field() > 40
    }
    /// Day of birth (1-31).
    pub fn birth_day(self) -> u32 {
        let d = self.day_field();
        if d > 40 {
            d - 40
        } else {
            d
        }
    }
}

/// A NIK shown as its 6-digit region prefix and ten stars.
#[derive(Clone, Copy)]
pub struct Masked(u32);

impl fmt::Display for Masked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}**********", self.0)
    }
}

/// 8 ASCII digits (little-endian load) to their value, by SWAR (Lemire).
#[inline(always)]
fn parse8(chunk: u64) -> u64 {
    let v = chunk.wrapping_sub(0x3030_3030_3030_3030);
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let a = (v & 0x0000_00FF_0000_00FF).wrapping_mul(100 + (1_000_000 << 32));
    let b = ((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32));
    (a.wrapping_add(b)) >> 32
}

/// Rule 6: one repeated digit, a two-digit cycle (1212...), or a run stepping by one (0123...,
/// 9876..., wrapping at 9/0).
#[inline]
pub fn is_placeholder(d: &[u8; 16]) -> bool {
    let word = |i: usize| u64::from_le_bytes(d[i..i + 8].try_into().unwrap());
    if word(2) == word(0) && word(8) == word(6) {
        // d[i] == d[i-2] for all i (bytes 2..10 and 8..16): repeated digit or two-digit cycle.
        return true;
    }
    let step = |i: usize| (d[i + 1] + 10 - d[i]) % 10;
    let first = step(0);
    // Most real prefixes fail by the third digit (3216, 3213: two steps down, then not).
    (first == 1 || first == 9) && step(1) == first && step(2) == first && is_run(d, first)
}

/// Every digit is the one before it plus `step` (mod 10). Out of line: the hot path gets here
/// only for numbers whose first four digits already run.
#[inline(never)]
fn is_run(d: &[u8; 16], step: u8) -> bool {
    d.windows(2).all(|w| (w[1] + 10 - w[0]) % 10 == step)
}

/// Validates NIKs and KKs against one region table and one reference date. Built once, shared
/// by reference across threads.
#[derive(Clone)]
pub struct Validator<'t> {
    regions: &'t RegionTable,
    dates: DateRule,
}

impl<'t> Validator<'t> {
    pub fn new(regions: &'t RegionTable, reference: Date) -> Self {
        Validator { regions, dates: DateRule::new(reference) }
    }

    pub fn regions(&self) -> &'t RegionTable {
        self.regions
    }

    pub fn dates(&self) -> &DateRule {
        &self.dates
    }

    /// Checks one raw NIK field.
    #[inline]
    pub fn nik(&self, raw: &[u8]) -> Check<Nik> {
        match normalize(raw) {
            Normalized::Missing => Check::Missing,
            Normalized::Invalid(r) => Check::Invalid(r),
            Normalized::Digits(d) => match self.nik_digits(&d) {
                Ok(n) => Check::Valid(n),
                Err(r) => Check::Invalid(r),
            },
        }
    }

    /// Checks one raw No. KK field.
    #[inline]
    pub fn kk(&self, raw: &[u8]) -> Check<Kk> {
        match normalize(raw) {
            Normalized::Missing => Check::Missing,
            Normalized::Invalid(r) => Check::Invalid(r),
            Normalized::Digits(d) => match self.kk_digits(&d) {
                Ok(n) => Check::Valid(n),
                Err(r) => Check::Invalid(r),
            },
        }
    }

    /// Rules 3-6 on 16 ASCII digits (the caller guarantees they are digits).
    #[inline]
    pub fn nik_digits(&self, d: &[u8; 16]) -> Result<Nik, Reason> {
        let (value, district, day, month, yy) = self.common(d)?;
        let day = if day > 40 { day - 40 } else { day };
        if !self.dates.is_valid(day, month, yy) {
            return Err(Reason::BirthDate);
        }
        Self::tail(d, value)?;
        Ok(Nik { value, district })
    }

    /// Rules 3-6 for a No. KK: the date is an issue date, with no +40.
    #[inline]
    pub fn kk_digits(&self, d: &[u8; 16]) -> Result<Kk, Reason> {
        let (value, district, day, month, yy) = self.common(d)?;
        if !self.dates.is_valid(day, month, yy) {
            return Err(Reason::BirthDate);
        }
        Self::tail(d, value)?;
        Ok(Kk { value, district })
    }

    #[inline(always)]
    fn common(&self, d: &[u8; 16]) -> Result<(u64, DistrictId, u32, u32, u32), Reason> {
        let hi = parse8(u64::from_le_bytes(d[..8].try_into().unwrap()));
        let lo = parse8(u64::from_le_bytes(d[8..].try_into().unwrap()));
        let ppkk = (hi / 10_000) as u32;
        // Every regency of the table has its province, so the province is looked up only to
        // name the reason when the regency is unknown.
        let Some(regency) = self.regions.regency(ppkk) else {
            return Err(match self.regions.province(ppkk / 100) {
                None => Reason::Province,
                Some(_) => Reason::Regency,
            });
        };
        let district = self.regions.district_in(regency, ((hi / 100) % 100) as u32).ok_or(Reason::District)?;
        let day = (hi % 100) as u32;
        let month = (lo / 1_000_000) as u32;
        let yy = ((lo / 10_000) % 100) as u32;
        Ok((hi * 100_000_000 + lo, district, day, month, yy))
    }

    #[inline(always)]
    fn tail(d: &[u8; 16], value: u64) -> Result<(), Reason> {
        if value % 10_000 == 0 {
            return Err(Reason::Serial);
        }
        if is_placeholder(d) {
            return Err(Reason::Placeholder);
        }
        Ok(())
    }
}
