//! The text layer of a PDF, for the plain-text scanner: open-data portals and official letters
//! publish tables of NIK and KK as PDFs. Read with `lopdf` (pure Rust, without its default
//! features), page by page, bounded: a page whose content would decompress past
//! [`PAGE_LIMIT`] is left out, like a page whose text cannot be decoded. A scanned image has
//! no text layer at all; takar does no OCR.

/// Decompressed content of one page read at most.
const PAGE_LIMIT: usize = 64 << 20;

/// The text of a PDF's pages, one line per text line as far as the PDF says so; `Err` when the
/// file does not parse or no page gives any text.
pub fn text(bytes: &[u8]) -> Result<String, String> {
    // A parser that panics on hostile bytes makes the PDF unreadable, never takar.
    std::panic::catch_unwind(|| read(bytes)).unwrap_or_else(|_| Err("the PDF reader failed on these bytes (damaged or hostile data)".into()))
}

fn read(bytes: &[u8]) -> Result<String, String> {
    let mut doc = lopdf::Document::load_mem(bytes).map_err(|e| format!("not a readable PDF: {e}"))?;
    if doc.is_encrypted() {
        // Many PDFs are "encrypted" with an empty user password (printing or copying rights).
        doc.decrypt("").map_err(|_| "encrypted PDF (a password is needed to read its text)".to_string())?;
    }
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let mut out = String::new();
    let mut read = 0usize;
    for page in pages {
        for text in doc.extract_text_chunks_with_limit(&[page], PAGE_LIMIT).into_iter().flatten() {
            read += 1;
            out.push_str(&text);
        }
        out.push('\n');
    }
    if read == 0 {
        return Err("no text layer that can be extracted".into());
    }
    Ok(out)
}
