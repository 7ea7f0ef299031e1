//! The hash chain: every line's `prev` is the SHA-256 (lower-case hex) of the bytes of the
//! line before it, without its newline. A chain starts at [`GENESIS`] (64 zeros) when the
//! server starts a new file (missing or empty) or a new stderr stream; when it opens a file
//! that already has lines, it continues from the last one (read back from the end of the
//! file, [`last_line_hash`]). After rotation (the file was moved away, the path is new or
//! empty) the first line of the new file carries the hash of the last line of the old one,
//! so the chain crosses files.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use sha2::{Digest, Sha256};

use crate::approval::request::hex;

/// The `prev` of the first line of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The longest line read back from the end of a file.
pub const MAX_LINE: u64 = 1 << 20;

/// The hex SHA-256 of a line's bytes (without its newline).
pub fn line_hash(line: &[u8]) -> String {
    hex(&Sha256::digest(line))
}

/// True when `text` is 64 lower-case hex digits.
pub fn is_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Why the end of an existing file cannot be continued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TailProblem {
    /// The file does not end with a newline: its last line was cut short (the process or the
    /// machine stopped while writing it).
    CutShort,
    /// The last line is longer than [`MAX_LINE`].
    TooLong,
    /// The last line is not an audit line (the reason).
    NotALine(String),
    /// The file could not be read (the I/O error).
    Unreadable(String),
}

impl std::fmt::Display for TailProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TailProblem::CutShort => write!(
                f,
                "its last line is cut short (no newline at its end): the server or the machine stopped while writing it"
            ),
            TailProblem::TooLong => write!(
                f,
                "its last line is longer than {MAX_LINE} bytes, so it is not an audit line"
            ),
            TailProblem::NotALine(why) => write!(f, "its last line is not an audit line ({why})"),
            TailProblem::Unreadable(e) => write!(f, "it cannot be read back ({e})"),
        }
    }
}

/// The hash of the last line of `file`, whose length is `len` (more than 0): the `prev` the
/// next line carries. The last line must end with a newline and carry a well-formed `prev`
/// itself (the whole chain is checked by `audit verify`, not here).
pub fn last_line_hash(file: &mut File, len: u64) -> Result<String, TailProblem> {
    let unreadable = |e: std::io::Error| TailProblem::Unreadable(e.to_string());
    // Read backwards in chunks until the newline before the last line.
    let mut tail: Vec<u8> = Vec::new();
    let mut end = len;
    loop {
        let start = end.saturating_sub(8 * 1024);
        let mut chunk = vec![0_u8; usize::try_from(end - start).unwrap_or(0)];
        file.seek(SeekFrom::Start(start)).map_err(unreadable)?;
        file.read_exact(&mut chunk).map_err(unreadable)?;
        chunk.extend_from_slice(&tail);
        tail = chunk;
        if tail.last() != Some(&b'\n') {
            return Err(TailProblem::CutShort);
        }
        let body = &tail[..tail.len() - 1];
        let line = match body.iter().rposition(|b| *b == b'\n') {
            Some(at) => Some(&body[at + 1..]),
            None => (start == 0).then_some(body),
        };
        if line.map_or(len - start, |l| l.len() as u64) > MAX_LINE {
            return Err(TailProblem::TooLong);
        }
        if let Some(line) = line {
            return hash_of_line(line);
        }
        end = start;
    }
}

fn hash_of_line(line: &[u8]) -> Result<String, TailProblem> {
    let value: serde_json::Value = serde_json::from_slice(line)
        .map_err(|e| TailProblem::NotALine(format!("not JSON: {e}")))?;
    match value.get("prev").and_then(|p| p.as_str()) {
        Some(prev) if is_hash(prev) => Ok(line_hash(line)),
        _ => Err(TailProblem::NotALine(
            "no `prev` of 64 lower-case hex digits".into(),
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tail_of(content: &[u8]) -> Result<String, TailProblem> {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(content).unwrap();
        last_line_hash(&mut file, content.len() as u64)
    }

    #[test]
    fn the_last_line_is_found_whatever_its_length() {
        let first = format!("{{\"prev\":\"{GENESIS}\",\"x\":1}}");
        for pad in [0, 8 * 1024 - 40, 8 * 1024, 20_000] {
            let last = format!(
                "{{\"prev\":\"{}\",\"pad\":\"{}\"}}",
                line_hash(first.as_bytes()),
                "p".repeat(pad)
            );
            let content = format!("{first}\n{last}\n");
            assert_eq!(
                tail_of(content.as_bytes()),
                Ok(line_hash(last.as_bytes())),
                "{pad}"
            );
            let alone = format!("{last}\n");
            assert_eq!(
                tail_of(alone.as_bytes()),
                Ok(line_hash(last.as_bytes())),
                "{pad}"
            );
        }
    }

    #[test]
    fn a_damaged_tail_says_what_is_wrong() {
        let good = format!("{{\"prev\":\"{GENESIS}\"}}\n");
        assert_eq!(
            tail_of(format!("{good}{{\"prev\":").as_bytes()),
            Err(TailProblem::CutShort)
        );
        assert!(
            matches!(tail_of(format!("{good}garbage\n").as_bytes()), Err(TailProblem::NotALine(m)) if m.starts_with("not JSON"))
        );
        assert!(
            matches!(tail_of(b"{\"prev\":\"ABC\"}\n"), Err(TailProblem::NotALine(m)) if m.contains("64 lower-case"))
        );
        let long = format!(
            "{good}{{\"prev\":\"{}\"}}\n",
            "a".repeat(MAX_LINE as usize + 10)
        );
        assert_eq!(tail_of(long.as_bytes()), Err(TailProblem::TooLong));
        assert!(TailProblem::CutShort.to_string().contains("cut short"));
    }

    #[test]
    fn hashes_are_lower_hex() {
        assert!(is_hash(GENESIS));
        assert!(is_hash(&line_hash(b"x")));
        assert!(!is_hash(&GENESIS.to_uppercase().replace('0', "A")));
        assert_eq!(
            line_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
