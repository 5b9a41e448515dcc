//! The crate's layout, checked by reading the imports of every file under `src/` (issue 9):
//!
//! - `nik` imports nothing else of takar; `forensics` (signals and verdict) only `nik`;
//!   `engine` nothing from `format`, `input` or `report`;
//!   `input` nothing from `format`, `engine` or `report`; `format` nothing from `report`;
//! - no import loops between files, except inside one format's own folder (`format/sql/*`,
//!   `format/json.rs` with `format/json/*`), where a parser and its detector share types.
//!
//! Imports are `crate::` paths anywhere in the code (comments stripped), `super::` paths, and
//! `use child::...` of a file's own submodules, resolved to the longest module that is a file.
//! A module's re-exports (`pub use child::X`) are its face, not dependencies, and inline
//! `#[cfg(test)]` modules are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path of each source file: `src/engine/keys/mod.rs` -> `engine::keys`.
fn modules(root: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|l| l == "mod" || l == "lib" || l == "main") {
                if parts.len() == 1 && parts[0] == "main" {
                    continue; // the binary uses the library through `takar::`
                }
                parts.pop();
            }
            out.insert(parts.join("::"), path);
        }
    }
    out
}

/// Code without `//` comments (doc comments mention paths that are not imports), without
/// the inline unit-test module at the end of a file (its `super::` is the file itself), and
/// without the paths of `pub(in path)` visibilities.
fn code(text: &str) -> String {
    let text = text.find("#[cfg(test)]\nmod ").map_or(text, |i| &text[..i]);
    let code = text.lines().map(|l| l.find("//").map_or(l, |i| &l[..i])).collect::<Vec<_>>().join("\n");
    // `pub(in crate::a)` names a module for visibility, not an import.
    let mut out = String::with_capacity(code.len());
    let mut rest = code.as_str();
    while let Some(at) = rest.find("pub(in ") {
        out.push_str(&rest[..at + 3]);
        rest = rest[at..].find(')').map_or("", |e| &rest[at + e + 1..]);
    }
    out.push_str(rest);
    out
}

fn ident(s: &[u8], mut i: usize) -> (String, usize) {
    let start = i;
    while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == b'_') {
        i += 1;
    }
    (String::from_utf8_lossy(&s[start..i]).into_owned(), i)
}

/// Every path that starts at `i` (after a `crate::`-like prefix): `a::b`, `a::{b, c::d}`.
fn paths_at(s: &[u8], i: usize, prefix: &str, out: &mut Vec<String>) {
    let mut path = prefix.to_string();
    let mut i = i;
    loop {
        if s.get(i) == Some(&b'{') {
            // A group: each comma-separated item continues the path.
            let mut depth = 0;
            let mut item_start = i + 1;
            let mut j = i;
            while j < s.len() {
                match s[j] {
                    b'{' => depth += 1,
                    b'}' | b',' if depth == 1 => {
                        let item = String::from_utf8_lossy(&s[item_start..j]).trim().to_string();
                        if !item.is_empty() {
                            paths_at(item.as_bytes(), 0, &path, out);
                        }
                        item_start = j + 1;
                        if s[j] == b'}' {
                            break;
                        }
                    }
                    b'}' => depth -= 1,
                    _ => {}
                }
                j += 1;
            }
            return;
        }
        let (name, next) = ident(s, i);
        if name.is_empty() {
            break;
        }
        path = if path.is_empty() { name } else { format!("{path}::{name}") };
        i = next;
        if s[i..].starts_with(b"::") {
            i += 2;
        } else {
            break;
        }
    }
    out.push(path);
}

/// `pub use child::X;` makes a module's face, not a dependency of its code: blanked out.
fn without_reexports(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = ["pub use ", "pub(crate) use "].iter().filter_map(|p| rest.find(p)).min() {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';').map_or(rest.len(), |e| at + e + 1);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The module paths a file refers to, before resolving to files.
fn references(module: &str, text: &str, children: &BTreeSet<String>) -> Vec<String> {
    let text = without_reexports(&code(text));
    let s = text.as_bytes();
    let mut out = Vec::new();
    // `super` of a file `a/b.rs` (module a::b) is `a`; of `a/b/mod.rs` (also a::b) it is `a`.
    let parent = module.rsplit_once("::").map_or("", |(p, _)| p).to_string();
    let mut i = 0;
    while i < s.len() {
        let boundary = i == 0 || !(s[i - 1].is_ascii_alphanumeric() || s[i - 1] == b'_' || s[i - 1] == b':');
        if boundary && s[i..].starts_with(b"crate::") {
            paths_at(s, i + 7, "", &mut out);
        } else if boundary && s[i..].starts_with(b"super::") {
            let mut base = parent.clone();
            let mut j = i + 7;
            while s[j..].starts_with(b"super::") {
                base = base.rsplit_once("::").map_or("", |(p, _)| p).to_string();
                j += 7;
            }
            paths_at(s, j, &base, &mut out);
        } else if boundary {
            // A submodule named by its bare name: `use walk::x`, `json::detect(..)`.
            let (name, next) = ident(s, i);
            if children.contains(&name) && s[next..].starts_with(b"::") {
                paths_at(s, i, module, &mut out);
            }
        }
        i += 1;
    }
    out
}

/// The longest prefix of `path` that is a file's module.
fn resolve<'a>(path: &str, files: &'a BTreeMap<String, PathBuf>) -> Option<&'a str> {
    let mut p = path.to_string();
    loop {
        if let Some((k, _)) = files.get_key_value(&p) {
            return Some(k.as_str());
        }
        p = p.rsplit_once("::")?.0.to_string();
    }
}

fn wing(module: &str) -> &str {
    module.split("::").next().unwrap_or("")
}

/// `format::sql::lex` and `format::sql` share the folder `format::sql`; so do `format::json`
/// and `format::json::walk`.
fn same_format_folder(a: &str, b: &str) -> bool {
    let folder = |m: &str| {
        let parts: Vec<&str> = m.split("::").collect();
        (parts.len() >= 2 && parts[0] == "format").then(|| parts[..2].join("::"))
    };
    matches!((folder(a), folder(b)), (Some(x), Some(y)) if x == y)
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = modules(&root);
    let mut edges = BTreeMap::new();
    for (module, path) in &files {
        let prefix = if module.is_empty() { String::new() } else { format!("{module}::") };
        let children: BTreeSet<String> =
            files.keys().filter_map(|k| k.strip_prefix(&prefix)).filter(|rest| !rest.is_empty() && !rest.contains("::")).map(str::to_string).collect();
        let text = std::fs::read_to_string(path).unwrap();
        let targets: BTreeSet<String> = references(module, &text, &children)
            .iter()
            .filter_map(|r| resolve(r, &files))
            .filter(|t| *t != module && !t.is_empty())
            .map(str::to_string)
            .collect();
        edges.insert(module.clone(), targets);
    }
    edges
}

#[test]
fn wings_import_only_what_the_layout_allows() {
    let forbidden: &[(&str, &[&str])] = &[
        ("nik", &["engine", "format", "input", "report", "scan", "config", "cli", "error", "generate", "nik_command", "forensics"]),
        ("forensics", &["engine", "format", "input", "report", "scan", "config", "cli", "generate"]),
        ("engine", &["format", "input", "report", "scan"]),
        ("input", &["format", "engine", "report", "scan"]),
        ("format", &["report", "scan"]),
    ];
    let mut wrong = Vec::new();
    for (from, targets) in graph() {
        for (w, banned) in forbidden {
            if wing(&from) == *w {
                for t in &targets {
                    if banned.contains(&wing(t)) {
                        wrong.push(format!("{from} imports {t}"));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layout:\n{}", wrong.join("\n"));
}

#[test]
fn no_import_loops_between_files() {
    let g = graph();
    // Edges inside one format's own folder are allowed to loop.
    let edges: BTreeMap<&str, Vec<&str>> =
        g.iter().map(|(a, ts)| (a.as_str(), ts.iter().map(String::as_str).filter(|b| !same_format_folder(a, b)).collect())).collect();
    let mut loops = Vec::new();
    for &start in edges.keys() {
        // Depth-first search for a path back to `start`.
        let mut stack = vec![(start, vec![start])];
        let mut seen = BTreeSet::new();
        while let Some((at, path)) = stack.pop() {
            for &next in edges.get(at).map_or(&[][..], |v| &v[..]) {
                if next == start {
                    let mut cycle = path.clone();
                    cycle.push(start);
                    loops.push(cycle.join(" -> "));
                } else if seen.insert(next) {
                    let mut p = path.clone();
                    p.push(next);
                    stack.push((next, p));
                }
            }
        }
    }
    loops.sort();
    loops.dedup();
    assert!(loops.is_empty(), "import loops:\n{}", loops.join("\n"));
}

/// The checker itself finds what it is meant to: known edges of today's tree.
#[test]
fn the_import_reader_sees_known_edges() {
    let g = graph();
    let has = |a: &str, b: &str| g.get(a).is_some_and(|t| t.contains(b));
    assert!(has("engine::counter", "nik"), "{:?}", g.get("engine::counter"));
    assert!(has("engine::counter", "engine::tally"), "{:?}", g.get("engine::counter"));
    assert!(has("scan", "engine::keys"), "{:?}", g.get("scan"));
    assert!(has("report::summary", "engine::tally"), "{:?}", g.get("report::summary"));
}
