//! `autotask-mcp audit verify FILE…` as an operator runs it: exit 0 and a summary for a
//! whole chain, exit 1 naming the first bad line for a tampered one (a changed outcome, a
//! forged line, a removed line), exit 2 for a file it cannot read.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use autotask_mcp::audit::{AuditLine, AuditLog, Outcome};

fn verify(files: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_autotask-mcp"))
        .arg("audit")
        .arg("verify")
        .args(files)
        .output()
        .expect("the binary runs")
}

fn line(tool: &str) -> AuditLine {
    AuditLine {
        tool: tool.into(),
        entity: "Tickets".into(),
        operation: "update".into(),
        id: Some(10_001),
        transport: "stdio".into(),
        ..AuditLine::default()
    }
}

/// A log of three writes: two updated, one refused.
async fn write_log(path: &Path) {
    let log = AuditLog::open(Some(&path.to_string_lossy()), vec![]).unwrap();
    for _ in 0..2 {
        log.attempt(line("update-ticket"))
            .await
            .unwrap()
            .finish(Outcome::Done("updated", 10_001))
            .await
            .unwrap();
    }
    log.note(
        line("delete-entity"),
        Outcome::Refused("not allowed".into()),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn verify_accepts_a_whole_log_and_names_the_first_tampered_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_log(&path).await;
    let out = verify(&[&path]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(": 5 lines, chain whole from its start"),
        "{stdout}"
    );

    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // The first write's outcome rewritten.
    let changed = text.replacen("\"outcome\":\"updated\"", "\"outcome\":\"deleted\"", 1);
    // A line forged from a real one (its `prev` copied), inserted after line 2: it is the
    // first bad line.
    let forged = {
        let mut all = lines.clone();
        let fake = lines[1].replace("update-ticket", "update-company");
        all.insert(2, &fake);
        all.join("\n") + "\n"
    };
    // The attempt line of the second write removed.
    let removed = {
        let mut all = lines.clone();
        all.remove(2);
        all.join("\n") + "\n"
    };
    // A line break smuggled into a value.
    let split = text.replacen(
        "\"tool\":\"update-ticket\"",
        "\"tool\":\"update\n-ticket\"",
        1,
    );
    for (content, line, why) in [
        (changed, 3, "line 2 was changed"),
        (
            forged,
            3,
            "or a line was removed or inserted just before this one",
        ),
        (removed, 3, "line 2 was changed, or a line was removed"),
        (split, 1, "not an audit line"),
    ] {
        let bad = dir.path().join("bad.jsonl");
        std::fs::write(&bad, content).unwrap();
        let out = verify(&[&bad]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.starts_with(&format!("bad line: {} line {line}: ", bad.display()))
                && stderr.contains(why),
            "expected line {line} ({why}): {stderr}"
        );
    }
    let out = verify(&[&dir.path().join("missing.jsonl")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be read"));
}

#[tokio::test]
async fn verify_follows_the_chain_across_rotated_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let rotated = dir.path().join("audit.jsonl.1");
    let log = AuditLog::open(Some(&path.to_string_lossy()), vec![]).unwrap();
    log.note(line("update-ticket"), Outcome::Invalid("no id".into()))
        .await
        .unwrap();
    std::fs::rename(&path, &rotated).unwrap();
    log.note(line("update-ticket"), Outcome::Invalid("no id".into()))
        .await
        .unwrap();
    let out = verify(&[&rotated, &path]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("1 lines, chain whole, continuing the file before"),
        "{stdout}"
    );
    let out = verify(&[&path]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("pass the file before it first"), "{stdout}");
}
