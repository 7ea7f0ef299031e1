//! Fetching the issuer's public documents (its metadata and its keys): JSON over https (plain
//! http only on loopback), no redirects, a short timeout and a size cap, so a slow or hostile
//! issuer cannot hold requests or memory. Nothing secret is ever sent.

use std::time::Duration;

use serde_json::Value;

use crate::config::access::is_loopback_host;

/// Longest wait for one document.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest document accepted.
pub const MAX_DOCUMENT_BYTES: usize = 512 * 1024;

/// Why a document could not be had. The texts name the URL (public) and never a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url} could not be read: {reason}")]
    Failed { url: String, reason: String },
    #[error("{url} is not https (plain http is allowed on localhost only)")]
    Insecure { url: String },
}

/// The HTTP client for the issuer's documents. Cheap to clone.
#[derive(Clone)]
pub struct Fetcher {
    http: reqwest::Client,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fetcher")
    }
}

/// True when credentials-free documents may be fetched from `url`: https, or http on
/// loopback.
pub fn acceptable(url: &url::Url) -> bool {
    url.scheme() == "https" || (url.scheme() == "http" && is_loopback_host(url))
}

impl Fetcher {
    pub fn new() -> Result<Fetcher, String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .connect_timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("autotask-mcp/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client for the OAuth issuer: {e}"))?;
        Ok(Fetcher { http })
    }

    /// GETs `url` and parses its JSON. `Status` for any answer but 200.
    pub async fn json(&self, url: &url::Url) -> Result<Value, FetchError> {
        let shown = url.to_string();
        if !acceptable(url) {
            return Err(FetchError::Insecure { url: shown });
        }
        let failed = |reason: String| FetchError::Failed {
            url: shown.clone(),
            reason,
        };
        let mut response = self
            .http
            .get(url.clone())
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| failed(without_url(&e)))?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(FetchError::Status { url: shown, status });
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_DOCUMENT_BYTES as u64)
        {
            return Err(failed(format!("larger than {MAX_DOCUMENT_BYTES} bytes")));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| failed(without_url(&e)))?
        {
            if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(failed(format!("larger than {MAX_DOCUMENT_BYTES} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|e| failed(format!("not JSON ({e})")))
    }
}

/// A reqwest error's text without the URL (the caller names it once).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {detail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn plain_http_is_refused_off_loopback() {
        let fetcher = match Fetcher::new() {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        };
        let url = match url::Url::parse("http://issuer.example.com/.well-known/x") {
            Ok(u) => u,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(
            fetcher.json(&url).await,
            Err(FetchError::Insecure {
                url: url.to_string()
            })
        );
    }
}
