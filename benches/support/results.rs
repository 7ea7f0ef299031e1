//! Benchmark figures as JSON beside the printed table, so successive runs can be compared
//! (`jq`, a diff, a spreadsheet). Each run writes `<dir>/<bench>-<unix seconds>.json` and
//! overwrites `<dir>/<bench>-latest.json`, where `<dir>` is `$BENCH_RESULTS_DIR` or
//! `target/bench-results/`. Shape (docs/performance.md):
//! `{"bench", "version", "unix_time", "git_commit", "cores", "figures": {"<group>/<case>/<metric>": number}}`;
//! metric names carry their unit (`p50_ms`, `vmhwm_mib`, `requests_per_call`).

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

pub struct Results {
    bench: &'static str,
    figures: Map<String, Value>,
}

impl Results {
    pub fn new(bench: &'static str) -> Self {
        Results {
            bench,
            figures: Map::new(),
        }
    }

    /// Records `value` under `group/case/metric` (a later value for the same key wins).
    pub fn add(&mut self, group: &str, case: &str, metric: &str, value: f64) {
        if let Some(number) = serde_json::Number::from_f64(value) {
            self.figures
                .insert(format!("{group}/{case}/{metric}"), Value::Number(number));
        }
    }

    fn dir() -> PathBuf {
        std::env::var_os("BENCH_RESULTS_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-results")
            })
    }

    fn git_commit() -> Option<String> {
        let out = std::process::Command::new("git")
            .args(["rev-parse", "--short=12", "HEAD"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Writes the run's file and `-latest.json`; returns the run's path.
    pub fn write(&self) -> Result<PathBuf, String> {
        let unix_time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|e| format!("clock before 1970: {e}"))?
            .as_secs();
        let body = json!({
            "bench": self.bench,
            "version": env!("CARGO_PKG_VERSION"),
            "unix_time": unix_time,
            "git_commit": Self::git_commit(),
            "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
            "figures": self.figures,
        });
        let text = serde_json::to_string_pretty(&body).map_err(|e| e.to_string())?;
        let dir = Self::dir();
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let run = dir.join(format!("{}-{unix_time}.json", self.bench));
        for path in [&run, &dir.join(format!("{}-latest.json", self.bench))] {
            std::fs::write(path, &text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok(run)
    }
}
