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
    &["jeniskelamin", "jnskelamin", "jk", "kelamin", "jenkel", "gender", "sex", "lp"],
    &[
        "kabupaten", "kabkota", "kabupatenkota", "kotakabupaten", "kabkot", "namakab", "namakabupaten", "namakabkota", "nmkab",
        "kab", "kota", "regency", "city",
    ],
    &["kecamatan", "namakec", "namakecamatan", "nmkec", "kec", "district", "distrik", "subdistrict"],
]);

/// How messages name the role's column (`no NIK column named ...`).
pub fn noun(role: Role) -> &'static str {
    match role {
        Role::Nik => "NIK",
        Role::Kk => "KK",
        Role::BirthDate => "birth-date",
        Role::Gender => "gender",
        Role::RegencyName => "regency-name",
        Role::DistrictName => "district-name",
    }
}

/// The role's own command-line flag, for hints in messages (the place-name roles have none:
/// they are named with `--column ROLE=...`).
pub fn flag(role: Role) -> String {
    match role {
        Role::RegencyName | Role::DistrictName => format!("--column {}", role.as_str()),
        _ => format!("--{}-column", role.as_str().replace('_', "-")),
    }
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
        assert_eq!(
            flags,
            ["--nik-column", "--kk-column", "--birth-date-column", "--gender-column", "--column regency_name", "--column district_name"]
        );
        assert_eq!(Role::ALL.map(noun), ["NIK", "KK", "birth-date", "gender", "regency-name", "district-name"]);
    }
}
