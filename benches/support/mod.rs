//! What the benchmarks share: their `main` (skipped outside `cargo bench` where a run is long,
//! a multi-thread runtime, one `error:` line and exit code 1 on failure) and reading a
//! process's memory from `/proc`.
#![allow(dead_code)]

use std::future::Future;

/// True (after saying so) unless `cargo bench` runs this benchmark: `cargo bench` passes
/// `--bench`, `cargo test --all-targets` does not, and minutes of debug-build benchmarking are
/// not a test.
pub fn skipped(name: &str) -> bool {
    if std::env::args().any(|a| a == "--bench") {
        return false;
    }
    println!("{name} benchmark: skipped (run it with `cargo bench --bench {name}`)");
    true
}

/// Runs `run` on a multi-thread runtime; on failure prints one `error:` line and exits 1.
pub fn block_on<F: Future<Output = Result<(), String>>>(run: F) {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(message) = runtime.block_on(run) {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

/// `VmHWM` (peak resident set) and `VmRSS` of a process (`self` or a pid), in KiB.
pub fn memory_kib(pid: &str) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}
