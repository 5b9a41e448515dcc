//! The roles a column can play in a record (NIK, KK, birth date, gender, regency and district
//! names) and [`RoleMap`], one value per role.
//!
//! Every format, the counter, the CLI and the report name the same roles; spelling them
//! once here means a new role is one variant plus the places that must decide what it means,
//! and the compiler points at those. The type lives in the engine because the counter reads
//! it and the engine imports nothing from the formats. A `RoleMap` is a plain array indexed
//! by the role's number, so the record hot path pays one array index, as before.

use std::ops::{Index, IndexMut};

/// A role a column (or JSON key, or text token) plays in a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Nik,
    Kk,
    BirthDate,
    Gender,
    /// The regency/city (kabupaten/kota) name written in the record.
    RegencyName,
    /// The district (kecamatan) name written in the record.
    DistrictName,
}

impl Role {
    /// Every role, in index order.
    pub const ALL: [Role; 6] = [Role::Nik, Role::Kk, Role::BirthDate, Role::Gender, Role::RegencyName, Role::DistrictName];
    pub const COUNT: usize = Role::ALL.len();

    /// The role's position in a [`RoleMap`] (and its bit in the formats' role masks).
    #[inline(always)]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The command-line spelling (`--column ROLE=...`), also the stem of the role's own flag.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Nik => "nik",
            Role::Kk => "kk",
            Role::BirthDate => "birth_date",
            Role::Gender => "gender",
            Role::RegencyName => "regency_name",
            Role::DistrictName => "district_name",
        }
    }

    /// The role named `s` ([`Role::as_str`], or `birth-date` as the flag spells it).
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "birth-date" => Some(Role::BirthDate),
            "regency-name" => Some(Role::RegencyName),
            "district-name" => Some(Role::DistrictName),
            _ => Role::ALL.into_iter().find(|r| r.as_str() == s),
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `T` per role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RoleMap<T>([T; Role::COUNT]);

impl<T> RoleMap<T> {
    /// The values in [`Role::ALL`] order; `const` so that tables of constants can be maps.
    pub const fn new(by_index: [T; Role::COUNT]) -> RoleMap<T> {
        RoleMap(by_index)
    }

    pub fn from_fn(mut f: impl FnMut(Role) -> T) -> RoleMap<T> {
        RoleMap(Role::ALL.map(&mut f))
    }

    /// Each role with its value, in [`Role::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Role, &T)> {
        Role::ALL.into_iter().zip(self.0.iter())
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> RoleMap<U> {
        RoleMap(self.0.map(f))
    }

    /// The values in [`Role::ALL`] order.
    pub fn values(&self) -> &[T; Role::COUNT] {
        &self.0
    }
}

impl<T> Index<Role> for RoleMap<T> {
    type Output = T;

    #[inline(always)]
    fn index(&self, role: Role) -> &T {
        &self.0[role.index()]
    }
}

impl<T> IndexMut<Role> for RoleMap<T> {
    #[inline(always)]
    fn index_mut(&mut self, role: Role) -> &mut T {
        &mut self.0[role.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for (i, r) in Role::ALL.into_iter().enumerate() {
            assert_eq!(r.index(), i);
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("birth-date"), Some(Role::BirthDate));
        assert_eq!(Role::parse("NIK"), None);
    }

    #[test]
    fn maps_index_by_role() {
        let mut m = RoleMap::from_fn(|r| r.index() * 10);
        m[Role::Gender] += 1;
        assert_eq!(
            m.iter().map(|(r, v)| (r, *v)).collect::<Vec<_>>(),
            [(Role::Nik, 0), (Role::Kk, 10), (Role::BirthDate, 20), (Role::Gender, 31), (Role::RegencyName, 40), (Role::DistrictName, 50)]
        );
        assert_eq!(RoleMap::<Option<u8>>::default(), RoleMap::new([None; Role::COUNT]));
    }
}
