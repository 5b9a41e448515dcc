//! gzip: where members may start, and the member chain. A member's end is only known by
//! decoding it (BGZF's `BC` field is the exception, and needs no special case). Every plausible
//! member header in the file (`1f 8b 08`, a flag byte with no reserved bit, a header that
//! parses) is a *candidate* job start, and a job decodes the chain of members from its start
//! until the chain lands exactly on a later job start. Which candidates are true member starts
//! is settled by the reader in `mod.rs`, which follows the chain from byte 0.

use super::header::{le, Corrupt};

const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;

/// Parses the gzip member header at `pos` (RFC 1952, 2.3) and returns where the deflate data
/// starts. Errors read like flate2's, which decodes gzip when the file is streamed.
fn gzip_header(d: &[u8], pos: usize) -> Result<usize, &'static str> {
    const CUT: &str = "truncated gzip header";
    let h = d.get(pos..pos + 10).ok_or(CUT)?;
    if h[0] != 0x1f || h[1] != 0x8b || h[2] != 8 || h[3] & 0xE0 != 0 {
        return Err("invalid gzip header");
    }
    let flags = h[3];
    let mut p = pos + 10;
    if flags & FEXTRA != 0 {
        p += 2 + le(d, p, 2).ok_or(CUT)? as usize;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            p += memchr::memchr(0, d.get(p..).ok_or(CUT)?).ok_or(CUT)? + 1;
        }
    }
    if flags & FHCRC != 0 {
        let want = le(d, p, 2).ok_or(CUT)? as u16;
        let mut crc = flate2::Crc::new();
        crc.update(&d[pos..p]);
        if crc.sum() as u16 != want {
            return Err("corrupt gzip stream does not have a matching header checksum");
        }
        p += 2;
    }
    if p > d.len() {
        return Err(CUT);
    }
    Ok(p)
}

/// A candidate worth a speculative job: a header that parses, with the XFL and OS values real
/// encoders write. Being strict here never changes the output (a true member start that is not
/// a job start is simply decoded by the job before it); it only avoids wasted work.
fn plausible_member(d: &[u8], pos: usize) -> bool {
    let (xfl, os) = match d.get(pos + 8..pos + 10) {
        Some(b) => (b[0], b[1]),
        None => return false,
    };
    matches!(xfl, 0 | 2 | 4) && (os <= 13 || os == 255) && gzip_header(d, pos).is_ok()
}

/// Job starts for a gzip file: byte 0, then the first plausible candidate at least `spacing`
/// bytes after the previous start. `None` (stream as before) when the file has one start only,
/// or its first header does not parse.
pub(super) fn gzip_starts(d: &[u8], spacing: usize) -> Option<Vec<usize>> {
    gzip_header(d, 0).ok()?;
    let mut starts = vec![0];
    for c in memchr::memmem::find_iter(d, b"\x1f\x8b\x08") {
        if c >= starts[starts.len() - 1] + spacing.max(1) && plausible_member(d, c) {
            starts.push(c);
        }
    }
    (starts.len() >= 2).then_some(starts)
}

/// Decodes a chain of gzip members from `origin`, stopping where a member ends exactly on a
/// later job start (or at the end of the file).
pub(super) struct GzChain {
    origin: usize,
    /// Start of the current member (or the next one, between members).
    pos: usize,
    member: Option<Member>,
}

struct Member {
    inflate: flate2::Decompress,
    crc: flate2::Crc,
    /// Where its deflate data starts.
    body: usize,
}

impl GzChain {
    pub(super) fn new(origin: usize) -> GzChain {
        GzChain { origin, pos: origin, member: None }
    }

    /// Appends up to about `cap` decoded bytes to `out`. Returns the job start (or end of file)
    /// the chain landed on, or `None` when it stopped at `cap` with more to come.
    pub(super) fn step(&mut self, d: &[u8], starts: &[usize], cap: usize, out: &mut Vec<u8>) -> Result<Option<usize>, Corrupt> {
        let limit = out.len().saturating_add(cap);
        loop {
            let pos = self.pos;
            let m = match &mut self.member {
                Some(m) => m,
                None => {
                    if pos == d.len() || (pos != self.origin && starts.binary_search(&pos).is_ok()) {
                        return Ok(Some(pos));
                    }
                    let body = gzip_header(d, pos).map_err(|e| Corrupt::new(pos, e))?;
                    self.member.insert(Member { inflate: flate2::Decompress::new(false), crc: flate2::Crc::new(), body })
                }
            };
            if out.len() >= limit {
                return Ok(None);
            }
            // Grow geometrically, but never past the limit: `decompress_vec` fills the spare
            // capacity and no more.
            if out.capacity() == out.len() {
                out.reserve_exact((limit - out.len()).min(out.len().max(256 << 10)));
            }
            let at = m.body + m.inflate.total_in() as usize;
            let (in0, out0) = (m.inflate.total_in(), out.len());
            let status = m
                .inflate
                .decompress_vec(&d[at..], out, flate2::FlushDecompress::None)
                .map_err(|e| Corrupt::new(pos, format!("corrupt deflate stream: {e}")))?;
            m.crc.update(&out[out0..]);
            if status == flate2::Status::StreamEnd {
                let t = m.body + m.inflate.total_in() as usize;
                let trailer = d.get(t..t + 8).ok_or_else(|| Corrupt::new(pos, "truncated: the file ends before the member's CRC and size"))?;
                if le(trailer, 0, 4) != Some(m.crc.sum() as u64) || le(trailer, 4, 4) != Some(m.crc.amount() as u64) {
                    return Err(Corrupt::new(pos, "corrupt gzip stream does not have a matching checksum"));
                }
                self.pos = t + 8;
                self.member = None;
            } else if m.inflate.total_in() == in0 && out.len() == out0 {
                return Err(Corrupt::new(
                    pos,
                    if at >= d.len() { "truncated: the file ends inside the member's compressed data" } else { "corrupt deflate stream" },
                ));
            }
        }
    }
}
