//! Writing a set of output files all or nothing, and never with a 16-digit run.
//!
//! Every file is first streamed to a temporary name in the target directory (so the final
//! `rename` stays on one file system and is atomic), flushed and synced. Then each file's
//! [`Guard`] reads its temporary file back from disk: what is checked is what was really
//! written, not what we meant to write. Only when every file is written and clean are they
//! renamed into place; any failure removes every temporary file, so a failed run leaves no
//! partial output and no stray temp file behind.
//!
//! [`write_staged_parallel`] does the same for many files at once (the buckets of
//! `takar keys`): names may lie in subfolders (`bucket=007/part-x.parquet`), and each file is
//! written and checked on its own worker before all are renamed.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::guard::Guard;
use crate::{Error, Result};

/// One output file: its name in the output directory, how its bytes are written and how the
/// leak guard checks them.
pub trait Output {
    /// The file name (no directory part).
    fn name(&self) -> &str;
    /// Streams the file's bytes into `out`; `path` is the file's final path, for errors.
    /// `Send` because the Parquet writer asks for it.
    fn write(&self, out: &mut (dyn Write + Send), path: &Path) -> Result<()>;
    /// The leak-guard policy of these bytes.
    fn guard(&self) -> Guard<'_>;
}

/// Writes every output into `dir` (created if missing), in order, all or nothing: each to a
/// temporary name, synced, then all checked by their guards, then all renamed. A file that
/// trips its guard fails the run with [`Error::LeakGuard`]; on any failure no output or
/// temporary file of this run is left behind.
pub fn write_staged(dir: &Path, outputs: &[&dyn Output]) -> Result<()> {
    write_staged_then(dir, outputs, &mut || Ok(()))
}

/// [`write_staged`], with `before_commit` run once every file is written and checked but
/// before any is renamed into place: when it fails, nothing is renamed and every temporary
/// file is removed (`takar scan --out` prints its report there, so a report that cannot be
/// printed leaves no output files either).
pub fn write_staged_then(dir: &Path, outputs: &[&dyn Output], before_commit: &mut dyn FnMut() -> Result<()>) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut staged = Staged { files: Vec::new() };
    for output in outputs {
        let (tmp, file) = staged.create(dir, output.name())?;
        let mut out = BufWriter::new(file);
        output.write(&mut out, &dir.join(output.name()))?;
        let file = out.into_inner().map_err(|e| Error::io(&tmp, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&tmp, e))?;
    }
    for (output, (tmp, target)) in outputs.iter().zip(&staged.files) {
        if output.guard().leaks(tmp, target)? {
            return Err(Error::LeakGuard { path: target.clone() });
        }
    }
    before_commit()?;
    staged.commit()
}

/// Writes every output into `dir` like [`write_staged`], all or nothing, but each output on
/// its own rayon worker (written, synced and checked by its guard there), and an output's name
/// may hold subfolders (`bucket=007/part-x.parquet`, created as needed; the temporary file
/// sits beside its target, `.part-x.parquet.takar-PID-N.tmp`, a name that Parquet readers
/// skip). Once all are written and clean they are renamed into place, and then each name in
/// `remove` (relative to `dir`) is deleted if it exists: what an earlier run of the same
/// outputs left where this run writes nothing. Several processes may write different names
/// into one folder at the same time; two writing the same name leave one whole file.
pub fn write_staged_parallel(dir: &Path, outputs: &[&(dyn Output + Sync)], remove: &[String]) -> Result<()> {
    use rayon::prelude::*;
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let results: Vec<Result<(PathBuf, PathBuf)>> = outputs
        .par_iter()
        .map(|output| {
            let mut one = Staged { files: Vec::new() };
            let (tmp, file) = one.create(dir, output.name())?;
            let target = dir.join(output.name());
            let mut out = BufWriter::new(file);
            output.write(&mut out, &target)?;
            let file = out.into_inner().map_err(|e| Error::io(&tmp, e.into_error()))?;
            file.sync_all().map_err(|e| Error::io(&tmp, e))?;
            if output.guard().leaks(&tmp, &target)? {
                return Err(Error::LeakGuard { path: target });
            }
            Ok(one.files.pop().expect("created above"))
        })
        .collect();
    // Every temporary file written is deleted on failure, whichever output failed.
    let mut staged = Staged { files: Vec::with_capacity(results.len()) };
    let mut failed = None;
    for result in results {
        match result {
            Ok(file) => staged.files.push(file),
            Err(e) => {
                failed.get_or_insert(e);
            }
        }
    }
    if let Some(e) = failed {
        return Err(e);
    }
    let mut folders: Vec<PathBuf> = staged.files.iter().filter_map(|(_, t)| t.parent().map(Path::to_path_buf)).collect();
    staged.commit()?;
    for name in remove {
        let stale = dir.join(name);
        match fs::remove_file(&stale) {
            Ok(()) => folders.extend(stale.parent().map(Path::to_path_buf)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(stale, e)),
        }
    }
    folders.sort();
    folders.dedup();
    for folder in &folders {
        sync_dir(Some(folder));
    }
    Ok(())
}

/// Temporary files waiting to be renamed; dropping it (on any early return) deletes them.
struct Staged {
    /// (temporary path, final path)
    files: Vec<(PathBuf, PathBuf)>,
}

impl Staged {
    /// Creates a fresh temporary file for `name` (which may hold subfolders, created as
    /// needed) in `dir`, beside its target: `.name.takar-PID-N.tmp`, never clobbering an
    /// existing file.
    fn create(&mut self, dir: &Path, name: &str) -> Result<(PathBuf, File)> {
        let target = dir.join(name);
        let folder = target.parent().unwrap_or(dir);
        if folder != dir {
            fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
        }
        let file_name = target.file_name().map_or_else(|| name.into(), |n| n.to_string_lossy());
        let pid = std::process::id();
        let mut n = 0u32;
        loop {
            let tmp = folder.join(format!(".{file_name}.takar-{pid}-{n}.tmp"));
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
