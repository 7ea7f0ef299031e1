//! The `autotask-mcp` binary: wiring only.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "autotask-mcp",
    version,
    about = "MCP server for Kaseya Autotask PSA"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Autotask emulator (demo tenant) over HTTP on 127.0.0.1.
    Sandbox(autotask_mcp::sandbox::cli::SandboxArgs),
    /// Probe a running HTTP server's /health (exit 0 when it answers 200); used by the Docker
    /// HEALTHCHECK, since the image has no curl.
    Healthcheck(autotask_mcp::transport::health::HealthcheckArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Some(Command::Sandbox(args)) => runtime.block_on(autotask_mcp::sandbox::cli::run(args)),
        Some(Command::Healthcheck(args)) => {
            runtime.block_on(autotask_mcp::transport::health::run_healthcheck(args))
        }
        None => {
            eprintln!("serve: not wired yet");
            ExitCode::FAILURE
        }
    }
}
