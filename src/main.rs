//! The `autotask-mcp` binary: wiring only. Parses flags and environment into a `Config`, then
//! serves MCP over the configured transport.

use clap::Parser;

use autotask_mcp::config::{Config, ServeArgs, Transport};

/// A Model Context Protocol server for Kaseya Autotask PSA.
#[derive(Debug, Parser)]
#[command(name = "autotask-mcp", version, about)]
struct Cli {
    #[command(flatten)]
    serve: ServeArgs,
}

fn fail(message: &str) -> ! {
    let line = message.lines().next().unwrap_or_default();
    eprintln!("error: {line}");
    std::process::exit(2);
}

fn main() {
    let cli = Cli::parse();
    let config = match Config::from_args(cli.serve.with_secret_env()) {
        Ok(config) => config,
        Err(e) => fail(&e.to_string()),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => fail(&format!("cannot start the async runtime: {e}")),
    };
    let result = runtime.block_on(async move {
        match config.transport {
            Transport::Stdio => autotask_mcp::transport::stdio::run(config).await,
            Transport::Http => Err(
                "the HTTP transport is not part of this build yet: use --transport stdio"
                    .to_string(),
            ),
        }
    });
    if let Err(e) = result {
        fail(&e);
    }
}
