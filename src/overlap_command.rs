//! `takar overlap`: each set is a dump, scanned here into keyed pseudonyms, or a `keys.takar`
//! file left by an earlier scan; the sets must share one key (their fingerprints say so), and
//! the engine's linear merges give the exact figures. With `--against DIR`, the last set is
//! compared with every keys file under DIR, one pair each.

use std::path::{Path, PathBuf};

use crate::config::OverlapConfig;
use crate::engine::keys::pseudonym::Pseudonyms;
use crate::engine::overlap::{overlap, Overlap, Set, SetFigures};
use crate::error::shown;
use crate::input::source;
use crate::nik::Validator;
use crate::report::keys_file::{self, MAGIC};
use crate::scan::{scan_dump, ScanOptions};
use crate::{Error, Result};

/// One set: its name (the path as given, digits masked), the key it was made with, and its
/// NIK pseudonyms with their provinces.
pub struct NamedSet {
    pub name: String,
    pub key_fingerprint: String,
    pub nik: Vec<u64>,
    pub province: Vec<u8>,
}

/// What `takar overlap` found: the sets in order, and the figures.
pub struct Comparison {
    pub sets: Vec<NamedSet>,
    pub figures: Overlap,
}

/// Reads or scans every set, checks that one key made them all, and compares them. Runs on the
/// current rayon pool.
pub fn run(c: &OverlapConfig, validator: &Validator<'_>) -> Result<Comparison> {
    let mut paths: Vec<PathBuf> = Vec::new();
    if let Some(dir) = &c.against {
        paths.extend(keys_files_under(dir)?);
        if paths.is_empty() {
            return Err(Error::input(dir, 0, "no keys.takar file under this folder"));
        }
    }
    paths.extend(c.scan.scan.inputs.iter().cloned());
    // The key is needed only when a set has to be scanned.
    let mut pseudonyms: Option<Pseudonyms> = None;
    let mut sets = Vec::with_capacity(paths.len());
    for path in &paths {
        let set = if is_keys_file(path) {
            let k = keys_file::read(path)?;
            NamedSet { name: shown(path), key_fingerprint: k.header.key_fingerprint, nik: k.nik, province: k.nik_province }
        } else {
            if pseudonyms.is_none() {
                let source = c.scan.key.as_ref().ok_or_else(|| Error::Usage("takar overlap needs the key to scan a dump; drop --no-keys".into()))?;
                pseudonyms = Some(Pseudonyms::new(&source.load()?));
            }
            let p = pseudonyms.as_ref().expect("set just above");
            let opts = ScanOptions { inputs: vec![path.clone()], ..c.scan.scan.clone() };
            let dump = scan_dump(&opts, validator, Some(p))?;
            let sets = dump.pseudonyms.expect("asked for");
            let (nik, province) = sets.nik_packed.iter().map(|&v| (v >> 8, v as u8)).unzip();
            NamedSet { name: shown(path), key_fingerprint: sets.key_fingerprint, nik, province }
        };
        if let Some(first) = sets.first().filter(|f: &&NamedSet| f.key_fingerprint != set.key_fingerprint) {
            return Err(Error::key(
                None,
                format!(
                    "{} was made with key {} and {} with key {}: pseudonyms of different keys cannot be compared",
                    first.name, first.key_fingerprint, set.name, set.key_fingerprint
                ),
            ));
        }
        sets.push(set);
    }
    let views: Vec<Set<'_>> = sets.iter().map(|s| Set { nik: &s.nik, province: &s.province }).collect();
    let mut figures = if c.against.is_some() { against_last(&views) } else { overlap(&views) };
    if c.against.is_some() {
        // The archive's files by how much of the new dump each already holds.
        figures.pairs.sort_by(|x, y| y.b_in_a.total_cmp(&x.b_in_a).then(x.a.cmp(&y.a)));
    }
    Ok(Comparison { sets, figures })
}

/// Every archive set against the last one (the new dump): one pair each (`b` the new dump),
/// one two-set merge each, so an archive of hundreds of files costs no pairs among them. An
/// archive set's `only_here` is its part not in the new dump; the new dump's is its part in
/// no archive set.
fn against_last(views: &[Set<'_>]) -> Overlap {
    let last = views.len() - 1;
    let new = &views[last];
    let mut seen = vec![false; new.nik.len()];
    let mut sets = Vec::with_capacity(views.len());
    let mut pairs = Vec::with_capacity(last);
    for (i, archive) in views[..last].iter().enumerate() {
        let o = overlap(&[*archive, *new]);
        let mut pair = o.pairs.into_iter().next().expect("two sets make one pair");
        pair.a = i;
        pair.b = last;
        sets.push(o.sets[0].clone());
        pairs.push(pair);
        mark_shared(archive.nik, new.nik, &mut seen);
    }
    let unique = new.nik.len() as u64;
    sets.push(SetFigures { unique, only_here: seen.iter().filter(|s| !**s).count() as u64 });
    Overlap { sets, pairs }
}

/// Marks the elements of `new` (sorted) that `archive` (sorted) also holds.
fn mark_shared(archive: &[u64], new: &[u64], seen: &mut [bool]) {
    let (mut i, mut j) = (0, 0);
    while i < archive.len() && j < new.len() {
        match archive[i].cmp(&new[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                seen[j] = true;
                i += 1;
                j += 1;
            }
        }
    }
}

/// A keys file starts with the magic bytes; anything else is a dump to scan.
fn is_keys_file(path: &Path) -> bool {
    let mut head = [0u8; MAGIC.len()];
    std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_ok() && head == MAGIC
}

/// Every `keys.takar` below `dir`, in path order (walked as scan walks a folder of inputs).
fn keys_files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    source::walk(dir, &mut files)?;
    files.retain(|p| p.file_name().is_some_and(|n| n == keys_file::FILE_NAME));
    Ok(files)
}
