//! Checking one access token (a JWT): its size and shape, its algorithm (RS256 or ES256 only:
//! `none`, HS*, anything else refused before a key is looked at), its key (by `kid`, from the
//! issuer's JWKS), its signature, `iss` (exactly the configured issuer), `aud` (must contain
//! the configured audience, RFC 8707), `exp` (required) and `nbf` with a small leeway; then
//! what it grants (`autotask.read`, `autotask.write`, in `scope` or `scp`) and who it names
//! (the user claim). Refusals say what was wrong in fixed words: never the token, never text
//! taken from it.

use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};

use super::jwks::{Jwks, KeyError};

/// The scope that lets a caller read.
pub const READ_SCOPE: &str = "autotask.read";
/// The scope that lets a caller write (it includes reading).
pub const WRITE_SCOPE: &str = "autotask.write";
/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECS: u64 = 30;
/// Longest token accepted.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// Longest user claim value kept.
const MAX_USER_CHARS: usize = 320;

/// What a valid token establishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The user claim's value, trimmed; `None` when the token has none.
    pub user: Option<String>,
    pub read: bool,
    pub write: bool,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    Malformed,
    Algorithm,
    NoKeyId,
    UnknownKey,
    KeyMismatch,
    Signature,
    Expired,
    NotYetValid,
    Issuer,
    Audience,
    MissingClaim(&'static str),
    /// The issuer's keys could not be fetched: not the token's fault (HTTP 503).
    KeysUnavailable(String),
}

impl Invalid {
    /// A short reason for `WWW-Authenticate`'s `error_description` and logs: fixed words only.
    pub fn description(&self) -> &'static str {
        match self {
            Invalid::Malformed => "the token is not a well-formed JWT",
            Invalid::Algorithm => "the token's algorithm is not accepted (RS256 or ES256)",
            Invalid::NoKeyId => "the token names no signing key (kid)",
            Invalid::UnknownKey => "the token's signing key (kid) is not one of the issuer's keys",
            Invalid::KeyMismatch => "the token's algorithm does not match its signing key",
            Invalid::Signature => "the token's signature is invalid",
            Invalid::Expired => "the token has expired",
            Invalid::NotYetValid => "the token is not valid yet (nbf)",
            Invalid::Issuer => "the token is from another issuer",
            Invalid::Audience => "the token is for another audience (aud)",
            Invalid::MissingClaim("exp") => "the token has no expiry (exp)",
            Invalid::MissingClaim("iss") => "the token has no issuer (iss)",
            Invalid::MissingClaim(_) => "the token has no audience (aud)",
            Invalid::KeysUnavailable(_) => "the issuer's signing keys cannot be fetched",
        }
    }
}

/// The checks of one configuration.
#[derive(Debug, Clone)]
pub struct Rules {
    pub issuer: String,
    pub audience: String,
    pub user_claim: String,
    /// Scope names may carry this prefix (Entra: `api://<app id>/`).
    pub scope_prefix: String,
}

/// The `alg` and `kid` of a token's header, read without trusting anything else in it.
fn header_fields(token: &str) -> Result<(String, Option<String>), Invalid> {
    let header = token.split('.').next().ok_or(Invalid::Malformed)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| Invalid::Malformed)?;
    let value: Map<String, Value> =
        serde_json::from_slice(&bytes).map_err(|_| Invalid::Malformed)?;
    let alg = value
        .get("alg")
        .and_then(Value::as_str)
        .ok_or(Invalid::Algorithm)?
        .to_string();
    let kid = value.get("kid").and_then(Value::as_str).map(str::to_string);
    Ok((alg, kid))
}

/// The scope names a token grants, from `scope` (RFC 9068: space-separated) or `scp` (a
/// string or an array, as Microsoft and Okta send it), without `prefix`.
pub fn scopes(claims: &Map<String, Value>, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for name in ["scope", "scp"] {
        match claims.get(name) {
            Some(Value::String(s)) => out.extend(s.split_whitespace().map(str::to_string)),
            Some(Value::Array(items)) => out.extend(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .flat_map(str::split_whitespace)
                    .map(str::to_string),
            ),
            _ => {}
        }
    }
    out.into_iter()
        .map(|s| match s.strip_prefix(prefix) {
            Some(rest) if !prefix.is_empty() => rest.to_string(),
            _ => s,
        })
        .collect()
}

fn refusal(kind: &ErrorKind) -> Invalid {
    match kind {
        ErrorKind::ExpiredSignature => Invalid::Expired,
        ErrorKind::ImmatureSignature => Invalid::NotYetValid,
        ErrorKind::InvalidIssuer => Invalid::Issuer,
        ErrorKind::InvalidAudience => Invalid::Audience,
        ErrorKind::InvalidSignature => Invalid::Signature,
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => Invalid::Algorithm,
        ErrorKind::InvalidKeyFormat | ErrorKind::InvalidRsaKey(_) | ErrorKind::InvalidEcdsaKey => {
            Invalid::KeyMismatch
        }
        ErrorKind::MissingRequiredClaim(c) => Invalid::MissingClaim(match c.as_str() {
            "exp" => "exp",
            "iss" => "iss",
            _ => "aud",
        }),
        _ => Invalid::Malformed,
    }
}

/// Checks `token` (see the module documentation).
pub async fn verify(token: &str, jwks: &Jwks, rules: &Rules) -> Result<Verified, Invalid> {
    if token.len() > MAX_TOKEN_BYTES || token.split('.').count() != 3 {
        return Err(Invalid::Malformed);
    }
    let (alg, kid) = header_fields(token)?;
    let alg = match alg.as_str() {
        "RS256" => Algorithm::RS256,
        "ES256" => Algorithm::ES256,
        _ => return Err(Invalid::Algorithm),
    };
    let kid = kid.ok_or(Invalid::NoKeyId)?;
    let key = jwks.key(&kid).await.map_err(|e| match e {
        KeyError::Unknown => Invalid::UnknownKey,
        KeyError::Unavailable(why) => Invalid::KeysUnavailable(why),
    })?;
    if key.alg != alg {
        return Err(Invalid::KeyMismatch);
    }
    let mut validation = Validation::new(alg);
    validation.leeway = LEEWAY_SECS;
    validation.validate_nbf = true;
    validation.set_issuer(&[&rules.issuer]);
    validation.set_audience(&[&rules.audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, &validation)
        .map_err(|e| refusal(e.kind()))?;
    let claims = data.claims;
    let granted = scopes(&claims, &rules.scope_prefix);
    let write = granted.iter().any(|s| s == WRITE_SCOPE);
    let read = write || granted.iter().any(|s| s == READ_SCOPE);
    let user = claims
        .get(&rules.user_claim)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|u| {
            !u.is_empty() && u.chars().count() <= MAX_USER_CHARS && !u.chars().any(char::is_control)
        })
        .map(str::to_string);
    Ok(Verified { user, read, write })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn scopes_come_from_scope_or_scp_with_or_without_the_prefix() {
        assert_eq!(
            scopes(&claims(json!({"scope": "openid autotask.read"})), ""),
            ["openid", "autotask.read"]
        );
        assert_eq!(
            scopes(&claims(json!({"scp": ["autotask.write"]})), ""),
            ["autotask.write"]
        );
        assert_eq!(
            scopes(
                &claims(json!({"scp": "api://app/autotask.read autotask.write"})),
                "api://app/"
            ),
            ["autotask.read", "autotask.write"]
        );
        assert!(scopes(&claims(json!({"scope": 7})), "").is_empty());
    }

    #[test]
    fn the_header_is_read_without_trusting_it() {
        let enc = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let token = format!("{}.{}.", enc(json!({"alg": "none"})), enc(json!({})));
        assert_eq!(header_fields(&token), Ok(("none".into(), None)));
        assert_eq!(header_fields("%%%.x.y"), Err(Invalid::Malformed));
        let no_alg = format!("{}.e30.x", enc(json!({"kid": "k"})));
        assert_eq!(header_fields(&no_alg), Err(Invalid::Algorithm));
    }

    #[test]
    fn descriptions_are_fixed_words_without_quotes() {
        for i in [
            Invalid::Malformed,
            Invalid::Algorithm,
            Invalid::UnknownKey,
            Invalid::Expired,
            Invalid::MissingClaim("aud"),
            Invalid::KeysUnavailable("x\"y".into()),
        ] {
            assert!(!i.description().contains('"'));
        }
    }
}
