//! The answers of refused requests, as RFC 6750 and the MCP authorization spec give them:
//! 401 with `WWW-Authenticate: Bearer resource_metadata="…", scope="…"` when no token came,
//! with `error="invalid_token"` and a fixed-word description when it is not valid; 403 with
//! `error="insufficient_scope"` and the scopes needed when it does not grant enough; 503 when
//! the issuer's keys cannot be fetched (not the caller's fault). Bodies are JSON-RPC errors.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

use super::metadata::advertised_scopes;
use super::token::Invalid;
use crate::config::OAuthConfig;

/// A JSON-RPC error answer without id.
pub fn jsonrpc_error(status: StatusCode, code: i64, message: &str) -> Response {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "error": { "code": code, "message": message },
    });
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The challenges of one configuration.
#[derive(Debug, Clone)]
pub struct Challenges {
    metadata_url: String,
    /// Every scope the server advertises, space-separated.
    all_scopes: String,
}

impl Challenges {
    pub fn new(config: &OAuthConfig, metadata_url: &str) -> Challenges {
        Challenges {
            metadata_url: metadata_url.to_string(),
            all_scopes: advertised_scopes(config).join(" "),
        }
    }

    fn with_challenge(&self, mut response: Response, value: String) -> Response {
        // Every part is ours (a URL we were configured with, fixed words): no quote to escape.
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        response
    }

    /// No bearer token: where to get one.
    pub fn missing(&self) -> Response {
        let response = jsonrpc_error(
            StatusCode::UNAUTHORIZED,
            -32001,
            "Unauthorized: sign in (OAuth) and send `Authorization: Bearer <access token>`",
        );
        self.with_challenge(
            response,
            format!(
                "Bearer resource_metadata=\"{}\", scope=\"{}\"",
                self.metadata_url, self.all_scopes
            ),
        )
    }

    /// A token that is not valid.
    pub fn invalid(&self, why: &Invalid) -> Response {
        let response = jsonrpc_error(
            StatusCode::UNAUTHORIZED,
            -32001,
            &format!("Unauthorized: {}; sign in again", why.description()),
        );
        self.with_challenge(
            response,
            format!(
                "Bearer error=\"invalid_token\", error_description=\"{}\", resource_metadata=\"{}\"",
                why.description(),
                self.metadata_url
            ),
        )
    }

    /// A valid token that does not grant what the request needs.
    pub fn insufficient_scope(&self, description: &str) -> Response {
        let response = jsonrpc_error(
            StatusCode::FORBIDDEN,
            -32001,
            &format!("Forbidden: {description}"),
        );
        self.with_challenge(
            response,
            format!(
                "Bearer error=\"insufficient_scope\", scope=\"{}\", resource_metadata=\"{}\", error_description=\"{description}\"",
                self.all_scopes, self.metadata_url
            ),
        )
    }

    /// The issuer's keys cannot be fetched: tokens cannot be checked now.
    pub fn unavailable(&self) -> Response {
        let mut response = jsonrpc_error(
            StatusCode::SERVICE_UNAVAILABLE,
            -32603,
            "Service unavailable: the sign-in issuer's signing keys cannot be fetched, so tokens cannot be checked; try again shortly",
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn challenges() -> Challenges {
        let config = OAuthConfig {
            issuer: "https://login.example.com".into(),
            audience: "https://mcp.example.com/mcp".into(),
            resource: "https://mcp.example.com/mcp".into(),
            user_claim: "email".into(),
            scope_prefix: String::new(),
            jwks_refetch_floor: Duration::from_secs(60),
            resource_ttl: Duration::from_secs(60),
            offer_write: true,
        };
        Challenges::new(
            &config,
            "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
        )
    }

    fn challenge_of(r: &Response) -> String {
        r.headers()
            .get(header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    #[test]
    fn challenges_follow_rfc_6750() {
        let c = challenges();
        let missing = c.missing();
        assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            challenge_of(&missing),
            "Bearer resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource/mcp\", scope=\"autotask.read autotask.write\""
        );
        let invalid = c.invalid(&Invalid::Expired);
        assert!(challenge_of(&invalid).starts_with(
            "Bearer error=\"invalid_token\", error_description=\"the token has expired\""
        ));
        let forbidden = c.insufficient_scope("writing needs autotask.write");
        assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
        assert!(challenge_of(&forbidden).starts_with(
            "Bearer error=\"insufficient_scope\", scope=\"autotask.read autotask.write\""
        ));
        assert_eq!(c.unavailable().status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
