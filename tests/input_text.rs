//! What kind of text an input is (`input::text`): the BOM rule every format shares, and the
//! refusal of binary data (known magic bytes, or a share of NUL and control bytes), with the
//! offset of its first NUL byte; a stray NUL is data.

use std::path::Path;

use takar::error::BinaryKind;
use takar::input::text::{check_text, magic, strip_bom};
use takar::Error;

#[test]
fn only_a_leading_utf8_bom_is_stripped() {
    assert_eq!(strip_bom(b"\xEF\xBB\xBFnik,kk\n"), b"nik,kk\n");
    assert_eq!(strip_bom(b"nik\xEF\xBB\xBF"), b"nik\xEF\xBB\xBF");
    assert_eq!(strip_bom(b"\xEF\xBB"), b"\xEF\xBB");
    assert_eq!(strip_bom(b""), b"");
}

#[test]
fn a_stray_nul_is_data_but_a_share_of_them_is_binary() {
    check_text(Path::new("dump.csv"), b"nik,kk\n3507011204900001,1\n").unwrap();
    // One NUL in a field, in a small ordinary file: text (Python's csv module reads it).
    check_text(Path::new("dump.csv"), b"a,b\n1,\x002\n").unwrap();
    check_text(Path::new("dump.csv"), b"nik\n12\x00x").unwrap();
    let mut padded = b"nik,nama\n".repeat(100);
    padded.extend_from_slice(b"3507011204900001,BU\x00\x00\x00DI\n");
    check_text(Path::new("dump.csv"), &padded).unwrap();
    // NULs and control bytes no text holds.
    let mut binary = b"nik\n".to_vec();
    binary.extend((0..200u32).flat_map(|i| [0, (i * 37 % 256) as u8]));
    match check_text(Path::new("dump.csv"), &binary) {
        Err(e @ Error::Binary { .. }) => {
            let Error::Binary { ref path, offset, kind, what } = e else { unreachable!() };
            assert_eq!((path.as_path(), offset, kind), (Path::new("dump.csv"), 4, BinaryKind::Data));
            assert_eq!(what, "NUL bytes");
            assert!(e.to_string().starts_with("dump.csv: byte 4: binary data (NUL bytes), not a text dump"), "{e}");
        }
        other => panic!("expected binary data, got {other:?}"),
    }
    assert!(matches!(check_text(Path::new("x"), &[0x13, 0x37, 0x00, 0xff, 0x00, 0x10]), Err(Error::Binary { offset: 2, .. })));
    assert!(matches!(check_text(Path::new("x"), &[0x01; 100]), Err(Error::Binary { what: "control bytes", offset: 0, .. })));
    // Only the first 64 KiB are looked at.
    let mut late = vec![b'a'; 64 << 10];
    late.extend_from_slice(&[0; 1000]);
    check_text(Path::new("dump.csv"), &late).unwrap();
}

#[test]
fn known_magic_bytes_are_binary_of_their_kind() {
    let mut tar = vec![b'a'; 600];
    tar[257..263].copy_from_slice(b"ustar\0");
    let cases: [(&[u8], BinaryKind, &str); 10] = [
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", BinaryKind::Image, "PNG image"),
        (b"\xff\xd8\xff\xe0\0\x10JFIF", BinaryKind::Image, "JPEG image"),
        (b"GIF89a\x01\0", BinaryKind::Image, "GIF image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", BinaryKind::Pdf, "PDF document"),
        (b"\x7fELF\x02\x01\x01", BinaryKind::Executable, "ELF executable"),
        (b"7z\xbc\xaf\x27\x1c\0\x04", BinaryKind::Archive, "7z archive"),
        (b"Rar!\x1a\x07\x01\0", BinaryKind::Archive, "RAR archive"),
        (&tar, BinaryKind::Archive, "tar archive"),
        (b"SQLite format 3\0\x10\0", BinaryKind::Database, "SQLite database"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0", BinaryKind::Document, "OLE2 document (doc, xls, msg)"),
    ];
    for (bytes, kind, what) in cases {
        assert_eq!(magic(bytes), Some((kind, what)));
        match check_text(Path::new("f"), bytes) {
            Err(Error::Binary { offset: 0, kind: k, what: w, .. }) => assert_eq!((k, w), (kind, what)),
            other => panic!("{what}: {other:?}"),
        }
    }
    // Text that merely starts like some magic is text.
    for text in [&b"ID3,nama\n3507011204900001,x\n"[..], b"PAR1,PAR2\n1,2\n", b"MZ,x\n", b"BM,nama\n"] {
        assert_eq!(magic(text), None, "{}", String::from_utf8_lossy(text));
        check_text(Path::new("f"), text).unwrap();
    }
}
