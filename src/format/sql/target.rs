//! The table being sized and its wanted columns, and how a statement's column order maps onto
//! the roles the counter reads (NIK, KK, birth date, gender).

use crate::engine::{Role, RoleMap};
use crate::format::csv::Columns;

use super::lex::{self, Dialect};

/// For each column position of a statement: a bit per role (by index) it fills (a column may
/// fill two).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlotMap {
    of: Vec<u8>,
}

impl SlotMap {
    #[inline(always)]
    pub fn get(&self, col: usize) -> u8 {
        self.of.get(col).copied().unwrap_or(0)
    }

    /// A map from its bits per column (tests).
    #[cfg(test)]
    pub fn from_bits(of: Vec<u8>) -> SlotMap {
        SlotMap { of }
    }

    /// Columns past this many fill no slot.
    #[inline]
    pub fn len(&self) -> usize {
        self.of.len()
    }
}

/// The table that holds NIKs and where its wanted columns are.
#[derive(Debug, Clone)]
pub struct Target {
    /// The table's name (last part, unquoted), compared without regard to ASCII case.
    pub key: Vec<u8>,
    /// Per role: the column's name (unquoted) when the table's columns have names.
    pub names: RoleMap<Option<Vec<u8>>>,
    /// Per role: the column's 0-based position in the table's own column order.
    pub positions: Columns,
    /// For statements without a column list: the table's own column order.
    pub default: SlotMap,
}

impl Target {
    /// `columns`: the table's column names in order (empty when unknown); `chosen`: the
    /// position of each role's column in that order.
    pub fn new(key: &[u8], columns: &[Vec<u8>], chosen: Columns) -> Target {
        let names = chosen.map(|c| c.and_then(|c| columns.get(c).cloned()));
        let mut t = Target { key: key.to_vec(), names, positions: chosen, default: SlotMap::default() };
        t.default = t.by_position();
        t
    }

    fn by_position(&self) -> SlotMap {
        let width = self.positions.values().iter().flatten().max().map_or(0, |m| m + 1);
        let mut of = vec![0u8; width];
        for (role, p) in self.positions.iter() {
            if let Some(p) = p {
                of[*p] |= 1 << role.index();
            }
        }
        SlotMap { of }
    }

    /// Whether `name` (a statement's table, last part, unquoted) is this table.
    #[inline]
    pub fn is_table(&self, name: &[u8]) -> bool {
        name.eq_ignore_ascii_case(&self.key)
    }

    /// The roles of a statement's column list (the text between its parentheses).
    pub fn map_list(&self, list: &[u8], dia: Dialect) -> SlotMap {
        if self.names.values().iter().all(Option::is_none) {
            // Only positions are known (no CREATE TABLE, no column list seen at detection).
            return self.by_position();
        }
        let mut of = Vec::new();
        for (col, name) in split_names(list, dia).into_iter().enumerate() {
            let mut bits = 0u8;
            for role in Role::ALL {
                let hit = match &self.names[role] {
                    Some(n) => n.eq_ignore_ascii_case(&name),
                    None => self.positions[role] == Some(col),
                };
                bits |= u8::from(hit) << role.index();
            }
            of.push(bits);
        }
        while of.last() == Some(&0) {
            of.pop();
        }
        SlotMap { of }
    }
}

/// The names of a column list, unquoted (`` `a`, "b", c `` -> `a`, `b`, `c`).
pub fn split_names(list: &[u8], dia: Dialect) -> Vec<Vec<u8>> {
    // A closing separator, so the last name is lexed like the others.
    let mut buf = list.to_vec();
    buf.push(b',');
    let list = &buf[..];
    let mut out = Vec::new();
    let mut p = 0;
    while p < list.len() {
        let Ok(q) = lex::skip_blank(list, p, dia) else { break };
        match lex::ident(list, q) {
            Ok(Some((a, b, next))) => {
                out.push(list[a..b].to_vec());
                p = next;
            }
            _ => {
                out.push(Vec::new());
                p = q;
            }
        }
        match lex::skip_value(list, p, dia) {
            Ok(c) => p = c + 1,
            Err(_) => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_lists() {
        assert_eq!(split_names(b"`a`, \"b\" ,c", Dialect::MySql), vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
        let t = Target::new(b"dpt", &[b"nik".to_vec(), b"nkk".to_vec(), b"x".to_vec()], Columns::new([Some(0), Some(1), None, None, None, None]));
        assert_eq!(t.map_list(b"`x`,`NIK`,`nkk`", Dialect::MySql), SlotMap { of: vec![0, 1, 2] });
        assert_eq!(t.default, SlotMap { of: vec![1, 2] });
        let anon = Target::new(b"dpt", &[], Columns::new([Some(2), None, None, Some(2), None, None]));
        assert_eq!(anon.map_list(b"a,b,c", Dialect::MySql), SlotMap { of: vec![0, 0, 9] });
    }
}
