//! The protected-resource metadata (RFC 9728): which authorization server issues tokens for
//! this server and which scopes it knows. Served without authentication at
//! `/.well-known/oauth-protected-resource` and at the path-suffixed form the MCP
//! authorization spec prefers (`/.well-known/oauth-protected-resource/mcp` for a resource at
//! `https://host/mcp`); the 401 challenge points at the latter.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, header};
use serde_json::json;

use super::token::{READ_SCOPE, WRITE_SCOPE};
use crate::config::OAuthConfig;

/// The well-known path of the metadata.
pub const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// The metadata document and where it is served.
#[derive(Debug, Clone)]
pub struct ProtectedResource {
    /// The JSON document.
    pub document: Arc<str>,
    /// Its absolute URL (the `resource_metadata` of challenges).
    pub metadata_url: String,
    /// The paths it is served at on this server.
    pub paths: Vec<String>,
}

/// The scope names this server advertises: the prefix (if any) before each name; the write
/// scope only when writes are offered.
pub fn advertised_scopes(config: &OAuthConfig) -> Vec<String> {
    let mut names = vec![READ_SCOPE];
    if config.offer_write {
        names.push(WRITE_SCOPE);
    }
    names
        .into_iter()
        .map(|n| format!("{}{n}", config.scope_prefix))
        .collect()
}

impl ProtectedResource {
    pub fn new(config: &OAuthConfig) -> ProtectedResource {
        let resource = url::Url::parse(&config.resource).ok();
        let path = resource
            .as_ref()
            .map(|u| u.path().trim_end_matches('/').to_string())
            .unwrap_or_default();
        let origin = resource
            .as_ref()
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        let mut paths = vec![WELL_KNOWN.to_string()];
        if !path.is_empty() {
            paths.push(format!("{WELL_KNOWN}{path}"));
        }
        let document = json!({
            "resource": config.resource,
            "authorization_servers": [config.issuer],
            "scopes_supported": advertised_scopes(config),
            "bearer_methods_supported": ["header"],
            "resource_name": "Autotask PSA (autotask-mcp)",
        });
        ProtectedResource {
            document: document.to_string().into(),
            metadata_url: format!("{origin}{WELL_KNOWN}{path}"),
            paths,
        }
    }
}

/// `GET` of the metadata: public, cacheable, readable by browser-based clients.
pub async fn serve(State(metadata): State<Arc<ProtectedResource>>) -> Response {
    let mut response = metadata.document.to_string().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn config(resource: &str, prefix: &str, write: bool) -> OAuthConfig {
        OAuthConfig {
            issuer: "https://login.example.com/t/v2.0".into(),
            audience: "aud".into(),
            resource: resource.into(),
            user_claim: "email".into(),
            scope_prefix: prefix.into(),
            jwks_refetch_floor: Duration::from_secs(60),
            resource_ttl: Duration::from_secs(300),
            offer_write: write,
        }
    }

    #[test]
    fn the_document_names_the_resource_issuer_and_scopes() {
        let m = ProtectedResource::new(&config("https://mcp.example.com/mcp", "", true));
        assert_eq!(
            m.metadata_url,
            "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
        );
        assert_eq!(
            m.paths,
            [
                "/.well-known/oauth-protected-resource",
                "/.well-known/oauth-protected-resource/mcp"
            ]
        );
        let doc: serde_json::Value = serde_json::from_str(&m.document).unwrap_or_default();
        assert_eq!(doc["resource"], "https://mcp.example.com/mcp");
        assert_eq!(
            doc["authorization_servers"][0],
            "https://login.example.com/t/v2.0"
        );
        assert_eq!(
            doc["scopes_supported"],
            json!(["autotask.read", "autotask.write"])
        );
    }

    #[test]
    fn a_prefix_and_read_only_mode_shape_the_scopes() {
        let c = config("https://mcp.example.com/", "api://app/", false);
        assert_eq!(advertised_scopes(&c), ["api://app/autotask.read"]);
        let m = ProtectedResource::new(&c);
        assert_eq!(m.paths, ["/.well-known/oauth-protected-resource"]);
        assert_eq!(
            m.metadata_url,
            "https://mcp.example.com/.well-known/oauth-protected-resource"
        );
    }
}
