//! The `autotask-mcp` binary: wiring only. Parses flags and environment into a `Config`, then
//! serves MCP over the configured transport (or, with `sandbox`, serves the emulator alone).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use autotask_mcp::config::{Config, ServeArgs, Transport};

/// A Model Context Protocol server for Kaseya Autotask PSA.
#[derive(Parser)]
#[command(
    name = "autotask-mcp",
    version,
    about = "MCP server for Kaseya Autotask PSA"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Autotask emulator (demo tenant) over HTTP on 127.0.0.1.
    Sandbox(autotask_mcp::sandbox::cli::SandboxArgs),
    /// Probe a running HTTP server's /health (exit 0 when it answers 200); used by the Docker
    /// HEALTHCHECK, since the image has no curl.
    Healthcheck(autotask_mcp::transport::health::HealthcheckArgs),
    /// The audit log (AUTOTASK_AUDIT_LOG): `audit verify FILE…` checks its hash chain.
    #[command(subcommand)]
    Audit(autotask_mcp::audit::verify::AuditCommand),
}

/// The longest the process waits at exit for background work and queued log lines.
const EXIT_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// One line on stderr, exit code 2 (configuration and start-up errors).
fn fail(message: &str) -> ExitCode {
    let line = message.lines().next().unwrap_or_default();
    eprintln!("error: {line}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Audit(command)) = cli.command {
        return autotask_mcp::audit::verify::run(command);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    match cli.command {
        Some(Command::Sandbox(args)) => {
            return runtime.block_on(autotask_mcp::sandbox::cli::run(args));
        }
        Some(Command::Healthcheck(args)) => {
            return runtime.block_on(autotask_mcp::transport::health::run_healthcheck(args));
        }
        Some(Command::Audit(_)) | None => {}
    }
    let config = match Config::from_args(cli.serve.with_secret_env()) {
        Ok(config) => config,
        Err(e) => return fail(&e.to_string()),
    };
    let result = runtime.block_on(async move {
        match config.transport {
            Transport::Stdio => autotask_mcp::transport::stdio::run(config).await,
            Transport::Http => autotask_mcp::transport::http::run(config).await,
        }
    });
    // Nothing left may hold the exit: not a blocking task (a stdin read), not a log writer
    // stuck on a stderr pipe nobody reads.
    runtime.shutdown_timeout(EXIT_WAIT);
    autotask_mcp::logging::finish(EXIT_WAIT);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}
