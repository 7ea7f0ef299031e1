//! The audit log's cost per write (issue 19): what `AuditLog::attempt` + `Pending::finish`
//! (two lines, each written and, for a file, synced with `sync_data` before the call goes
//! on) add to one write, against a file on the disk of `target/` (or `$AUDIT_BENCH_DIR`), a
//! pipe drained by a thread (the stderr sink), and no log; with a bare `write` + `sync_data`
//! of one line on an open file as the floor the disk sets. Lines carry a realistic ticket
//! note (title, 600-character description, caller, approval). Sequential writes, so each
//! figure is the latency one write call pays. Prints figures, asserts nothing.
//!
//! Run with `cargo bench --bench audit` (under a minute after the build).

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[path = "support/results.rs"]
mod results;
#[path = "support/mod.rs"]
mod support;

use autotask_mcp::approval::ApprovalMethod;
use autotask_mcp::audit::{AuditLine, AuditLog, AuditOptions, Outcome};
use serde_json::json;

fn line() -> AuditLine {
    AuditLine {
        tool: "create-ticket-note".into(),
        entity: "TicketNotes".into(),
        operation: "create".into(),
        parent: Some("Tickets/10001".into()),
        path: Some("Tickets/10001/Notes".into()),
        fields: [
            ("title".to_string(), json!("Called the customer back")),
            ("description".to_string(), json!("d".repeat(600))),
            ("noteType".to_string(), json!(1)),
            ("publish".to_string(), json!(1)),
        ]
        .into_iter()
        .collect(),
        transport: "http".into(),
        caller: Some("sha256:0011223344556677".into()),
        approval: Some(ApprovalMethod::Token),
        ..AuditLine::default()
    }
}

fn secrets() -> Vec<String> {
    vec![
        "api-user@example.com".into(),
        "S3cr3t-Value-0123".into(),
        "INTCODE0123456789".into(),
        "http-bearer-token-0123456789abcdef".into(),
    ]
}

/// Percentiles of `samples` (sorted here), in milliseconds.
fn summary(samples: &mut [Duration]) -> (f64, f64, f64) {
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples[i].as_secs_f64() * 1e3
    };
    let mean = samples.iter().map(Duration::as_secs_f64).sum::<f64>() / samples.len() as f64 * 1e3;
    (mean, at(0.5), at(0.99))
}

async fn per_write(log: &AuditLog, writes: usize) -> Result<Vec<Duration>, String> {
    let mut samples = Vec::with_capacity(writes);
    for i in 0..writes {
        let start = Instant::now();
        let pending = log.attempt(line()).await.map_err(|e| e.to_string())?;
        pending
            .finish(Outcome::Done("created", i as i64))
            .await
            .map_err(|e| e.to_string())?;
        samples.push(start.elapsed());
    }
    Ok(samples)
}

fn bench_dir() -> PathBuf {
    std::env::var_os("AUDIT_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")))
}

async fn run() -> Result<(), String> {
    let mut results = results::Results::new("audit");
    let dir = tempfile::tempdir_in(bench_dir()).map_err(|e| e.to_string())?;
    println!("audit log cost per write (attempt line + outcome line), sequential");
    println!("directory: {}", dir.path().display());
    println!(
        "{:<44} {:>9} {:>9} {:>9}",
        "case", "mean ms", "p50 ms", "p99 ms"
    );
    let mut report = |case: &str, samples: &mut Vec<Duration>| {
        let (mean, p50, p99) = summary(samples);
        println!("{case:<44} {mean:>9.3} {p50:>9.3} {p99:>9.3}");
        results.add("per_write", case, "mean_ms", mean);
        results.add("per_write", case, "p50_ms", p50);
        results.add("per_write", case, "p99_ms", p99);
    };

    // The floor: one line written and synced on a file kept open.
    let floor_path = dir.path().join("floor.jsonl");
    let mut floor = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&floor_path)
        .map_err(|e| e.to_string())?;
    let text = serde_json::to_vec(&line()).map_err(|e| e.to_string())?;
    let mut samples = Vec::new();
    for _ in 0..300 {
        let start = Instant::now();
        floor
            .write_all(&text)
            .and_then(|()| floor.write_all(b"\n"))
            .and_then(|()| floor.sync_data())
            .map_err(|e| e.to_string())?;
        samples.push(start.elapsed());
    }
    report("floor: write + sync_data, one line", &mut samples);

    let path = dir.path().join("audit.jsonl");
    let log =
        AuditLog::open(Some(&path.to_string_lossy()), secrets()).map_err(|e| e.to_string())?;
    // Warm up (the first line creates the file and syncs its directory).
    per_write(&log, 5).await?;
    let mut samples = per_write(&log, 300).await?;
    report("file: attempt + finish (2 synced lines)", &mut samples);

    let (mut reader, writer) = std::io::pipe().map_err(|e| e.to_string())?;
    let drain = std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let stream = AuditLog::to_writer(Box::new(writer), "pipe", secrets(), AuditOptions::default())
        .map_err(|e| e.to_string())?;
    let mut samples = per_write(&stream, 3_000).await?;
    report("stderr sink: pipe read by a thread", &mut samples);
    drop(stream);
    let _ = drain.join();

    let mut samples = per_write(&AuditLog::off(), 3_000).await?;
    report("off", &mut samples);

    let bytes = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
    let lines = std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())?
        .lines()
        .count();
    println!(
        "file line size: {} bytes on average",
        bytes / lines.max(1) as u64
    );
    results.add(
        "file",
        "line",
        "bytes",
        (bytes / lines.max(1) as u64) as f64,
    );
    let written = results.write()?;
    println!("figures: {}", written.display());
    Ok(())
}

fn main() {
    if support::skipped("audit") {
        return;
    }
    support::block_on(run());
}
