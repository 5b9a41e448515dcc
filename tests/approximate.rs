//! `takar scan --approximate`: HyperLogLog estimates instead of exact unique counts, close to
//! the exact ones and marked as estimates in every output (summary.json, terminal, Parquet,
//! report.html), with no keys.takar; and refused where exact pseudonyms are the point.

mod common;

use common::{files_in, scan_json, takar, Env};

/// Within four standard errors (1.6% each) of the exact count.
fn close(got: &serde_json::Value, want: &serde_json::Value) -> bool {
    let (g, w) = (got.as_f64().unwrap(), want.as_f64().unwrap());
    (g - w).abs() <= 4.0 * 0.0163 * w.max(1.0)
}

#[test]
fn estimates_are_close_to_exact_counts_and_marked_everywhere() {
    let env = Env::new();
    let (a, b) = (env.path("a.csv"), env.path("b.csv"));
    for (p, seed, n) in [(&a, "1", "60000"), (&b, "2", "40000")] {
        assert!(takar(&["generate", "--records", n, "--seed", seed, "-o", p.to_str().unwrap()]).status.success());
    }
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let exact = scan_json(&[a, b, a]);
    let approx = scan_json(&["--approximate", a, b, a]);
    // Everything that is not a unique count stays exact.
    for k in ["records", "consistency"] {
        assert_eq!(approx[k], exact[k], "{k}");
    }
    for col in ["nik", "kk"] {
        for k in ["valid", "invalid", "missing", "placeholder", "invalid_reasons"] {
            assert_eq!(approx[col][k], exact[col][k], "{col}.{k}");
        }
        assert!(close(&approx[col]["unique"], &exact[col]["unique"]), "{col}: {} against {}", approx[col]["unique"], exact[col]["unique"]);
    }
    assert_ne!(approx["nik"]["unique"], serde_json::Value::Null);
    for i in 0..3 {
        let (g, w) = (&approx["inputs"][i]["nik_new_unique"], &exact["inputs"][i]["nik_new_unique"]);
        // The third input repeats the first: nothing new, up to the estimate's noise.
        assert!(close(g, w) || (w == 0 && g.as_f64().unwrap() < 0.02 * exact["nik"]["unique"].as_f64().unwrap()), "input {i}: {g} against {w}");
    }
    assert_eq!(approx["approximate"]["standard_error"], 0.0163);
    assert!(approx["approximate"]["estimates"].as_array().unwrap().iter().any(|e| e == "nik.unique"));
    assert!(exact.get("approximate").is_none());

    // Outputs: the same files but keys.takar, each saying what is estimated.
    let out = env.path("out");
    let run = takar(&["scan", "--approximate", "--color", "never", "--reference-date", "2026-11-24", "--out", out.to_str().unwrap(), a]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains("HyperLogLog estimates"), "{text}");
    assert!(text.lines().any(|l| l.contains("NIK unique") && l.contains("(estimate)")), "{text}");
    let files = files_in(&out);
    assert!(!files.contains(&"keys.takar".to_string()), "{files:?}");
    assert!(files.contains(&"regencies.parquet".to_string()));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("id=\"approximate\""));
    let parquet = std::fs::read(out.join("regencies.parquet")).unwrap();
    assert!(parquet.windows(15).any(|w| w == b"takar.estimated"), "Parquet metadata says so");
}

#[test]
fn overlap_and_keys_refuse_estimates() {
    let env = Env::new();
    let a = env.write("a.csv", b"nik\n");
    let a = a.to_str().unwrap();
    let out = env.path("k");
    for args in [vec!["overlap", "--approximate", a, a], vec!["keys", "--approximate", "--out", out.to_str().unwrap(), a]] {
        let run = takar(&args);
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&run.stderr).contains("--approximate"));
    }
}
