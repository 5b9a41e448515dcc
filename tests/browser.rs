//! `report.html` in a real browser (issue 13): Chromium, headless, opens the report of a scan
//! of generated data and
//! - the DOM after the scripts ran (`--dump-dom`) holds all 514 regency shapes, the 38
//!   provinces and the totals, and the page's script finished (`data-ready`);
//! - nothing was fetched from the network: every request of the browser goes through a proxy
//!   that is a listener of this test, and the listener must see no connection (a control page
//!   with an image from elsewhere and no CSP must be seen, so the harness is known to work);
//! - the console is silent: no script error, no refused load (Chromium logs console messages
//!   as `CONSOLE` lines with `--enable-logging=stderr`);
//! - the screenshot is not blank: it is decoded (PNG, inflated with flate2) and the map's
//!   colours are counted.
//!
//! `.ci/run` installs Debian's `chromium`. Without it the test says SKIPPED, unless `CI` is
//! set: there a missing browser fails it. `TAKAR_CHROMIUM` names another binary.

mod common;
use common::*;

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TAKAR_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// A proxy that accepts connections and records the first line of each request.
struct Proxy {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            while !st.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut conn, _)) => {
                        conn.set_read_timeout(Some(Duration::from_millis(500))).ok();
                        let mut buf = [0u8; 256];
                        let n = conn.read(&mut buf).unwrap_or(0);
                        let line = String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or("(nothing)").to_string();
                        s.lock().unwrap().push(line);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Proxy { port, seen, stop }
    }

    /// The requests seen, without the browser's own calls home (its clock, sign-in and update
    /// services on Google hosts, which no page asked for: the report names no Google host).
    fn seen(&self) -> Vec<String> {
        const BROWSER_OWN: [&str; 6] =
            ["clients2.google.com", "accounts.google.com", "www.google.com", "android.clients.google.com", "update.googleapis.com", "safebrowsing.googleapis.com"];
        let host = |line: &str| {
            let target = line.split(' ').nth(1).unwrap_or("");
            let target = target.strip_prefix("http://").unwrap_or(target);
            target.split(['/', ':']).next().unwrap_or("").to_string()
        };
        self.seen.lock().unwrap().iter().filter(|l| !BROWSER_OWN.contains(&host(l).as_str())).cloned().collect()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Runs Chromium headless on `page` with `action` (`--dump-dom` or `--screenshot=...`),
/// every request sent to `proxy`; returns (stdout, stderr).
fn run_chromium(bin: &Path, profile: &Path, proxy: &Proxy, page: &Path, action: &str) -> (String, String) {
    let out = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--disable-client-side-phishing-detection",
            "--disable-domain-reliability",
            "--no-pings",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1200,1400",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--proxy-server=http://127.0.0.1:{}", proxy.port))
        .arg("--proxy-bypass-list=<-loopback>")
        .arg(action)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "chromium failed: {stderr}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

/// A PNG decoded to RGBA rows: 8-bit RGB or RGBA, not interlaced (what Chromium writes).
fn decode_png(bytes: &[u8]) -> (usize, usize, Vec<[u8; 4]>) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let (mut at, mut idat) = (8usize, Vec::new());
    let (mut width, mut height, mut channels) = (0usize, 0usize, 0usize);
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let kind = &bytes[at + 4..at + 8];
        let data = &bytes[at + 8..at + 8 + len];
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(data[0..4].try_into().unwrap()) as usize;
                height = u32::from_be_bytes(data[4..8].try_into().unwrap()) as usize;
                assert_eq!(data[8], 8, "bit depth");
                channels = match data[9] {
                    2 => 3,
                    6 => 4,
                    other => panic!("PNG colour type {other}"),
                };
                assert_eq!(data[12], 0, "interlaced");
            }
            b"IDAT" => idat.extend_from_slice(data),
            _ => {}
        }
        at += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..]).read_to_end(&mut raw).unwrap();
    let stride = width * channels;
    let mut prev = vec![0u8; stride];
    let mut pixels = Vec::with_capacity(width * height);
    for y in 0..height {
        let line = &raw[y * (stride + 1)..(y + 1) * (stride + 1)];
        let (filter, src) = (line[0], &line[1..]);
        let mut cur = vec![0u8; stride];
        for i in 0..stride {
            let a = if i >= channels { cur[i - channels] as i16 } else { 0 };
            let b = prev[i] as i16;
            let c = if i >= channels { prev[i - channels] as i16 } else { 0 };
            let pred = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                4 => {
                    let p = a + b - c;
                    let (pa, pb, pc) = ((p - a).abs(), (p - b).abs(), (p - c).abs());
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                f => panic!("PNG filter {f}"),
            };
            cur[i] = src[i].wrapping_add(pred as u8);
        }
        for px in cur.chunks(channels) {
            pixels.push([px[0], px[1], px[2], if channels == 4 { px[3] } else { 255 }]);
        }
        prev = cur;
    }
    (width, height, pixels)
}

fn hex(c: &str) -> [u8; 3] {
    let v = u32::from_str_radix(&c[1..], 16).unwrap();
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

#[test]
fn the_report_in_headless_chromium() {
    let Some(bin) = chromium() else {
        assert!(std::env::var_os("CI").is_none(), "CI must have chromium (.ci/run installs it)");
        eprintln!("SKIPPED: no chromium on PATH (apt-get install chromium)");
        return;
    };
    let env = Env::new();
    let dump = env.path("dump.csv");
    let out = env.path("out");
    let g = takar(&["generate", "--records", "4000", "--seed", "7", "-o", dump.to_str().unwrap()]);
    assert!(g.status.success());
    let s = takar(&["scan", dump.to_str().unwrap(), "--out", out.to_str().unwrap(), "--reference-date", "2026-11-24", "--no-progress", "--no-keys"]);
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let page = out.join("report.html");
    let proxy = Proxy::start();

    // The DOM after the scripts ran.
    let (dom, stderr) = run_chromium(&bin, &env.path("profile"), &proxy, &page, "--dump-dom");
    assert!(dom.contains("data-ready=\"1\""), "the page's script did not finish");
    assert_eq!(dom.matches(" data-code=\"").count(), 514);
    assert_eq!(dom.matches(" data-province=\"").count(), 38);
    let totals = &dom[dom.find("<section id=\"totals\">").expect("totals in the DOM")..];
    let totals = &totals[..totals.find("</section>").unwrap()];
    let fmt = |n: u64| takar::report::labels::Lang::En.thousands(n);
    for n in [summary["records"].as_u64().unwrap(), summary["nik"]["unique"].as_u64().unwrap()] {
        assert!(totals.contains(&fmt(n)), "{} not in the totals", fmt(n));
    }
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:?}");

    // The screenshot: not blank, the map's colours are there.
    let shot = env.path("shot.png");
    let (_, stderr) = run_chromium(&bin, &env.path("profile"), &proxy, &page, &format!("--screenshot={}", shot.display()));
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:?}");
    let (w, h, pixels) = decode_png(&std::fs::read(&shot).unwrap());
    assert_eq!((w, h), (1200, 1400));
    let palette: Vec<[u8; 3]> = takar::report::html::scale::COUNT_COLOURS.iter().map(|c| hex(c)).collect();
    let mut per_colour = vec![0usize; palette.len()];
    for p in &pixels {
        if let Some(i) = palette.iter().position(|c| c[..] == p[..3]) {
            per_colour[i] += 1;
        }
    }
    let shown = per_colour.iter().filter(|n| **n >= 30).count();
    assert!(shown >= 4, "map colours in the screenshot: {per_colour:?}");
    let distinct: std::collections::HashSet<[u8; 4]> = pixels.iter().copied().collect();
    assert!(distinct.len() > 50, "a blank page: {} colours", distinct.len());

    // Nothing fetched by the report; the harness does see a page that fetches.
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("google"), "the report names a Google host, so the filter of the browser's own requests would hide it");
    assert!(proxy.seen().is_empty(), "network requests: {:?}", proxy.seen());
    let control = env.write("control.html", b"<!DOCTYPE html><html><body><img src=\"http://example.invalid/x.png\"></body></html>");
    run_chromium(&bin, &env.path("profile"), &proxy, &control, "--dump-dom");
    let seen = proxy.seen();
    assert!(seen.iter().any(|l| l.contains("example.invalid")), "the proxy saw no request of the control page: {seen:?}");
}
