//! Writing the output files: all or nothing, and never a 16-digit run.
//!
//! Every file is first written to a temporary name in the target directory (so the final
//! `rename` stays on one file system and is atomic), closed and synced. Then the leak guard
//! reads each temporary file back from disk and looks for a run of 16 or more ASCII digits,
//! the shape of a raw NIK or No. KK. Only when every file is written and clean are they renamed
//! into place; any failure removes every temporary file, so a failed run leaves no partial
//! output and no stray temp file behind.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::regions::{region_rows, Level};
use super::{json, parquet};
use crate::nik::RegionTable;
use crate::report::summary::Summary;
use crate::{Error, Result};

/// The name of the JSON summary in the output directory.
pub const SUMMARY_JSON: &str = "summary.json";

/// The files [`write_outputs`] creates, in order.
pub const OUTPUT_FILES: [&str; 4] =
    [SUMMARY_JSON, Level::Province.file_name(), Level::Regency.file_name(), Level::District.file_name()];

/// The leak guard: does `bytes` contain a run of at least 16 ASCII digits?
pub fn has_nik_like_run(bytes: &[u8]) -> bool {
    let mut run = 0usize;
    for &b in bytes {
        if b.is_ascii_digit() {
            run += 1;
            if run >= 16 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// Writes `summary.json`, `provinces.parquet`, `regencies.parquet` and `districts.parquet`
/// into `dir` (created if missing). All four are written to temporary names, closed, checked by
/// the leak guard and only then renamed into place; on any failure no output or temporary file
/// is left behind. A file that trips the guard fails the run with [`Error::LeakGuard`].
pub fn write_outputs(dir: &Path, summary: &Summary, regions: &RegionTable) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut staged = Staged { files: Vec::new() };

    let json_text = json::render(summary);
    let (tmp, file) = staged.create(dir, SUMMARY_JSON)?;
    (&file).write_all(json_text.as_bytes()).map_err(|e| Error::io(&tmp, e))?;
    file.sync_all().map_err(|e| Error::io(&tmp, e))?;
    drop(file);

    for level in Level::ALL {
        let rows = region_rows(summary, regions, level);
        let (tmp, file) = staged.create(dir, level.file_name())?;
        // `&File` is `Write + Send`, so the file stays ours to sync once the writer has closed.
        parquet::write_region_parquet_with(&rows, level, Some(&summary.reference_date), &file)
            .map_err(|source| Error::Parquet { path: dir.join(level.file_name()), source })?;
        file.sync_all().map_err(|e| Error::io(&tmp, e))?;
    }

    // Read back what is really on disk, not what we meant to write.
    for (tmp, target) in &staged.files {
        let leaks = if target.extension().is_some_and(|e| e == "parquet") {
            parquet::holds_nik_like_value(tmp).map_err(|source| Error::Parquet { path: target.clone(), source })?
        } else {
            has_nik_like_run(&fs::read(tmp).map_err(|e| Error::io(tmp, e))?)
        };
        if leaks {
            return Err(Error::LeakGuard { path: target.clone() });
        }
    }

    staged.commit()
}

/// Temporary files waiting to be renamed; dropping it (on any early return) deletes them.
struct Staged {
    /// (temporary path, final path)
    files: Vec<(PathBuf, PathBuf)>,
}

impl Staged {
    /// Creates a fresh temporary file for `name` in `dir`: `.name.takar-PID-N.tmp`, never
    /// clobbering an existing file.
    fn create(&mut self, dir: &Path, name: &str) -> Result<(PathBuf, File)> {
        let target = dir.join(name);
        let pid = std::process::id();
        let mut n = 0u32;
        loop {
            let tmp = dir.join(format!(".{name}.takar-{pid}-{n}.tmp"));
            match OpenOptions::new().write(true).create_new(true).open(&tmp) {
                Ok(f) => {
                    self.files.push((tmp.clone(), target));
                    return Ok((tmp, f));
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
                Err(e) => return Err(Error::io(tmp, e)),
            }
        }
    }

    /// Renames every file into place. If a rename fails, the files already renamed are
    /// removed too, so the directory never holds a mix of this run's and older outputs.
    fn commit(mut self) -> Result<()> {
        let files = std::mem::take(&mut self.files);
        for (i, (tmp, target)) in files.iter().enumerate() {
            if let Err(e) = fs::rename(tmp, target) {
                for (_, done) in &files[..i] {
                    let _ = fs::remove_file(done);
                }
                for (rest, _) in &files[i..] {
                    let _ = fs::remove_file(rest);
                }
                return Err(Error::io(target, e));
            }
        }
        sync_dir(files.first().and_then(|(_, t)| t.parent()));
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        for (tmp, _) in &self.files {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// Makes the renames durable where the platform allows syncing a directory; best effort.
fn sync_dir(dir: Option<&Path>) {
    #[cfg(unix)]
    if let Some(d) = dir {
        if let Ok(f) = File::open(d) {
            let _ = f.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
}
