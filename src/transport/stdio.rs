//! The stdio transport: one MCP client on stdin/stdout (Claude Desktop, Claude Code). stdout
//! carries JSON-RPC only; logs go to stderr. The server exits when stdin closes.

use rmcp::ServiceExt;

use crate::config::Config;
use crate::server::AutotaskServer;

/// Serves MCP on stdin/stdout until the client disconnects.
pub async fn run(config: Config) -> Result<(), String> {
    super::init_logging(config.log_format);
    let backend = super::backend(&config).await?;
    let server = AutotaskServer::new(backend.state.clone());
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| format!("MCP start-up over stdio failed: {e}"))?;
    let reason = running
        .waiting()
        .await
        .map_err(|e| format!("the stdio server stopped: {e}"))?;
    tracing::info!(?reason, "stdio client disconnected");
    drop(backend);
    Ok(())
}
