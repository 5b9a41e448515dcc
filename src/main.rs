//! The `takar` binary: arguments -> Config -> run -> exit code. `anyhow` lives only here.
//! Exit codes: 0 success, 1 input or output failure, 2 usage (clap's own code).

use std::io::{BufRead, Write};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;

use takar::cli::Cli;
use takar::config::{Config, NikConfig, ScanConfig};
use takar::nik::{RegionTable, Validator};
use takar::engine::keys::pseudonym::Pseudonyms;
use takar::report::output::KeysOutput;
use takar::report::terminal::TerminalOptions;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Ctrl-C and SIGTERM end the process without running destructors: remove the key
    // stores' spill directory first. 130 is the shell's code for a SIGINT exit.
    let _ = ctrlc::set_handler(|| {
        takar::engine::keys::spill::remove_temp_dirs();
        eprintln!("takar: interrupted");
        std::process::exit(130);
    });
    match Config::from_args(cli).map_err(anyhow::Error::from).and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // `takar ... | head` closes the pipe early: not an error worth a message.
            if err.chain().any(|e| e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)) {
                return ExitCode::SUCCESS;
            }
            eprintln!("takar: error: {}", takar::error::chain_message(err.as_ref()));
            let code = err.downcast_ref::<takar::Error>().map_or(1, |e| e.exit_code());
            ExitCode::from(code)
        }
    }
}

fn run(config: Config) -> anyhow::Result<()> {
    match config {
        Config::Nik(c) => nik(c),
        Config::Scan(c) => scan(c),
        Config::Overlap(c) => overlap(c),
        Config::Keys(c) => keys(c),
        Config::Generate(a) => generate(a),
        Config::Report(c) => report(c),
    }
}

fn nik(c: NikConfig) -> anyhow::Result<()> {
    let v = Validator::new(RegionTable::embedded(), c.reference);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut emit = |raw: &[u8]| -> anyhow::Result<()> {
        let rep = takar::nik_command::describe(raw, &v, c.reveal);
        if c.json {
            serde_json::to_writer(&mut out, &rep).map_err(|e| takar::Error::stdout(e.into(), ""))?;
            out.write_all(b"\n").map_err(|e| takar::Error::stdout(e, ""))?;
        } else {
            out.write_all(takar::nik_command::render_text(&rep).as_bytes()).map_err(|e| takar::Error::stdout(e, ""))?;
        }
        Ok(())
    };
    for arg in &c.inputs {
        if arg == "-" {
            for line in std::io::stdin().lock().split(b'\n') {
                let line = line.context("reading stdin")?;
                emit(&line)?;
            }
        } else {
            emit(arg.as_bytes())?;
        }
    }
    out.flush().map_err(|e| takar::Error::stdout(e, ""))?;
    Ok(())
}

fn scan(c: ScanConfig) -> anyhow::Result<()> {
    let regions = RegionTable::embedded();
    let v = Validator::new(regions, c.reference);
    // The key is loaded (or the per-user key created) before a long scan, so a bad key fails
    // at once; only a scan that writes outputs needs one.
    let pseudonyms = match (&c.out, &c.key) {
        (Some(_), Some(source)) => Some(Pseudonyms::new(&source.load()?)),
        _ => None,
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(c.threads).build().context("starting worker threads")?;
    let dump = pool.install(|| takar::scan::scan_dump(&c.scan, &v, pseudonyms.as_ref()))?;
    let summary = &dump.summary;
    // The report is rendered first and printed before the output files are renamed into
    // place: a report that cannot be printed (stdout a full disk) leaves no outputs, and the
    // error says it was stdout. A reader that stops early (`| head`) is no failure: the files
    // are still committed.
    let text = if c.json {
        takar::report::json::render(summary)
    } else {
        takar::report::terminal::render_lang(summary, regions, &TerminalOptions { top: c.top, color: c.color }, c.lang)
    };
    match &c.out {
        Some(dir) => {
            let is_input_number = |n: u64| dump.is_input_number(n, &v);
            let keys = dump.pseudonyms.as_ref().map(|p| KeysOutput::new(&p.key_fingerprint, &p.nik_packed, &p.kk, &is_input_number));
            let manifest = takar::scan::manifest(&c.scan, c.reference, dump.pseudonyms.as_ref().map(|p| p.key_fingerprint.as_str()))?;
            let note = format!("; no output file was written to {}", takar::error::shown(dir));
            let mut print = || match print_stdout(&text) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(takar::Error::stdout(e, note.as_str())),
                _ => Ok(()),
            };
            takar::report::output::write_scan_outputs(dir, summary, regions, keys.as_ref(), Some(&manifest), c.lang, &mut print)?;
        }
        None => print_stdout(&text).map_err(|e| takar::Error::stdout(e, ""))?,
    }
    Ok(())
}

/// Writes the whole report to stdout and flushes it.
fn print_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

fn overlap(c: takar::config::OverlapConfig) -> anyhow::Result<()> {
    let regions = RegionTable::embedded();
    let v = Validator::new(regions, c.scan.reference);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(c.scan.threads).build().context("starting worker threads")?;
    let found = pool.install(|| takar::overlap_command::run(&c, &v))?;
    let names: Vec<String> = found.sets.iter().map(|s| s.name.clone()).collect();
    let fingerprint = found.sets.first().map_or("", |s| s.key_fingerprint.as_str());
    let text = if c.scan.json {
        takar::report::overlap::render_json(&names, fingerprint, &found.figures, regions)
    } else {
        takar::report::overlap::render_text(&names, fingerprint, &found.figures, regions)
    };
    print_stdout(&text).map_err(|e| takar::Error::stdout(e, ""))?;
    Ok(())
}

/// `takar report DIR`: report.html and map.svg rendered again from the folder's outputs (the
/// same bytes the scan wrote, in the language asked for), and the terminal report printed.
fn report(c: takar::config::ReportConfig) -> anyhow::Result<()> {
    let regions = RegionTable::embedded();
    takar::report::output::write_report(&c.dir, c.lang)?;
    let summary = takar::report::readback::summary_from_dir(&c.dir, regions)?;
    let text = takar::report::terminal::render_lang(&summary, regions, &TerminalOptions { top: c.top, color: c.color }, c.lang);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn keys(c: takar::config::KeysConfig) -> anyhow::Result<()> {
    let regions = RegionTable::embedded();
    let v = Validator::new(regions, c.scan.reference);
    let source = c.scan.key.as_ref().expect("takar keys always has a key source");
    let pseudonyms = Pseudonyms::new(&source.load()?);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(c.scan.threads).build().context("starting worker threads")?;
    let written = pool.install(|| takar::keys_command::run(&c, &v, &pseudonyms))?;
    let text = if c.scan.json { takar::keys_command::render_json(&written) } else { takar::keys_command::render_text(&written) };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn generate(c: takar::generate::GenerateConfig) -> anyhow::Result<()> {
    let answer = takar::generate::run(&c)?;
    eprintln!(
        "wrote {} records to {} and the answer to {}",
        answer.records,
        c.output.display(),
        takar::generate::answer_path(&c.output).display()
    );
    Ok(())
}
