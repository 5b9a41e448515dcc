//! What an input is, told from its first bytes (never from its name): a dump to parse, a
//! container of more inputs (tar, zip, 7z), a document with a text layer (PDF), a workbook, or
//! something that is not a dump at all (an image, a RAR archive). Compression (gzip, zstd, ...)
//! is told apart first, by [`Compression`](super::compression::Compression); what is inside a
//! compressed stream is sniffed again from its decoded bytes, so a `.tar.gz` is a tar.

/// What the first bytes of an input (after decompression) say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Anything else: handed to the text path, which parses it or refuses it (binary data).
    Dump,
    /// A tar archive (POSIX ustar, GNU, or old V7 by its header checksum).
    Tar,
    /// A zip archive (or a workbook or document built on zip).
    Zip,
    SevenZip,
    Rar,
    Pdf,
    /// An OLE compound file: a legacy `.xls` workbook (or another Office document).
    Ole,
    /// An image, a video or a sound, named by its format (`JPEG`, `PNG`, ...).
    Media(&'static str),
    /// An executable or library.
    Executable,
}

impl Kind {
    /// Whether the kind holds other inputs.
    pub fn is_container(self) -> bool {
        matches!(self, Kind::Tar | Kind::Zip | Kind::SevenZip)
    }

    /// The name shown for an input's `compression` when its bytes came out of this container.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Tar => "tar",
            Kind::Zip => "zip",
            Kind::SevenZip => "7z",
            Kind::Rar => "rar",
            Kind::Pdf => "pdf",
            Kind::Ole => "ole",
            Kind::Media(_) | Kind::Executable | Kind::Dump => "none",
        }
    }
}

/// Bytes of the head that [`sniff`] looks at at most (a tar header is 512 bytes).
pub const HEAD: usize = 512;

/// The kind of an input from its first bytes (up to [`HEAD`]; fewer only at the end of input).
pub fn sniff(head: &[u8]) -> Kind {
    match head {
        [b'P', b'K', 0x03, 0x04, ..] | [b'P', b'K', 0x05, 0x06, ..] => Kind::Zip,
        [b'7', b'z', 0xBC, 0xAF, 0x27, 0x1C, ..] => Kind::SevenZip,
        [b'R', b'a', b'r', b'!', 0x1A, 0x07, ..] => Kind::Rar,
        [b'%', b'P', b'D', b'F', b'-', ..] => Kind::Pdf,
        [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, ..] => Kind::Ole,
        [0xFF, 0xD8, 0xFF, ..] => Kind::Media("JPEG image"),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Kind::Media("PNG image"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Kind::Media("GIF image"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Kind::Media("WebP image"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'A', b'V', b'E', ..] => Kind::Media("WAV sound"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'A', b'V', b'I', b' ', ..] => Kind::Media("AVI video"),
        [b'I', b'I', 0x2A, 0x00, ..] | [b'M', b'M', 0x00, 0x2A, ..] => Kind::Media("TIFF image"),
        [b'B', b'M', _, _, _, _, 0, 0, 0, 0, ..] => Kind::Media("BMP image"),
        [0x00, 0x00, 0x01, 0x00, ..] => Kind::Media("icon image"),
        [_, _, _, _, b'f', b't', b'y', b'p', b, ..] => Kind::Media(match b {
            b'h' | b'm' => "HEIC image",
            b'a' => "AVIF image",
            _ => "video",
        }),
        [0x1A, 0x45, 0xDF, 0xA3, ..] => Kind::Media("video"),
        [b'I', b'D', b'3', 2..=4, 0, ..] | [0xFF, 0xFB | 0xF3 | 0xF2, ..] => Kind::Media("MP3 sound"),
        [b'O', b'g', b'g', b'S', ..] => Kind::Media("Ogg sound"),
        [0x7F, b'E', b'L', b'F', ..] | [0xCF | 0xCE, 0xFA, 0xED, 0xFE, ..] => Kind::Executable,
        [b'M', b'Z', ..] if head.len() >= 64 && head[2..64].contains(&0) => Kind::Executable,
        _ if is_tar_header(head) => Kind::Tar,
        _ => Kind::Dump,
    }
}

/// Whether `head` starts with a tar header: the `ustar` magic at byte 257, or (for old V7
/// archives, which have none) a header checksum that adds up.
fn is_tar_header(head: &[u8]) -> bool {
    if head.len() < HEAD {
        return false;
    }
    if &head[257..262] == b"ustar" {
        return true;
    }
    // V7: a NUL-terminated name, and the checksum field (octal, at 148) equal to the sum of the
    // header's bytes with that field counted as spaces.
    if head[0] == 0 || !head[..100].contains(&0) {
        return false;
    }
    let field = &head[148..156];
    let digits: Vec<u8> = field.iter().copied().skip_while(|&b| b == b' ').take_while(|b| (b'0'..=b'7').contains(b)).collect();
    if digits.is_empty() {
        return false;
    }
    let Ok(want) = u32::from_str_radix(std::str::from_utf8(&digits).unwrap_or("x"), 8) else { return false };
    let sum: u32 = head[..HEAD].iter().enumerate().map(|(i, &b)| if (148..156).contains(&i) { u32::from(b' ') } else { u32::from(b) }).sum();
    sum == want
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_magic_bytes() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Kind::Zip);
        assert_eq!(sniff(b"7z\xBC\xAF\x27\x1C\x00\x04"), Kind::SevenZip);
        assert_eq!(sniff(b"Rar!\x1A\x07\x01\x00"), Kind::Rar);
        assert_eq!(sniff(b"Rar!\x1A\x07\x00"), Kind::Rar);
        assert_eq!(sniff(b"%PDF-1.7\n"), Kind::Pdf);
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\x00\x10JFIF"), Kind::Media("JPEG image"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n"), Kind::Media("PNG image"));
        assert_eq!(sniff(b"nik,nama\n3507011508900001,x\n"), Kind::Dump);
        assert_eq!(sniff(b"BMI,nik\n"), Kind::Dump);
        assert_eq!(sniff(b"MZ is a name,nik\n"), Kind::Dump);
        assert_eq!(sniff(b"ID3,nik\n"), Kind::Dump);
        assert_eq!(sniff(b""), Kind::Dump);
    }

    #[test]
    fn tar_headers_with_and_without_magic() {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_ustar();
        h.set_size(3);
        h.set_cksum();
        b.append_data(&mut h, "a.csv", &b"x,y"[..]).unwrap();
        let bytes = b.into_inner().unwrap();
        assert_eq!(sniff(&bytes[..HEAD]), Kind::Tar);
        let mut old = tar::Header::new_old();
        old.set_path("a.csv").unwrap();
        old.set_size(3);
        old.set_cksum();
        assert_eq!(sniff(old.as_bytes()), Kind::Tar);
        let mut broken = old.as_bytes().to_vec();
        broken[0] ^= 1;
        assert_eq!(sniff(&broken), Kind::Dump);
        // A text of 512 bytes is not a tar header.
        assert_eq!(sniff(&b"nik,nama\n".repeat(60)[..HEAD]), Kind::Dump);
    }
}
