//! Which keys fill which role (NIK, KK, birth date, gender), and [`Keep`], the visitor that
//! keeps each role's value while a record is walked.
//!
//! A role is found either by name at any depth ([`Matcher::Any`]: the key's canonical name, as
//! [`sniff::canonical`] makes it, is in a list; the match nearest the record's top wins, then
//! the first) or by a dotted path from the record's top ([`Matcher::Path`], from
//! `--nik-column data.nik` or from a content guess). Array brackets are transparent to paths.
//!
//! Classifying a key means canonicalising it and comparing with the lists. Records of one dump
//! repeat the same keys in the same order, so [`Found`] remembers the previous record's keys by
//! position (as ranges of the chunk's bytes) and only classifies a key that differs: in the hot
//! loop a key costs one short comparison.

use crate::engine::{Role, RoleMap};
use crate::format::json::walk::{unescape_into, Kind, Visitor};
use crate::format::csv::sniff;

// Role sets are `u8` bit masks.
const _: () = assert!(Role::COUNT <= 8);

/// Paths longer than this are refused when resolving flags.
pub(crate) const MAX_PATH: usize = 16;

/// How one role's key is recognised. Names and segments are canonical.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Matcher {
    Any(Vec<String>),
    Path(Vec<String>),
}

impl Matcher {
    /// The level at which a match can never be displaced.
    fn min_level(&self) -> u32 {
        match self {
            Matcher::Any(_) => 0,
            Matcher::Path(segs) => segs.len().saturating_sub(1) as u32,
        }
    }
}

/// The matchers of every role, with per-level bit masks (a bit per role index) precomputed
/// for the hot loop.
#[derive(Debug, Clone)]
pub(crate) struct Roles {
    matchers: RoleMap<Option<Matcher>>,
    /// Roles that are looked for.
    wanted: u8,
    /// Roles matched by path.
    paths: u8,
    /// `leaf_at[l]`: path roles whose last segment is at level `l`.
    leaf_at: [u8; MAX_PATH],
    /// `inner_at[l]`: path roles with a segment below level `l`.
    inner_at: [u8; MAX_PATH],
    min_level: [u32; Role::COUNT],
}

impl Roles {
    pub(crate) fn new(matchers: RoleMap<Option<Matcher>>) -> Roles {
        let mut r = Roles { matchers, wanted: 0, paths: 0, leaf_at: [0; MAX_PATH], inner_at: [0; MAX_PATH], min_level: [0; Role::COUNT] };
        for (role, m) in r.matchers.iter() {
            let Some(m) = m else { continue };
            let i = role.index();
            r.wanted |= 1 << i;
            r.min_level[i] = m.min_level();
            if let Matcher::Path(segs) = m {
                r.paths |= 1 << i;
                for l in 0..segs.len().min(MAX_PATH) {
                    if l + 1 == segs.len() {
                        r.leaf_at[l] |= 1 << i;
                    } else {
                        r.inner_at[l] |= 1 << i;
                    }
                }
            }
        }
        r
    }

    /// For a key of canonical name `canon` at `level`: the roles it names anywhere, and the
    /// path roles whose segment at this level it is.
    pub(crate) fn classify(&self, canon: &[u8], level: u32) -> (u8, u8) {
        let (mut any, mut seg) = (0u8, 0u8);
        for (role, m) in self.matchers.iter() {
            let i = role.index();
            match m {
                Some(Matcher::Any(names)) if names.iter().any(|n| n.as_bytes() == canon) => any |= 1 << i,
                Some(Matcher::Path(segs)) if segs.get(level as usize).is_some_and(|s| s.as_bytes() == canon) => seg |= 1 << i,
                _ => {}
            }
        }
        (any, seg)
    }
}

/// `sniff::canonical` of a raw key (escapes undone), into `out`.
pub(crate) fn canonical_key(raw: &[u8], escaped: bool, tmp: &mut Vec<u8>, out: &mut Vec<u8>) {
    out.clear();
    let text: &[u8] = if escaped {
        tmp.clear();
        unescape_into(raw, tmp);
        tmp
    } else {
        raw
    };
    if text.is_ascii() {
        out.extend(text.iter().filter(|c| c.is_ascii_alphanumeric()).map(u8::to_ascii_lowercase));
    } else {
        out.extend_from_slice(sniff::canonical(&String::from_utf8_lossy(text)).as_bytes());
    }
}

/// A role's value in the current record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Val {
    Null,
    /// Range of the chunk's bytes.
    Span(usize, usize),
    /// Range of `Found::scratch` (an unescaped string).
    Owned(usize, usize),
}

/// The previous record's `k`-th key.
#[derive(Debug, Clone, Copy)]
struct Seen {
    start: usize,
    len: usize,
    level: u32,
    any: u8,
    seg: u8,
}

/// How many keys per record are remembered.
const CACHE: usize = 256;

/// Per-worker state for [`Keep`]: the key cache, the current record's values, buffers.
#[derive(Debug, Default)]
pub(crate) struct Found {
    cache: Vec<Seen>,
    keys: usize,
    /// `prefix[l]`: path roles whose segments above level `l` match the keys above.
    prefix: [u8; MAX_PATH],
    pending_any: u8,
    pending_seg: u8,
    vals: [Option<(Val, u32)>; Role::COUNT],
    final_roles: u8,
    scratch: Vec<u8>,
    canon: Vec<u8>,
    tmp: Vec<u8>,
}

impl Found {
    /// Forgets the previous record's values (not its keys).
    #[inline]
    pub(crate) fn begin(&mut self, roles: &Roles) {
        self.keys = 0;
        self.prefix[0] = roles.paths;
        self.pending_any = 0;
        self.pending_seg = 0;
        self.vals = [None; Role::COUNT];
        self.final_roles = 0;
        self.scratch.clear();
    }

    /// The value of `role` in the record just walked over `data`; `None` when absent or null.
    #[inline]
    pub(crate) fn get<'a>(&'a self, data: &'a [u8], role: Role) -> Option<&'a [u8]> {
        match self.vals[role.index()]?.0 {
            Val::Null => None,
            Val::Span(a, b) => data.get(a..b),
            Val::Owned(a, b) => self.scratch.get(a..b),
        }
    }
}

/// Equality of two slices of the same length, without a call for short ones (keys).
#[inline(always)]
fn same_bytes(x: &[u8], y: &[u8]) -> bool {
    let n = x.len();
    if n != y.len() {
        return false;
    }
    let w8 = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().unwrap());
    let w4 = |s: &[u8], i: usize| u32::from_le_bytes(s[i..i + 4].try_into().unwrap());
    match n {
        0 => true,
        1..=3 => x[0] == y[0] && x[n / 2] == y[n / 2] && x[n - 1] == y[n - 1],
        4..=7 => w4(x, 0) == w4(y, 0) && w4(x, n - 4) == w4(y, n - 4),
        8..=16 => w8(x, 0) == w8(y, 0) && w8(x, n - 8) == w8(y, n - 8),
        _ => x == y,
    }
}

/// The hot-path visitor.
pub(crate) struct Keep<'a> {
    pub(crate) roles: &'a Roles,
    pub(crate) found: &'a mut Found,
}

impl Visitor for Keep<'_> {
    #[inline(always)]
    fn key(&mut self, buf: &[u8], level: u32, a: usize, b: usize, escaped: bool) {
        let f = &mut *self.found;
        let k = f.keys;
        f.keys += 1;
        let len = b - a;
        if let Some(s) = f.cache.get(k) {
            if s.level == level && s.len == len && buf.get(s.start..s.start + len).is_some_and(|x| same_bytes(x, &buf[a..b])) {
                f.pending_any = s.any;
                f.pending_seg = s.seg;
                return;
            }
        }
        canonical_key(&buf[a..b], escaped, &mut f.tmp, &mut f.canon);
        let (any, seg) = self.roles.classify(&f.canon, level);
        f.pending_any = any;
        f.pending_seg = seg;
        let seen = Seen { start: a, len, level, any, seg };
        if k < f.cache.len() {
            f.cache[k] = seen;
        } else if k == f.cache.len() && k < CACHE {
            f.cache.push(seen);
        }
    }

    #[inline(always)]
    fn scalar(&mut self, buf: &[u8], level: u32, a: usize, b: usize, kind: Kind, keyed: bool) {
        if !keyed {
            return;
        }
        let f = &mut *self.found;
        let l = level as usize;
        let on_path = match (f.prefix.get(l), self.roles.leaf_at.get(l)) {
            (Some(p), Some(leaf)) => f.pending_seg & p & leaf,
            _ => 0,
        };
        let roles = f.pending_any | on_path;
        if roles == 0 {
            return;
        }
        let mut rest = roles;
        while rest != 0 {
            let r = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            if f.vals[r].is_some_and(|(_, at)| at <= level) {
                continue;
            }
            let val = match kind {
                Kind::Null => Val::Null,
                Kind::EscapedStr => {
                    let s = f.scratch.len();
                    unescape_into(&buf[a..b], &mut f.scratch);
                    Val::Owned(s, f.scratch.len())
                }
                _ => Val::Span(a, b),
            };
            f.vals[r] = Some((val, level));
            if level <= self.roles.min_level[r] {
                f.final_roles |= 1 << r;
            }
        }
    }

    #[inline]
    fn open(&mut self, level: u32, keyed: bool) {
        if keyed {
            let f = &mut *self.found;
            let l = level as usize;
            if l + 1 < MAX_PATH {
                f.prefix[l + 1] = f.prefix[l] & f.pending_seg & self.roles.inner_at[l];
            }
        }
    }

    #[inline]
    fn close(&mut self, _keyed: bool) {}

    #[inline]
    fn done(&self) -> bool {
        self.found.final_roles == self.roles.wanted
    }
}
