//! `autotask-mcp sandbox`: serves the emulator over HTTP on 127.0.0.1 until Ctrl-C. The first
//! (and only) line on stdout is JSON with the base URL and the credentials, so any Autotask
//! client, `codegen refresh` included, can point at it; help for humans goes to stderr.

use std::io::Write as _;
use std::process::ExitCode;

use chrono::{DateTime, Utc};

use super::wire::parse_datetime;
use super::{RESTRICTED_SECURITY_LEVEL, Sandbox, SandboxOptions};

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
    /// Entities the API user's security level cannot reach, comma-separated collection names
    /// (e.g. `ResourceRoles,Contracts`): their data routes answer Autotask's permission error.
    #[arg(long, value_delimiter = ',', env = "AUTOTASK_SANDBOX_REFUSE_ENTITIES")]
    pub refuse_entities: Vec<String>,
    /// Play an API user whose security level cannot read ResourceRoles (adds it to
    /// --refuse-entities).
    #[arg(long)]
    pub restricted_security_level: bool,
    /// HTTP status of a permission refusal: 403 or 500.
    #[arg(long, default_value_t = 403, value_parser = parse_refusal_status)]
    pub permission_denied_status: u16,
    /// The instant the demo data is relative to: `now`, or a UTC datetime
    /// (`2026-11-24T17:00:00Z`). By default a fixed instant, so every run has the same data.
    #[arg(long, value_parser = parse_anchor, env = "AUTOTASK_SANDBOX_ANCHOR")]
    pub anchor: Option<DateTime<Utc>>,
}

fn parse_refusal_status(text: &str) -> Result<u16, String> {
    match text.trim() {
        "403" => Ok(403),
        "500" => Ok(500),
        other => Err(format!("`{other}` is not a refusal status: use 403 or 500")),
    }
}

fn parse_anchor(text: &str) -> Result<DateTime<Utc>, String> {
    if text.trim().eq_ignore_ascii_case("now") {
        return Ok(Utc::now());
    }
    parse_datetime(text).ok_or_else(|| {
        format!(
            "`{text}` is not a datetime: use `now` or a UTC datetime such as 2026-11-24T17:00:00Z"
        )
    })
}

impl SandboxArgs {
    fn refused_entities(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .refuse_entities
            .iter()
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty())
            .collect();
        if self.restricted_security_level {
            out.extend(RESTRICTED_SECURITY_LEVEL.iter().map(|e| (*e).to_string()));
        }
        out
    }

    pub fn options(&self) -> SandboxOptions {
        SandboxOptions {
            seed: self.seed,
            port: self.port,
            latency_tiers: self.latency_tiers,
            hourly_threshold: self.hourly_threshold,
            thread_limit: self.thread_limit.max(1),
            retry_after_secs: self.retry_after,
            refused_entities: self.refused_entities(),
            permission_denied_status: self.permission_denied_status,
            anchor: self.anchor,
            ..SandboxOptions::default()
        }
    }
}

/// Runs the sandbox until Ctrl-C.
pub async fn run(args: SandboxArgs) -> ExitCode {
    let sandbox = match Sandbox::start(args.options()).await {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: SandboxArgs,
    }

    fn options(argv: &[&str]) -> Result<SandboxOptions, String> {
        let mut full = vec!["sandbox"];
        full.extend_from_slice(argv);
        Cli::try_parse_from(full)
            .map(|c| c.args.options())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn refusals_and_the_anchor_come_from_flags() {
        let o = options(&[]).unwrap();
        assert!(o.refused_entities.is_empty());
        assert_eq!(o.permission_denied_status, 403);
        assert_eq!(o.anchor, None);
        let o = options(&["--restricted-security-level"]).unwrap();
        assert!(o.refuses("resourceroles"));
        let o = options(&[
            "--refuse-entities",
            "Contracts, ServiceCalls",
            "--permission-denied-status",
            "500",
        ])
        .unwrap();
        assert_eq!(o.refused_entities, ["Contracts", "ServiceCalls"]);
        assert_eq!(o.permission_denied_status, 500);
        assert!(o.check().is_ok());
        let e = options(&["--permission-denied-status", "404"]).unwrap_err();
        assert!(e.contains("use 403 or 500"), "{e}");
        let o = options(&["--refuse-entities", "Tickts"]).unwrap();
        let e = o.check().unwrap_err();
        assert!(e.contains("`Tickts` is not an Autotask entity"), "{e}");
        let o = options(&["--anchor", "2026-12-03T09:00:00Z"]).unwrap();
        assert_eq!(
            o.anchor.map(|a| a.to_rfc3339()),
            Some("2026-12-03T09:00:00+00:00".to_string())
        );
        assert!(options(&["--anchor", "now"]).unwrap().anchor.is_some());
        let e = options(&["--anchor", "tomorrow"]).unwrap_err();
        assert!(e.contains("use `now` or a UTC datetime"), "{e}");
    }
}
