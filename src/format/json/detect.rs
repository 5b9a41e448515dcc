//! Detecting a JSON dump's layout and keys from a sample of its first bytes.
//!
//! Layout: a top-level `[` is an array of records. A top-level `{` followed by more values is
//! JSON lines when the first value sits on one line, concatenated values otherwise. A lone
//! top-level object (alone in the sample, or too big for it) that has no NIK key of its own but
//! a member holding an array of objects is a wrapper, and that array's elements are the
//! records (the first such member; the others are skipped).
//!
//! Keys: each role is looked up in every sampled record the way the hot loop will look it up
//! ([`Matcher`]). NIK and KK fall back to content, as for CSV: the path whose values are most
//! often valid NIKs (women's birth days break ties with KKs). A role found nowhere in the
//! sample is not looked for, so the report says which roles the scan used.

use memchr::memchr;

use crate::engine::{Role, RoleMap};
use crate::nik::{Check, Validator};
use crate::format::layout::{Details, Found};
use crate::format::json::keys::{Matcher, Roles, MAX_PATH};
use crate::format::json::walk::{skip_ws, string_end, unescape_into, walk, Kind, Skip, Visitor, Walk};
use crate::format::json::{find_boundary, JsonParser, Mode};
use crate::format::csv::sniff::{canonical, ColumnChoice, SniffOptions};
use crate::input::text::strip_bom;
use crate::nik::mask::mask_digits;
use crate::format::roles::{flag, noun, HEADER_NAMES};

/// Records sampled at most.
const SAMPLE_RECORDS: usize = 1000;
/// Scalars kept per sampled record, and the depth they are looked for to.
const LEAVES_PER_RECORD: usize = 4096;
const LEAF_DEPTH: usize = 64;

/// One scalar member of a sampled record.
struct Leaf {
    /// Dotted path as written (16-digit runs masked), for messages and the report.
    shown: String,
    /// Canonical path segments.
    segs: Vec<String>,
    /// `None` for `null`.
    value: Option<Vec<u8>>,
}

/// Collects a record's scalar members with their paths (detection only; allocates).
#[derive(Default)]
struct Collector {
    path: Vec<(String, String)>,
    key: (String, String),
    leaves: Vec<Leaf>,
}

impl Visitor for Collector {
    fn key(&mut self, buf: &[u8], _: u32, a: usize, b: usize, escaped: bool) {
        let text = if escaped {
            let mut t = Vec::new();
            unescape_into(&buf[a..b], &mut t);
            String::from_utf8_lossy(&t).into_owned()
        } else {
            String::from_utf8_lossy(&buf[a..b]).into_owned()
        };
        self.key = (mask_digits(&text), canonical(&text));
    }

    fn scalar(&mut self, buf: &[u8], _: u32, a: usize, b: usize, kind: Kind, keyed: bool) {
        if !keyed || self.leaves.len() >= LEAVES_PER_RECORD || self.path.len() >= LEAF_DEPTH {
            return;
        }
        let value = match kind {
            Kind::Null => None,
            Kind::EscapedStr => {
                let mut t = Vec::new();
                unescape_into(&buf[a..b], &mut t);
                Some(t)
            }
            _ => Some(buf[a..b].to_vec()),
        };
        let all = || self.path.iter().chain(std::iter::once(&self.key));
        let shown = all().map(|(s, _)| s.as_str()).collect::<Vec<_>>().join(".");
        let segs = all().map(|(_, c)| c.clone()).collect();
        self.leaves.push(Leaf { shown, segs, value });
    }

    fn open(&mut self, _: u32, keyed: bool) {
        if keyed {
            self.path.push(self.key.clone());
        }
    }

    fn close(&mut self, keyed: bool) {
        if keyed {
            self.path.pop();
        }
    }

    fn done(&self) -> bool {
        false
    }
}

impl Matcher {
    /// The leaf this matcher picks in one record: nearest the top, then first.
    fn pick<'l>(&self, leaves: &'l [Leaf]) -> Option<&'l Leaf> {
        match self {
            Matcher::Any(names) => leaves
                .iter()
                .filter(|l| l.segs.last().is_some_and(|k| names.contains(k)))
                .min_by_key(|l| l.segs.len()),
            Matcher::Path(segs) => leaves.iter().find(|l| &l.segs == segs),
        }
    }
}

/// Where the records are.
struct Layout {
    mode: Mode,
    data_start: usize,
    array_at: usize,
    wrapper_at: usize,
    /// Canonical name of the wrapper member holding the records.
    wrapper_key: Option<String>,
}

fn choice_matcher(choice: &ColumnChoice, role: Role) -> Result<Matcher, String> {
    match choice {
        ColumnChoice::Position(n) => Err(format!(
            "JSON records have keys, not column numbers: name the {} key instead of {n} (e.g. {} nik, or a path such as {} data.nik)",
            noun(role),
            flag(role),
            flag(role)
        )),
        ColumnChoice::Name(name) if name.contains('.') => {
            let segs: Vec<String> = name.split('.').map(canonical).collect();
            if segs.len() > MAX_PATH {
                return Err(format!("{} {}: paths longer than {MAX_PATH} keys are not supported", flag(role), mask_digits(name)));
            }
            Ok(Matcher::Path(segs))
        }
        ColumnChoice::Name(name) => Ok(Matcher::Any(vec![canonical(name)])),
    }
}

fn names(list: &[&str]) -> Matcher {
    Matcher::Any(list.iter().map(|s| s.to_string()).collect())
}

/// In the object at `s`: the `[` of the first member holding an array of objects, and that
/// member's canonical name; `None` as well when the object has a member the NIK matcher names
/// (then the object is a record, and the array part of it).
fn records_array(sample: &[u8], s: usize, nik: &Matcher) -> Option<(usize, String)> {
    let mut stack = Vec::new();
    let mut found = None;
    let mut p = skip_ws(sample, s + 1);
    while sample.get(p) == Some(&b'"') {
        let (end, escaped) = string_end(sample, p + 1)?;
        let mut tmp = Vec::new();
        let raw = if escaped {
            unescape_into(&sample[p + 1..end], &mut tmp);
            &tmp[..]
        } else {
            &sample[p + 1..end]
        };
        let key = canonical(&String::from_utf8_lossy(raw));
        let own_nik = match nik {
            Matcher::Any(names) => names.contains(&key),
            Matcher::Path(segs) => segs.len() == 1 && segs[0] == key,
        };
        if own_nik {
            return None;
        }
        p = skip_ws(sample, end + 1);
        if sample.get(p) != Some(&b':') {
            break;
        }
        p = skip_ws(sample, p + 1);
        if found.is_none() && sample.get(p) == Some(&b'[') && sample.get(skip_ws(sample, p + 1)) == Some(&b'{') {
            found = Some((p, key));
        }
        match walk(sample, p, &mut Skip, &mut stack) {
            Walk::End(e) => p = skip_ws(sample, e),
            _ => break,
        }
        if sample.get(p) != Some(&b',') {
            break;
        }
        p = skip_ws(sample, p + 1);
    }
    found
}

fn layout(sample: &[u8], bom: usize, s: usize, whole: bool, nik: &Matcher) -> Result<Layout, String> {
    let stream = |mode| Layout { mode, data_start: bom, array_at: s, wrapper_at: s, wrapper_key: None };
    match sample[s] {
        b'[' => Ok(Layout { mode: Mode::Array { wrapped: false }, data_start: s + 1, array_at: s, wrapper_at: s, wrapper_key: None }),
        b'{' => {
            let first = walk(sample, s, &mut Skip, &mut Vec::new());
            let lone = match first {
                Walk::End(e) => whole && skip_ws(sample, e) >= sample.len(),
                _ => true,
            };
            if lone {
                if let Some((at, key)) = records_array(sample, s, nik) {
                    return Ok(Layout {
                        mode: Mode::Array { wrapped: true },
                        data_start: at + 1,
                        array_at: at,
                        wrapper_at: s,
                        wrapper_key: Some(key),
                    });
                }
            }
            // JSON lines when the first line holds a whole value or is broken on its own; values
            // spread over lines (complete or cut off by the sample's end) otherwise.
            let eol = memchr(b'\n', &sample[s..]).map_or(sample.len(), |i| s + i);
            let on_one_line = walk(&sample[..eol], s, &mut Skip, &mut Vec::new());
            Ok(match (on_one_line, first) {
                (Walk::Unclosed(_), Walk::End(_) | Walk::Unclosed(_)) if eol < sample.len() => stream(Mode::Values),
                _ => stream(Mode::Lines),
            })
        }
        c => {
            let shown = if c.is_ascii_graphic() && !c.is_ascii_digit() { format!("{:?}", c as char) } else { format!("byte 0x{c:02x}") };
            Err(format!("not JSON: byte {s} is {shown}, where a JSON dump starts with '{{' or '['"))
        }
    }
}

/// The sampled records' leaves, and the first malformed offset seen.
fn sample_records(sample: &[u8], l: &Layout, whole: bool) -> (Vec<Vec<Leaf>>, Option<usize>) {
    let mut records = Vec::new();
    let mut bad = None;
    let mut stack = Vec::new();
    let mut p = l.data_start;
    match l.mode {
        Mode::Lines => {
            while p < sample.len() && records.len() < SAMPLE_RECORDS {
                let (end, next) = match memchr(b'\n', &sample[p..]) {
                    Some(i) => (p + i, p + i + 1),
                    None if whole => (sample.len(), sample.len()),
                    None => break,
                };
                let line = &sample[..end];
                let q = skip_ws(line, p);
                if q < end {
                    let mut c = Collector::default();
                    match walk(line, q, &mut c, &mut stack) {
                        Walk::End(e) if skip_ws(line, e) == end => {}
                        Walk::End(e) => bad = bad.or(Some(skip_ws(line, e))),
                        Walk::Malformed(at) | Walk::Unclosed(at) | Walk::Stopped(at) => bad = bad.or(Some(at)),
                    }
                    records.push(c.leaves);
                }
                p = next;
            }
        }
        Mode::Values | Mode::Array { .. } => {
            let array = l.mode != Mode::Values;
            while records.len() < SAMPLE_RECORDS {
                p = skip_ws(sample, p);
                if array && sample.get(p) == Some(&b',') && !records.is_empty() {
                    p = skip_ws(sample, p + 1);
                }
                if p >= sample.len() || (array && sample[p] == b']') {
                    break;
                }
                let mut c = Collector::default();
                match walk(sample, p, &mut c, &mut stack) {
                    Walk::End(e) if e < sample.len() || whole => {
                        records.push(c.leaves);
                        p = e;
                    }
                    Walk::End(_) => break,
                    Walk::Unclosed(at) => {
                        if whole {
                            bad = bad.or(Some(at));
                            records.push(c.leaves);
                        }
                        break;
                    }
                    Walk::Malformed(at) | Walk::Stopped(at) => {
                        bad = bad.or(Some(at));
                        records.push(c.leaves);
                        match find_boundary(sample, p, at.max(p + 1), sample.len(), array) {
                            Some(b) => p = b,
                            None => break,
                        }
                    }
                }
            }
        }
    }
    (records, bad)
}

/// Per path, over the sample: valid NIKs, valid KKs, women's NIKs; paths in first-seen order.
fn content_scores<'r>(records: &'r [Vec<Leaf>], v: &Validator<'_>) -> Vec<(&'r Leaf, usize, usize, usize)> {
    let mut scores: Vec<(&Leaf, usize, usize, usize)> = Vec::new();
    for leaf in records.iter().flatten() {
        let i = match scores.iter().position(|s| s.0.segs == leaf.segs) {
            Some(i) => i,
            None if scores.len() < 1024 => {
                scores.push((leaf, 0, 0, 0));
                scores.len() - 1
            }
            None => continue,
        };
        let Some(value) = &leaf.value else { continue };
        if let Check::Valid(n) = v.nik(value) {
            scores[i].1 += 1;
            scores[i].3 += usize::from(n.is_female());
        }
        if let Check::Valid(_) = v.kk(value) {
            scores[i].2 += 1;
        }
    }
    scores
}

fn keys_seen(records: &[Vec<Leaf>]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for leaf in records.iter().flatten() {
        if seen.len() >= 40 {
            seen.push("...");
            break;
        }
        if !seen.contains(&leaf.shown.as_str()) {
            seen.push(&leaf.shown);
        }
    }
    if seen.is_empty() {
        "(none)".into()
    } else {
        seen.join(", ")
    }
}

/// Detects a JSON / JSON-lines dump's layout and keys. `Ok(None)`: no records at all.
pub fn detect(sample: &[u8], whole: bool, opts: &SniffOptions, v: &Validator<'_>) -> Result<Option<Found<JsonParser>>, String> {
    let bom = sample.len() - strip_bom(sample).len();
    let s = skip_ws(sample, bom);
    if s >= sample.len() {
        return Ok(None);
    }
    let choices = &opts.columns;
    let mut fixed: RoleMap<Option<Matcher>> = RoleMap::default();
    for role in Role::ALL {
        fixed[role] = choices[role].as_ref().map(|c| choice_matcher(c, role)).transpose()?;
    }
    let nik_names = fixed[Role::Nik].clone().unwrap_or_else(|| names(HEADER_NAMES[Role::Nik]));
    let l = layout(sample, bom, s, whole, &nik_names)?;
    let (records, bad) = sample_records(sample, &l, whole);
    if records.iter().all(|r| r.is_empty()) {
        if let Some(at) = bad {
            return Err(format!("not valid JSON: byte {at}, and no record before it holds a key"));
        }
        if records.is_empty() {
            if matches!(l.mode, Mode::Array { .. }) && whole && sample.get(skip_ws(sample, l.data_start)) != Some(&b']') {
                return Err(format!("byte {}: JSON array never closed, and it holds no records", l.array_at));
            }
            if !whole {
                return Err("no complete JSON record in the first MiB; cannot find the keys".into());
            }
            return Ok(None);
        }
    }

    let mut matchers: RoleMap<Option<Matcher>> = RoleMap::default();
    let mut shown: RoleMap<Option<String>> = RoleMap::default();
    let first_pick = |m: &Matcher| records.iter().find_map(|r| m.pick(r)).map(|leaf| leaf.shown.clone());
    for role in Role::ALL {
        let Some(m) = fixed[role].clone() else {
            let m = names(HEADER_NAMES[role]);
            if let Some(found) = first_pick(&m) {
                shown[role] = Some(found);
                matchers[role] = Some(m);
            }
            continue;
        };
        // A path may name the wrapper member too: `data.nik` for `{"data": [{"nik": ..}]}`.
        let relative = match (&m, &l.wrapper_key) {
            (Matcher::Path(segs), Some(w)) if segs.len() > 1 && &segs[0] == w => Some(Matcher::Path(segs[1..].to_vec())),
            _ => None,
        };
        let (m, found) = match first_pick(&m) {
            Some(f) => (m, f),
            None => match relative.as_ref().and_then(|r| first_pick(r).map(|f| (r.clone(), f))) {
                Some(x) => x,
                None => {
                    let name = match &choices[role] {
                        Some(ColumnChoice::Name(n)) => mask_digits(n),
                        _ => String::new(),
                    };
                    return Err(format!(
                        "no {} key named {name:?} in the first {} records; keys seen: {}",
                        noun(role),
                        records.len(),
                        keys_seen(&records)
                    ));
                }
            },
        };
        shown[role] = Some(found);
        matchers[role] = Some(m);
    }

    let (nik, kk) = (Role::Nik, Role::Kk);
    if matchers[nik].is_none() || (matchers[kk].is_none() && opts.columns[kk].is_none()) {
        let scores = content_scores(&records, v);
        let n = records.len();
        let enough = |c: usize| c > 0 && c * 10 >= n * 3;
        // The path another role already uses (as picked in the first record holding it).
        let taken = |m: &Option<Matcher>, leaf: &Leaf| m.as_ref().and_then(|m| records.iter().find_map(|r| m.pick(r))).is_some_and(|x| x.segs == leaf.segs);
        if matchers[nik].is_none() {
            let best = scores
                .iter()
                .enumerate()
                .filter(|(_, s)| enough(s.1) && !taken(&matchers[kk], s.0))
                .max_by_key(|(i, s)| (s.1 + 2 * s.3, std::cmp::Reverse(*i)));
            if let Some((_, s)) = best {
                matchers[nik] = Some(Matcher::Path(s.0.segs.clone()));
                shown[nik] = Some(s.0.shown.clone());
            }
        }
        if matchers[kk].is_none() && opts.columns[kk].is_none() {
            let best = scores
                .iter()
                .enumerate()
                .filter(|(_, s)| enough(s.2) && s.3 * 10 <= s.2 && !taken(&matchers[nik], s.0))
                .max_by_key(|(i, s)| (s.2, std::cmp::Reverse(*i)));
            if let Some((_, s)) = best {
                matchers[kk] = Some(Matcher::Path(s.0.segs.clone()));
                shown[kk] = Some(s.0.shown.clone());
            }
        }
    }
    if matchers[nik].is_none() {
        return Err(format!(
            "cannot find the NIK key: no key named like nik/no_ktp/nik_ktp and no key holding mostly valid NIKs in the first {} records; keys seen: {}; name it with --nik-column KEY or --nik-column path.to.key",
            records.len(),
            keys_seen(&records)
        ));
    }

    // The keys of the sampled records (the last segment of each path), in order of appearance.
    let mut headers: Vec<String> = Vec::new();
    for leaf in records.iter().flatten() {
        let key = leaf.shown.rsplit('.').next().unwrap_or(&leaf.shown);
        if headers.len() < 256 && !headers.iter().any(|h| h == key) {
            headers.push(key.to_string());
        }
    }
    let details = Details { format: if l.mode == Mode::Lines { "jsonl" } else { "json" }, delimiter: None, header: false, columns: shown, headers };
    let parser = JsonParser { mode: l.mode, roles: Roles::new(matchers), array_at: l.array_at as u64, wrapper_at: l.wrapper_at as u64 };
    Ok(Some(Found { parser, data_start: l.data_start, details }))
}
