//! The container or compression of an input, told by its magic bytes, never by its file
//! name: a dump renamed `.csv` that is really gzip is still decoded. Its own module because
//! both the opener ([`source`](super::source)) and the parallel decoder
//! ([`decode`](super::decode)) need it, and neither should depend on the other for it.

/// Container/compression of an input, detected from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
    Bzip2,
    Xz,
    Zip,
}

impl Compression {
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
            Compression::Zip => "zip",
        }
    }

    pub fn sniff(head: &[u8]) -> Compression {
        match head {
            [0x1f, 0x8b, ..] => Compression::Gzip,
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
            // A skippable frame (0x184D2A50..=0x184D2A5F), as `pzstd` writes before each frame.
            [0x50..=0x5f, 0x2a, 0x4d, 0x18, ..] => Compression::Zstd,
            [b'B', b'Z', b'h', ..] => Compression::Bzip2,
            [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Compression::Xz,
            [b'P', b'K', 0x03, 0x04, ..] => Compression::Zip,
            _ => Compression::None,
        }
    }
}
