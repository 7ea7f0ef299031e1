//! Attachments in the sandbox, following API-FACTS §3.1: a create carries the file as base64
//! `data` (at most 7,000,000 bytes decoded, Autotask's 6-7 MB per-file limit), the sandbox
//! fills `fileSize` and, when missing, `contentType` and `attachmentType`; reads other than
//! the parent-scoped get by id answer `data: null` (in `handlers.rs`). The demo tenant's
//! attachments (a small PNG and a text file on some tickets) are made here too.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::store::Record;
use super::wire::ApiError;

/// Largest file one attachment create takes, in bytes (decoded).
pub const MAX_FILE_BYTES: usize = 7_000_000;

/// A 2x2 PNG (red, green, blue, white pixels).
pub const DEMO_PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8DAAMIM/4EAAB/uBfsL2WiLAAAAAElFTkSuQmCC";

/// The MIME type of a file name, from its extension.
pub fn content_type_of(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// The create rules of an attachment record: `data` must be base64 of at most
/// [`MAX_FILE_BYTES`]; `fileSize`, `contentType` and `attachmentType` are filled.
pub fn on_create(record: &mut Record) -> Result<(), ApiError> {
    let data = record
        .get("data")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if data.is_empty() {
        return Err(ApiError::server(
            "An attachment needs data (the file's bytes, base64).",
        ));
    }
    let bytes = STANDARD
        .decode(data)
        .map_err(|_| ApiError::server("The attachment data is not valid base64."))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ApiError::server(format!(
            "Attachment exceeds the maximum file size ({} bytes > {MAX_FILE_BYTES}).",
            bytes.len()
        )));
    }
    record.insert("fileSize".into(), json!(bytes.len() as f64));
    let path = record
        .get("fullPath")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if record.get("contentType").is_none_or(Value::is_null) {
        record.insert("contentType".into(), json!(content_type_of(&path)));
    }
    if record.get("attachmentType").is_none_or(Value::is_null) {
        record.insert("attachmentType".into(), json!("FILE_ATTACHMENT"));
    }
    Ok(())
}

/// The demo files: (file name, title, base64 data).
pub fn demo_files() -> [(&'static str, &'static str, String); 2] {
    [
        ("screenshot.png", "Error screenshot", DEMO_PNG.to_string()),
        (
            "event-log.txt",
            "Event log excerpt",
            STANDARD.encode(
                "2026-01-12 09:14:03 ERROR Outlook: cannot open the mailbox (0x8004010F)\n\
                 2026-01-12 09:14:05 WARN  Profile repair started\n",
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_png_decodes_to_a_png() {
        let bytes = STANDARD.decode(DEMO_PNG).unwrap_or_default();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    }

    #[test]
    fn creates_get_a_size_and_type_and_big_files_are_refused() {
        let mut r = Record::new();
        r.insert("fullPath".into(), json!("a.txt"));
        r.insert("data".into(), json!(STANDARD.encode("hello")));
        assert!(on_create(&mut r).is_ok());
        assert_eq!(r["fileSize"], json!(5.0));
        assert_eq!(r["contentType"], json!("text/plain"));
        r.insert("data".into(), json!("not base64!"));
        assert!(on_create(&mut r).is_err());
        r.insert(
            "data".into(),
            json!(STANDARD.encode(vec![0u8; MAX_FILE_BYTES + 1])),
        );
        assert!(on_create(&mut r).is_err());
    }
}
