//! `keys.takar` end to end through the public API: synthetic valid NIKs and KKs, their keyed
//! pseudonyms written to a keys file on disk, read back (undone with the key, they are the same
//! people), checked by the file's own leak guard against the dump's numbers, and two dumps'
//! files compared by `engine::overlap`.
//!
//! Every NIK here is synthetic: a real district code followed by a made-up date and serial.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use takar::engine::keys::pseudonym::Pseudonyms;
use takar::engine::overlap::{overlap, Set};
use takar::keyring::Key;
use takar::nik::{Check, Date, Validator};
use takar::report::keys_file;

/// Districts in six provinces, Bali and NTB among them (their codes are ASCII digits).
const DISTRICTS: [&str; 6] = ["320101", "317101", "510101", "520101", "110101", "350701"];

fn validator() -> Validator<'static> {
    Validator::new(takar::nik::RegionTable::embedded(), Date::new(2026, 11, 24).unwrap())
}

/// `count` valid NIKs numbered from `from` (a made-up date and serial per number), as
/// (16-digit value, dedup key, province code).
fn niks(from: u32, count: u32) -> Vec<(u64, u64, u8)> {
    let validator = validator();
    (from..from + count)
        .map(|i| {
            let district = DISTRICTS[(i % 6) as usize];
            let raw = format!("{district}{:02}{:02}{:02}{:04}", 1 + i % 28, 1 + (i / 28) % 12, 80 + (i / 336) % 20, 1 + i % 9000);
            match validator.nik(raw.as_bytes()) {
                Check::Valid(nik) => (nik.value(), nik.key(), (nik.region_code() / 10_000) as u8),
                other => panic!("synthetic NIK {i} is not valid: {other:?}"),
            }
        })
        .collect()
}

/// The keys file of a dump with these NIKs and KK keys: pseudonyms sorted, unique.
fn keys_file_of(pseudonyms: &Pseudonyms, niks: &[(u64, u64, u8)], kk_keys: &[u64]) -> Vec<u8> {
    let nik: BTreeMap<u64, u8> = niks.iter().map(|&(_, key, province)| (pseudonyms.nik(key), province)).collect();
    let kk: BTreeSet<u64> = kk_keys.iter().map(|&key| pseudonyms.kk(key)).collect();
    let mut out = Vec::new();
    keys_file::write(&mut out, pseudonyms.fingerprint(), &nik.into_iter().collect::<Vec<_>>(), &kk.into_iter().collect::<Vec<_>>())
        .unwrap();
    out
}

fn key() -> Key {
    Key::from_hex(&"5a".repeat(32)).unwrap()
}

#[test]
fn write_read_guard_and_compare() {
    let key = key();
    let pseudonyms = Pseudonyms::new(&key);
    let dir = tempfile::tempdir().unwrap();

    // Dump A: people 0..3000; dump B: people 2000..4500 (1000 in both).
    let a = niks(0, 3000);
    let b = niks(2000, 2500);
    let kk_keys: Vec<u64> = a.iter().map(|&(_, key, _)| key).take(500).collect();
    let path_a = dir.path().join("a").join(keys_file::FILE_NAME);
    let path_b = dir.path().join("b").join(keys_file::FILE_NAME);
    for (path, people, kk) in [(&path_a, &a, &kk_keys[..]), (&path_b, &b, &[][..])] {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, keys_file_of(&pseudonyms, people, kk)).unwrap();
    }

    let set_a = keys_file::read(&path_a).unwrap();
    let set_b = keys_file::read(&path_b).unwrap();
    assert_eq!(set_a.header.key_fingerprint, key.fingerprint());
    assert_eq!((set_a.header.nik, set_a.header.kk), (3000, 500));
    assert_eq!((set_b.header.nik, set_b.header.kk), (2500, 0));

    // With the key, the pseudonyms are the same people, each with its own province.
    let keys_a: HashSet<u64> = a.iter().map(|&(_, key, _)| key).collect();
    let province_of: BTreeMap<u64, u8> = a.iter().map(|&(_, key, province)| (key, province)).collect();
    for (&pseudonym, &province) in set_a.nik.iter().zip(&set_a.nik_province) {
        let nik_key = pseudonyms.nik_inverse(pseudonym);
        assert!(keys_a.contains(&nik_key));
        assert_eq!(province_of[&nik_key], province);
    }

    // The dumps' numbers are nowhere in their files.
    let numbers: HashSet<u64> = a.iter().chain(&b).map(|&(value, _, _)| value).collect();
    for path in [&path_a, &path_b] {
        assert!(!keys_file::leaks(path, &|v| numbers.contains(&v)).unwrap());
        let raw = std::fs::read(path).unwrap();
        assert!(!takar::nik::mask::has_nik_like_run(&raw));
    }

    let result = overlap(&[
        Set { nik: &set_a.nik, province: &set_a.nik_province },
        Set { nik: &set_b.nik, province: &set_b.nik_province },
    ]);
    assert_eq!((result.sets[0].unique, result.sets[0].only_here), (3000, 2000));
    assert_eq!((result.sets[1].unique, result.sets[1].only_here), (2500, 1500));
    let pair = &result.pairs[0];
    assert_eq!(pair.intersection, 1000);
    assert_eq!(pair.jaccard, 1000.0 / 4500.0);
    assert_eq!((pair.b_in_a, pair.a_in_b), (1000.0 / 2500.0, 1000.0 / 3000.0));
    let mut expected: BTreeMap<u8, u64> = BTreeMap::new();
    for &(_, _, province) in &a[2000..] {
        *expected.entry(province).or_default() += 1;
    }
    assert_eq!(pair.per_province, expected.into_iter().collect::<Vec<_>>());
}

#[test]
fn a_damaged_file_is_an_error_naming_it() {
    let pseudonyms = Pseudonyms::new(&key());
    let mut bytes = keys_file_of(&pseudonyms, &niks(0, 100), &[]);
    let last = bytes.len() - 1;
    bytes[last] ^= 0xFF;
    let error = keys_file::read_from(&bytes, std::path::Path::new("x/keys.takar")).unwrap_err();
    assert!(matches!(error, takar::Error::KeysFile { .. }));
    assert!(error.to_string().starts_with("x/keys.takar: not a valid keys file: "), "{error}");
}
