//! Signing in over HTTP: the server as an OAuth 2.1 resource server (the MCP authorization
//! spec). One file per concern:
//!
//! * `fetch`: the issuer's public documents (https, no redirects, capped);
//! * `discovery`: its metadata by RFC 8414 / OpenID discovery;
//! * `jwks`: its signing keys, cached, fetched again on an unknown key id with a floor;
//! * `token`: checking one access token (signature, `iss`, `aud`, `exp`/`nbf`, scopes, user);
//! * `metadata`: the protected-resource metadata this server publishes (RFC 9728);
//! * `challenge`: the 401/403/503 answers with their `WWW-Authenticate`;
//! * `middleware`: the decision for one request, with the static bearer token beside OAuth.

pub mod challenge;
pub mod discovery;
pub mod fetch;
pub mod jwks;
pub mod metadata;
pub mod middleware;
pub mod token;

use std::sync::Arc;

use crate::config::OAuthConfig;

/// Everything signing in needs at run time, built once per process.
#[derive(Debug)]
pub struct ResourceServer {
    rules: token::Rules,
    jwks: jwks::Jwks,
    pub challenges: challenge::Challenges,
    pub metadata: Arc<metadata::ProtectedResource>,
}

impl ResourceServer {
    pub fn new(config: &OAuthConfig) -> Result<ResourceServer, String> {
        let fetcher = fetch::Fetcher::new()?;
        let metadata = metadata::ProtectedResource::new(config);
        Ok(ResourceServer {
            rules: token::Rules {
                issuer: config.issuer.clone(),
                audience: config.audience.clone(),
                user_claim: config.user_claim.clone(),
                scope_prefix: config.scope_prefix.clone(),
            },
            jwks: jwks::Jwks::new(
                jwks::issuer_loader(fetcher, config.issuer.clone()),
                config.jwks_refetch_floor,
            ),
            challenges: challenge::Challenges::new(config, &metadata.metadata_url),
            metadata: Arc::new(metadata),
        })
    }

    /// The claim naming the user.
    pub fn user_claim(&self) -> &str {
        &self.rules.user_claim
    }

    /// Checks one access token.
    pub async fn verify(&self, token: &str) -> Result<token::Verified, token::Invalid> {
        token::verify(token, &self.jwks, &self.rules).await
    }

    /// Fetches the issuer's metadata and keys now, logging the outcome (start-up: a wrong
    /// issuer shows in the log before the first user signs in).
    pub async fn warm(&self) {
        match self.jwks.warm().await {
            Ok(keys) => tracing::info!(
                issuer = %self.rules.issuer,
                keys,
                "signing in with OAuth: the issuer's keys are known"
            ),
            Err(e) => tracing::warn!(
                issuer = %self.rules.issuer,
                error = %e,
                "signing in with OAuth: the issuer's keys cannot be fetched yet (tried again on the first token)"
            ),
        }
    }
}
