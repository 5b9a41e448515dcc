//! zstd: frame boundaries from the headers alone. `zstd_frames` walks the frame and block
//! headers (RFC 8878) without decoding anything; the block headers also bound each frame's
//! decoded size (a compressed block regenerates at most `min(window, 128 KiB)`, raw and RLE
//! blocks exactly their size), so every job gets one exact allocation. `zstd_plan` groups the
//! frames into jobs of about `target` decoded bytes (skippable frames ride along and
//! decode to nothing); from the first frame the walk cannot read, the rest of the file is one
//! streamed job, for libzstd to judge exactly as when the whole file is streamed.

use std::io;
use std::ops::Range;

use super::header::le;

/// One zstd frame (or skippable frame) in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Frame {
    pub(super) start: usize,
    pub(super) end: usize,
    /// Most bytes the frame can decode to (its content size when the header gives one).
    pub(super) bound: usize,
    /// False for a skippable frame.
    pub(super) data: bool,
}

/// Why the walk stopped at a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Walk {
    /// The file ends inside the frame.
    Truncated,
    /// Something this walk does not read: a legacy frame, a reserved bit, trailing garbage, or
    /// a block header garbled by corruption. The streaming decoder judges it.
    Unknown,
}

const ZSTD_MAGIC: u32 = 0xFD2F_B528;
/// Skippable frames use the 16 magics 0x184D2A50..=0x184D2A5F.
pub(super) const SKIPPABLE_MAGIC: u32 = 0x184D_2A50;
const BLOCK_SIZE_MAX: u64 = 128 << 10;

/// The frames of a zstd file from their headers alone, up to the first one the walk cannot
/// read, and where and why it stopped there.
pub(super) fn zstd_frames(d: &[u8]) -> (Vec<Frame>, Option<(usize, Walk)>) {
    let mut frames = Vec::new();
    let mut pos = 0;
    while pos < d.len() {
        match zstd_frame(d, pos) {
            Ok(f) => {
                pos = f.end;
                frames.push(f);
            }
            Err(why) => return (frames, Some((pos, why))),
        }
    }
    (frames, None)
}

/// The frame at `start` (RFC 8878, sections 3.1.1 and 3.1.2; skippable frames 3.1.2).
fn zstd_frame(d: &[u8], start: usize) -> Result<Frame, Walk> {
    let cut = Walk::Truncated;
    let magic = le(d, start, 4).ok_or(cut)? as u32;
    if magic & 0xFFFF_FFF0 == SKIPPABLE_MAGIC {
        let size = le(d, start + 4, 4).ok_or(cut)? as usize;
        let end = (start + 8).checked_add(size).filter(|&e| e <= d.len()).ok_or(cut)?;
        return Ok(Frame { start, end, bound: 0, data: false });
    }
    if magic != ZSTD_MAGIC {
        return Err(Walk::Unknown);
    }
    // Frame_Header_Descriptor: FCS flag (2 bits), single segment, unused, reserved, checksum,
    // dictionary ID flag (2 bits).
    let fhd = *d.get(start + 4).ok_or(cut)?;
    if fhd & 0x08 != 0 {
        return Err(Walk::Unknown);
    }
    let single_segment = fhd & 0x20 != 0;
    let mut p = start + 5;
    let mut window = 0u64;
    if !single_segment {
        let wd = *d.get(p).ok_or(cut)?;
        p += 1;
        let base = 1u64 << (10 + (wd >> 3));
        window = base + (base / 8) * (wd & 7) as u64;
    }
    p += [0, 1, 2, 4][(fhd & 3) as usize];
    let fcs_size = match fhd >> 6 {
        0 => single_segment as usize,
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let fcs = if fcs_size == 0 {
        None
    } else {
        let v = le(d, p, fcs_size).ok_or(cut)?;
        Some(if fcs_size == 2 { v + 256 } else { v })
    };
    p += fcs_size;
    if single_segment {
        window = fcs.unwrap_or(0);
    }
    let block_max = window.min(BLOCK_SIZE_MAX);
    // Blocks: 3-byte header (last-block bit, 2-bit type, 21-bit size), then the content.
    let mut bound = 0u64;
    loop {
        let h = le(d, p, 3).ok_or(cut)?;
        p += 3;
        let size = h >> 3;
        // No block may be larger than Block_Maximum_Size (RFC 8878, 3.1.1.2.3), raw and RLE
        // blocks included. libzstd's one-shot decoder lets a huge RLE block pass where its
        // streaming decoder refuses it, so such a frame is left to the stream to judge.
        if size > block_max {
            return Err(Walk::Unknown);
        }
        match (h >> 1) & 3 {
            0 => {
                p += size as usize;
                bound += size;
            }
            // RLE: one byte repeated `size` times.
            1 => {
                p += 1;
                bound += size;
            }
            2 => {
                p += size as usize;
                bound += block_max;
            }
            _ => return Err(Walk::Unknown),
        }
        if p > d.len() {
            return Err(cut);
        }
        if h & 1 != 0 {
            break;
        }
    }
    if fhd & 0x04 != 0 {
        p += 4;
        if p > d.len() {
            return Err(cut);
        }
    }
    let bound = fcs.map_or(bound, |f| f.min(bound));
    Ok(Frame { start, end: p, bound: usize::try_from(bound).unwrap_or(usize::MAX), data: true })
}

/// The zstd side of a plan: every frame the walk read, and which of them each job decodes.
pub(super) struct ZstdPlan {
    pub(super) frames: Vec<Frame>,
    pub(super) jobs: Vec<ZstdJob>,
}

/// One job of a zstd plan (its start is in the plan's job starts).
pub(super) struct ZstdJob {
    pub(super) end: usize,
    pub(super) frames: Range<usize>,
    /// Decoded size bound of the job's frames.
    pub(super) bound: usize,
    /// Streamed rather than decoded whole: one frame bigger than a job, or the rest of the file
    /// from a frame the walk could not read. Such a job may hand its decoder to the reader.
    pub(super) stream: bool,
    /// The walk found the file ending inside this job's first frame.
    pub(super) truncated: bool,
}

/// Cuts a zstd file into jobs. The frames the walk reads are grouped; from the first frame it
/// cannot read, the rest of the file is one streamed job, so libzstd judges it exactly as when
/// the whole file is streamed, and an error there names that frame's offset.
/// Returns the job starts and the zstd side of the plan.
pub(super) fn zstd_plan(d: &[u8], target: usize, max_job: usize) -> Option<(Vec<usize>, ZstdPlan)> {
    let (frames, stop) = zstd_frames(d);
    // Nothing readable (the first frame is cut short or unknown), or a single frame: stream.
    let pieces = frames.iter().filter(|f| f.data).count() + usize::from(stop.is_some());
    if pieces < 2 || frames.is_empty() {
        return None;
    }
    let mut jobs: Vec<ZstdJob> = Vec::new();
    let mut starts = Vec::new();
    let mut open: Option<ZstdJob> = None;
    for (i, f) in frames.iter().enumerate() {
        if f.bound > max_job {
            jobs.extend(open.take());
            starts.push(f.start);
            jobs.push(ZstdJob { end: f.end, frames: i..i + 1, bound: f.bound, stream: true, truncated: false });
            continue;
        }
        if open.as_ref().is_some_and(|j| j.bound >= target || j.bound + f.bound > max_job) {
            jobs.extend(open.take());
        }
        match &mut open {
            Some(j) => {
                j.end = f.end;
                j.frames.end = i + 1;
                j.bound += f.bound;
            }
            None => {
                starts.push(f.start);
                open = Some(ZstdJob { end: f.end, frames: i..i + 1, bound: f.bound, stream: false, truncated: false });
            }
        }
    }
    jobs.extend(open);
    if let Some((at, why)) = stop {
        starts.push(at);
        jobs.push(ZstdJob { end: d.len(), frames: frames.len()..frames.len(), bound: usize::MAX, stream: true, truncated: why == Walk::Truncated });
    }
    (jobs.len() >= 2).then_some((starts, ZstdPlan { frames, jobs }))
}

/// The message for an error of the streaming zstd decoder.
pub(super) fn zstd_stream_error(e: &io::Error, truncated: bool) -> String {
    if truncated && e.kind() == io::ErrorKind::UnexpectedEof {
        "truncated: the file ends inside this frame".into()
    } else {
        e.to_string()
    }
}
