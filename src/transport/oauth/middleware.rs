//! Who a request is: the static bearer token (`AUTOTASK_HTTP_TOKEN`, when set) or a signed-in
//! person's OAuth access token (when `AUTOTASK_OAUTH_ISSUER` is set), and nothing else.
//!
//! The static token is compared first, in constant time; a holder gets every scope and may
//! name the resource its writes act as in the trusted impersonation header (a front end).
//! Any other bearer value must be a valid access token from the issuer, for this audience,
//! granting at least `autotask.read`. Tokens are never logged: refusals log the fixed reason.

use std::sync::Arc;

use axum::response::Response;
use http::{HeaderMap, StatusCode, header};

use super::ResourceServer;
use super::challenge::jsonrpc_error;
use super::token::{Invalid, READ_SCOPE};
use crate::caller::{Authenticated, SignedIn};
use crate::transport::auth::{BearerToken, Verdict};

/// How requests are authenticated.
#[derive(Clone, Debug)]
pub struct Authenticator {
    pub token: Option<BearerToken>,
    pub oauth: Option<Arc<ResourceServer>>,
}

/// The bearer value of an `Authorization` header: `Ok(None)` when there is none (or another
/// scheme), `Err` when the header is repeated or malformed.
fn bearer(headers: &HeaderMap) -> Result<Option<&str>, ()> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(());
    }
    let text = value.to_str().map_err(|_| ())?.trim();
    let Some((scheme, rest)) = text.split_once(' ') else {
        return if text.eq_ignore_ascii_case("bearer") {
            Err(())
        } else {
            Ok(None)
        };
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Ok(None);
    }
    let token = rest.trim();
    if token.is_empty() {
        Err(())
    } else {
        Ok(Some(token))
    }
}

fn static_refusal(verdict: Verdict) -> Response {
    let challenge = match verdict {
        Verdict::Missing => "Bearer realm=\"autotask-mcp\"",
        _ => "Bearer realm=\"autotask-mcp\", error=\"invalid_token\"",
    };
    let mut response = jsonrpc_error(
        StatusCode::UNAUTHORIZED,
        -32001,
        "Unauthorized: send `Authorization: Bearer <token>` with the server's AUTOTASK_HTTP_TOKEN",
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        http::HeaderValue::from_static(challenge),
    );
    response
}

impl Authenticator {
    /// The caller of a request, or the answer refusing it.
    pub async fn authenticate(
        &self,
        headers: &HeaderMap,
        path: &str,
    ) -> Result<Authenticated, Response> {
        let authorization = headers.get(header::AUTHORIZATION);
        if let Some(token) = &self.token
            && headers.get_all(header::AUTHORIZATION).iter().count() <= 1
            && token.verdict(authorization) == Verdict::Valid
        {
            return Ok(token.principal());
        }
        let Some(oauth) = &self.oauth else {
            let verdict = self
                .token
                .as_ref()
                .map_or(Verdict::Missing, |t| t.verdict(authorization));
            tracing::warn!(
                path,
                presented = if verdict == Verdict::Missing {
                    "none"
                } else {
                    "wrong"
                },
                "refused a request without a valid bearer token"
            );
            return Err(static_refusal(verdict));
        };
        let presented = match bearer(headers) {
            Ok(Some(token)) => token,
            Ok(None) => {
                tracing::warn!(
                    path,
                    presented = "none",
                    "refused a request without a bearer token"
                );
                return Err(oauth.challenges.missing());
            }
            Err(()) => {
                tracing::warn!(
                    path,
                    presented = "malformed",
                    "refused a request with a malformed Authorization header"
                );
                return Err(oauth.challenges.invalid(&Invalid::Malformed));
            }
        };
        match oauth.verify(presented).await {
            Ok(verified) if !verified.read => {
                tracing::warn!(path, "refused a sign-in token without an autotask scope");
                Err(oauth.challenges.insufficient_scope(&format!(
                    "the token grants neither {READ_SCOPE} nor autotask.write"
                )))
            }
            Ok(verified) => Ok(Authenticated::signed_in(
                presented,
                SignedIn {
                    user: verified.user,
                    claim: oauth.user_claim().to_string(),
                    may_write: verified.write,
                },
            )),
            Err(Invalid::KeysUnavailable(why)) => {
                tracing::error!(path, error = %why, "cannot check a sign-in token: the issuer's keys are unavailable");
                Err(oauth.challenges.unavailable())
            }
            Err(why) => {
                tracing::warn!(path, reason = why.description(), "refused a sign-in token");
                Err(oauth.challenges.invalid(&why))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(values: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::AUTHORIZATION, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn bearer_values_are_taken_once_and_only_from_the_bearer_scheme() {
        assert_eq!(bearer(&headers(&[])), Ok(None));
        assert_eq!(bearer(&headers(&["Bearer a.b.c"])), Ok(Some("a.b.c")));
        assert_eq!(bearer(&headers(&["bearer   a.b.c "])), Ok(Some("a.b.c")));
        assert_eq!(bearer(&headers(&["Basic dXNlcjpwYXNz"])), Ok(None));
        assert_eq!(bearer(&headers(&["Bearer"])), Err(()));
        assert_eq!(bearer(&headers(&["Bearer a.b.c", "Bearer d.e.f"])), Err(()));
    }
}
