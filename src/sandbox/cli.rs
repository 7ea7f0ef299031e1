//! `autotask-mcp sandbox`: serves the emulator over HTTP on 127.0.0.1 until Ctrl-C. The first
//! (and only) line on stdout is JSON with the base URL and the credentials, so any Autotask
//! client, `codegen refresh` included, can point at it; help for humans goes to stderr.

use std::io::Write as _;
use std::process::ExitCode;

use super::{Sandbox, SandboxOptions};

/// Flags of the `sandbox` subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0, env = "AUTOTASK_SANDBOX_PORT")]
    pub port: u16,
    /// Seed of the demo tenant: the same seed gives the same data (the credentials are random
    /// each time; they are printed on stdout).
    #[arg(long, default_value_t = 42, env = "AUTOTASK_SANDBOX_SEED")]
    pub seed: u64,
    /// Add Autotask's latency tiers (+0.5 s from 50 % of the hourly threshold, +1 s from 75 %).
    #[arg(long)]
    pub latency_tiers: bool,
    /// Requests per rolling hour before HTTP 429.
    #[arg(long, default_value_t = 10_000)]
    pub hourly_threshold: u64,
    /// Concurrent requests per (integration code, entity) before `Itgenatr005`.
    #[arg(long, default_value_t = 3)]
    pub thread_limit: usize,
    /// Send `Retry-After: N` on 429 answers.
    #[arg(long)]
    pub retry_after: Option<u64>,
}

impl SandboxArgs {
    pub fn options(&self) -> SandboxOptions {
        SandboxOptions {
            seed: self.seed,
            port: self.port,
            latency_tiers: self.latency_tiers,
            hourly_threshold: self.hourly_threshold,
            thread_limit: self.thread_limit.max(1),
            retry_after_secs: self.retry_after,
            ..SandboxOptions::default()
        }
    }
}

/// Runs the sandbox until Ctrl-C.
pub async fn run(args: SandboxArgs) -> ExitCode {
    let sandbox = match Sandbox::start(args.options()).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "error: cannot start the sandbox on 127.0.0.1:{}: {e} (choose another --port, or 0 for a free one)",
                args.port
            );
            return ExitCode::FAILURE;
        }
    };
    let creds = sandbox.credentials();
    let line = serde_json::json!({
        "url": sandbox.base_url(),
        "username": creds.username,
        "secret": creds.secret,
        "integrationCode": creds.integration_code,
    });
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
        eprintln!("error: cannot write the connection line to stdout");
        return ExitCode::FAILURE;
    }
    drop(out);
    eprintln!(
        "Autotask sandbox (seed {}) serving {} — a demo MSP tenant with 1,200 tickets.\n\
         Point a client at it with AUTOTASK_API_URL set to the url above and AUTOTASK_USERNAME,\n\
         AUTOTASK_SECRET and AUTOTASK_INTEGRATION_CODE from the JSON line. Ctrl-C stops it.",
        args.seed,
        sandbox.base_url()
    );
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
    }
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}
