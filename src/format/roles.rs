//! What the formats know about each [`Role`]: the header names (and JSON keys) that name its
//! column, how messages call it, and how the user picks its column ([`ColumnChoice`]).
//!
//! CSV, SQL, JSON and workbook detection all read these names, so one table here means a
//! dump's columns are recognised the same way in every format, and a new role needs one list.

use crate::engine::{Role, RoleMap};

/// Header names per role, canonical (see [`canonical`](crate::format::csv::sniff::canonical)):
/// lower case, letters and digits only. Earlier names win when a header has several.
pub const HEADER_NAMES: RoleMap<&[&str]> = RoleMap::new([
    &[
        "nik", "nonik", "nomornik", "niknya", "nikktp", "noktp", "ktp", "nomorktp", "noektp", "ektp", "nikpemilih",
        "nomorindukkependudukan", "noindukkependudukan", "idnumber", "nationalid",
    ],
    &["nkk", "nokk", "nomorkk", "kk", "nikk", "nokartukeluarga", "nomorkartukeluarga", "kartukeluarga", "familycard"],
    &["tanggallahir", "tgllahir", "tgllhr", "tanggallhr", "tgllahirpemilih", "birthdate", "dateofbirth", "dob", "lahir"],
    &["jeniskelamin", "jnskelamin", "jk", "kelamin", "gender", "sex", "lp"],
]);

/// How messages name the role's column (`no NIK column named ...`).
pub fn noun(role: Role) -> &'static str {
    match role {
        Role::Nik => "NIK",
        Role::Kk => "KK",
        Role::BirthDate => "birth-date",
        Role::Gender => "gender",
    }
}

/// The role's own command-line flag, for hints in messages.
pub fn flag(role: Role) -> String {
    format!("--{}-column", role.as_str().replace('_', "-"))
}

/// How the user named a column: by header name or by 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnChoice {
    Name(String),
    Position(usize),
}

impl ColumnChoice {
    pub fn parse(s: &str) -> ColumnChoice {
        match s.parse::<usize>() {
            Ok(n) if n >= 1 => ColumnChoice::Position(n),
            _ => ColumnChoice::Name(s.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_nouns_match_the_old_spelling() {
        let flags: Vec<String> = Role::ALL.into_iter().map(flag).collect();
        assert_eq!(flags, ["--nik-column", "--kk-column", "--birth-date-column", "--gender-column"]);
        assert_eq!(Role::ALL.map(noun), ["NIK", "KK", "birth-date", "gender"]);
    }
}
