//! The stderr audit sink (`AUTOTASK_AUDIT_LOG=-`) on a real process's stderr (issue 19,
//! repro 3). This test binary runs itself again as the child (`child_entry`, ignored unless
//! asked for), with stderr read, on a pipe nobody reads, on /dev/null, or closed; the child
//! opens the log as the server does and reports on stdout what happened.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use autotask_mcp::audit::{AuditError, AuditLine, AuditLog, Outcome};
use serde_json::{Value, json};

const MODE: &str = "AUTOTASK_MCP_TEST_AUDIT_CHILD";
const REPORT: &str = "AUDIT-CHILD ";

fn big_line() -> AuditLine {
    AuditLine {
        tool: "create-ticket-note".into(),
        entity: "TicketNotes".into(),
        operation: "create".into(),
        fields: (0..50)
            .map(|i| (format!("f{i}"), json!("y".repeat(190))))
            .collect(),
        transport: "stdio".into(),
        ..AuditLine::default()
    }
}

/// The child: opens `-` and writes, then prints one report line on stdout.
#[tokio::test]
#[ignore = "run by the tests below as a child process"]
async fn child_entry() {
    let mode = std::env::var(MODE).unwrap_or_default();
    let report = match AuditLog::open(Some("-"), vec!["child-secret-value".into()]) {
        Err(e) => json!({"open": e.to_string()}),
        Ok(log) if mode == "read" => {
            let mut line = big_line();
            line.fields
                .insert("title".into(), json!("child-secret-value"));
            let pending = log.attempt(line.clone()).await.unwrap();
            pending.finish(Outcome::Done("created", 7)).await.unwrap();
            log.note(line, Outcome::Refused("no".into())).await.unwrap();
            json!({"written": 3})
        }
        Ok(log) => {
            // Nobody reads: attempt until 20 refusals, counting what else got done.
            let mut sent = 0;
            let mut kinds = Vec::new();
            let mut ticks = 0_u64;
            while kinds.len() < 20 {
                let attempt = log.attempt(big_line());
                tokio::pin!(attempt);
                let result = loop {
                    tokio::select! {
                        result = &mut attempt => break result,
                        () = tokio::task::yield_now() => ticks += 1,
                    }
                };
                match result {
                    Ok(pending) => {
                        sent += 1;
                        let _ = pending.finish(Outcome::Done("created", sent)).await;
                    }
                    Err(AuditError::Timeout { .. }) => kinds.push("timeout"),
                    Err(AuditError::Stalled { .. }) => kinds.push("stalled"),
                    Err(AuditError::Busy { .. }) => kinds.push("busy"),
                    Err(e) => kinds.push(if e.to_string().is_empty() {
                        "?"
                    } else {
                        "other"
                    }),
                }
            }
            json!({"sent": sent, "refusals": kinds, "ticks": ticks})
        }
    };
    println!("{REPORT}{report}");
}

/// Runs the child with `stderr` set up by `shell` (a `sh` redirection) or piped; returns its
/// report and, when `read`, its stderr.
fn run_child(mode: &str, stderr: Stdio, shell: Option<&str>) -> (Value, std::process::Child) {
    let exe = std::env::current_exe().unwrap();
    let args = [
        "audit_stderr_sink::child_entry",
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ];
    let mut command = match shell {
        Some(redirect) => {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!("exec \"$0\" \"$@\" {redirect}"))
                .arg(&exe)
                .args(args);
            c
        }
        None => {
            let mut c = Command::new(&exe);
            c.args(args);
            c
        }
    };
    let mut child = command
        .env(MODE, mode)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let report = stdout
        .lines()
        .find_map(|l| l.find(REPORT).map(|at| &l[at + REPORT.len()..]))
        .unwrap_or_else(|| panic!("the child reports: {stdout}"));
    (serde_json::from_str(report).unwrap(), child)
}

#[cfg(unix)]
#[test]
fn a_closed_or_discarded_stderr_is_refused_at_start() {
    for (stderr, shell) in [(Stdio::inherit(), Some("2>&-")), (Stdio::null(), None)] {
        let (report, mut child) = run_child("read", stderr, shell);
        let open = report["open"].as_str().unwrap_or_default();
        assert!(
            open.starts_with("AUTOTASK_AUDIT_LOG=-: stderr is /dev/null (or was closed"),
            "{report}"
        );
        assert!(child.wait().unwrap().success());
    }
}

#[test]
fn lines_on_a_read_stderr_form_a_whole_redacted_chain() {
    let (report, mut child) = run_child("read", Stdio::piped(), None);
    assert_eq!(report, json!({"written": 3}));
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(child.wait().unwrap().success());
    let audit: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("\"target\":\"autotask_mcp::audit\""))
        .collect();
    assert_eq!(audit.len(), 3, "{stderr}");
    assert!(!stderr.contains("child-secret-value"), "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stderr.jsonl");
    std::fs::write(&path, audit.join("\n") + "\n").unwrap();
    let checked = autotask_mcp::audit::verify::verify(&[path]).unwrap();
    assert_eq!(checked.files[0].lines, 3);
}

#[test]
fn a_stderr_nobody_reads_refuses_writes_without_blocking() {
    let (report, mut child) = run_child("stall", Stdio::piped(), None);
    // The child finished on its own, its stderr still unread and full.
    let status = {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                break None;
            }
            std::thread::park_timeout(Duration::from_millis(50));
        }
    };
    assert!(
        status.is_some_and(|s| s.success()),
        "the child exits: {report}"
    );
    assert!(report["sent"].as_i64().unwrap() > 0, "{report}");
    let refusals: Vec<&str> = report["refusals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    // The first waited its bound (or an outcome line had already timed out on the stuck
    // write).
    assert!(
        refusals[0] == "timeout" || refusals[0] == "stalled",
        "{report}"
    );
    // Then at once, while the writer is stuck in that write.
    assert!(refusals[1..].iter().all(|r| *r == "stalled"), "{report}");
    assert!(report["ticks"].as_u64().unwrap() > 0, "{report}");
}
