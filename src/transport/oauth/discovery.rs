//! Finding the issuer's metadata: RFC 8414 (OAuth authorization server metadata) and OpenID
//! Connect discovery, in the order the MCP authorization spec gives for an issuer with a path
//! (`/.well-known/oauth-authorization-server/{path}`, `/.well-known/openid-configuration/{path}`,
//! `{path}/.well-known/openid-configuration`) and without one. The first document found must
//! name the configured issuer exactly (RFC 8414 §3.3) and a `jwks_uri` on https.

use serde_json::Value;

use super::fetch::{FetchError, Fetcher, acceptable};

/// What this server needs of the issuer's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerMetadata {
    pub issuer: String,
    pub jwks_uri: url::Url,
}

/// The metadata URLs to try for `issuer`, in order.
pub fn candidates(issuer: &url::Url) -> Vec<url::Url> {
    let path = issuer.path().trim_end_matches('/');
    let mut origin = issuer.clone();
    origin.set_path("");
    origin.set_query(None);
    origin.set_fragment(None);
    let at = |p: String| {
        let mut u = origin.clone();
        u.set_path(&p);
        u
    };
    if path.is_empty() {
        vec![
            at("/.well-known/oauth-authorization-server".into()),
            at("/.well-known/openid-configuration".into()),
        ]
    } else {
        vec![
            at(format!("/.well-known/oauth-authorization-server{path}")),
            at(format!("/.well-known/openid-configuration{path}")),
            at(format!("{path}/.well-known/openid-configuration")),
        ]
    }
}

/// Checks one metadata document against the configured issuer.
pub fn check(document: &Value, issuer: &str, from: &url::Url) -> Result<IssuerMetadata, String> {
    let named = document.get("issuer").and_then(Value::as_str).unwrap_or("");
    if named != issuer {
        let shown: String = named.chars().take(200).collect();
        return Err(format!(
            "{from} names the issuer `{shown}`, not `{issuer}`: set AUTOTASK_OAUTH_ISSUER to exactly the issuer your tokens carry in iss"
        ));
    }
    let jwks = document
        .get("jwks_uri")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{from} has no jwks_uri: the issuer publishes no signing keys"))?;
    let jwks_uri =
        url::Url::parse(jwks).map_err(|e| format!("{from}: jwks_uri is not a URL ({e})"))?;
    if !acceptable(&jwks_uri) {
        return Err(format!(
            "{from}: jwks_uri {jwks_uri} is not https; keys are fetched over https only"
        ));
    }
    Ok(IssuerMetadata {
        issuer: issuer.to_string(),
        jwks_uri,
    })
}

/// Fetches the issuer's metadata, trying [`candidates`] in order: a missing document (any
/// status but 200) or one that does not check out (another issuer's: some servers answer
/// every well-known path with their own) moves on to the next; the first that checks out
/// wins. A failure to connect stops at once.
pub async fn discover(fetcher: &Fetcher, issuer: &str) -> Result<IssuerMetadata, String> {
    let parsed =
        url::Url::parse(issuer).map_err(|e| format!("AUTOTASK_OAUTH_ISSUER is not a URL ({e})"))?;
    let mut misses = Vec::new();
    for url in candidates(&parsed) {
        match fetcher.json(&url).await {
            Ok(document) => match check(&document, issuer, &url) {
                Ok(found) => return Ok(found),
                Err(why) => misses.push(why),
            },
            Err(e @ FetchError::Status { .. }) => misses.push(e.to_string()),
            Err(e) => return Err(format!("the issuer's metadata: {e}")),
        }
    }
    Err(format!(
        "no metadata found for AUTOTASK_OAUTH_ISSUER {issuer} ({})",
        misses.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn url(s: &str) -> url::Url {
        match url::Url::parse(s) {
            Ok(u) => u,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    #[test]
    fn candidates_follow_rfc_8414_and_openid_discovery() {
        let shown = |issuer: &str| -> Vec<String> {
            candidates(&url(issuer))
                .iter()
                .map(|u| u.to_string())
                .collect()
        };
        assert_eq!(
            shown("https://login.example.com/tenant1/v2.0"),
            [
                "https://login.example.com/.well-known/oauth-authorization-server/tenant1/v2.0",
                "https://login.example.com/.well-known/openid-configuration/tenant1/v2.0",
                "https://login.example.com/tenant1/v2.0/.well-known/openid-configuration",
            ]
        );
        assert_eq!(
            shown("https://accounts.example.com"),
            [
                "https://accounts.example.com/.well-known/oauth-authorization-server",
                "https://accounts.example.com/.well-known/openid-configuration",
            ]
        );
        assert_eq!(
            shown("https://a.example.com/")[1],
            "https://a.example.com/.well-known/openid-configuration"
        );
    }

    #[test]
    fn the_document_must_name_the_issuer_and_https_keys() {
        let from = url("https://login.example.com/.well-known/openid-configuration");
        let issuer = "https://login.example.com";
        let ok = check(
            &json!({"issuer": issuer, "jwks_uri": "https://login.example.com/keys"}),
            issuer,
            &from,
        );
        assert_eq!(
            ok.map(|m| m.jwks_uri.to_string()),
            Ok("https://login.example.com/keys".into())
        );
        let other = check(
            &json!({"issuer": "https://evil.example.com", "jwks_uri": "https://login.example.com/keys"}),
            issuer,
            &from,
        );
        assert!(other.is_err_and(|e| e.contains("names the issuer `https://evil.example.com`")));
        let slash = check(
            &json!({"issuer": "https://login.example.com/", "jwks_uri": "https://login.example.com/keys"}),
            issuer,
            &from,
        );
        assert!(slash.is_err(), "the issuer must match exactly");
        let plain = check(
            &json!({"issuer": issuer, "jwks_uri": "http://login.example.com/keys"}),
            issuer,
            &from,
        );
        assert!(plain.is_err_and(|e| e.contains("not https")));
        assert!(
            check(&json!({"issuer": issuer}), issuer, &from)
                .is_err_and(|e| e.contains("no jwks_uri"))
        );
    }
}
