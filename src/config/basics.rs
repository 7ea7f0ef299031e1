//! What every part of the configuration shares: the transport choice, the error that names a
//! variable, comma-separated lists and the shape of an Autotask base URL.

use clap::ValueEnum;

/// How MCP clients reach the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Transport {
    /// JSON-RPC over stdin/stdout (Claude Desktop, Claude Code).
    #[default]
    Stdio,
    /// MCP streamable HTTP at `/mcp`.
    Http,
}

/// A configuration problem, naming the variable and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Normalises a zone base to `https://host/ATServicesRest/`: accepts it with or without a
/// trailing slash or `V1.0`.
pub fn normalize_base_url(url: &str) -> Result<String, String> {
    let trimmed = url.trim();
    let parsed = url::Url::parse(trimmed).map_err(|e| format!("`{trimmed}` is not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("`{trimmed}` must start with https://"));
    }
    let mut base = trimmed.trim_end_matches('/').to_string();
    if base.to_ascii_lowercase().ends_with("/v1.0") {
        base.truncate(base.len() - "/v1.0".len());
    }
    Ok(format!("{base}/"))
}

/// The items of a comma-separated list, trimmed, without empty ones.
pub(crate) fn csv(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
