//! What kind of text an input is (`input::text`): the BOM rule every format shares, and the
//! refusal of binary data with the offset of its first NUL byte.

use std::path::Path;

use takar::input::text::{check_text, strip_bom};
use takar::Error;

#[test]
fn only_a_leading_utf8_bom_is_stripped() {
    assert_eq!(strip_bom(b"\xEF\xBB\xBFnik,kk\n"), b"nik,kk\n");
    assert_eq!(strip_bom(b"nik\xEF\xBB\xBF"), b"nik\xEF\xBB\xBF");
    assert_eq!(strip_bom(b"\xEF\xBB"), b"\xEF\xBB");
    assert_eq!(strip_bom(b""), b"");
}

#[test]
fn a_nul_byte_is_binary_data_at_its_offset() {
    check_text(Path::new("dump.csv"), b"nik,kk\n3507011204900001,1\n").unwrap();
    match check_text(Path::new("dump.csv"), b"nik\n12\x00x") {
        Err(Error::Input { path, offset, message }) => {
            assert_eq!((path.as_path(), offset), (Path::new("dump.csv"), 6));
            assert!(message.starts_with("binary data (NUL byte)"), "{message}");
        }
        other => panic!("expected an input error, got {other:?}"),
    }
    // Only the first 64 KiB are looked at, as before.
    let mut late = vec![b'a'; 64 << 10];
    late.push(0);
    check_text(Path::new("dump.csv"), &late).unwrap();
}
