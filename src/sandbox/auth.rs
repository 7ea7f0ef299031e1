//! Authentication as Autotask does it: `UserName`, `Secret` and `ApiIntegrationCode` headers
//! (names case-insensitive). An unknown user is HTTP 500, a wrong secret 401, an unknown
//! integration code 500, each with an `{"errors": [...]}` body that never echoes what was sent.
//! `ImpersonationResourceId` names the resource writes are attributed to.

use http::HeaderMap;
use rand::RngExt;
use subtle::ConstantTimeEq;

use super::wire::ApiError;

/// The sandbox's API user: random credentials drawn from the operating system's generator for
/// each sandbox, so no other local user can guess them and write to the demo data behind a
/// read-only server. Whoever starts the sandbox reads them from `Sandbox::credentials`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiUser {
    pub username: String,
    pub secret: String,
    pub integration_code: String,
}

impl std::fmt::Debug for ApiUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiUser { .. }")
    }
}

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn random_text(rng: &mut impl RngExt, alphabet: &[u8], len: usize) -> String {
    (0..len)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
}

impl ApiUser {
    /// A new API user with random credentials.
    pub fn random() -> Self {
        let mut rng = rand::rng();
        let tag = random_text(&mut rng, b"abcdefghijklmnopqrstuvwxyz0123456789", 8);
        let secret = random_text(
            &mut rng,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*$#@",
            24,
        );
        let integration_code = random_text(&mut rng, ALPHANUMERIC, 27);
        ApiUser {
            username: format!("api-{tag}@sandbox.autotask.invalid"),
            secret,
            integration_code,
        }
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The resource to attribute writes to, from `ImpersonationResourceId`.
    pub impersonation: Option<i64>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// The integration code a request claims (for the thread limit), before authentication.
pub fn claimed_code(headers: &HeaderMap) -> String {
    header(headers, "ApiIntegrationCode")
        .unwrap_or_default()
        .to_string()
}

/// Checks the credential headers.
pub fn authenticate(headers: &HeaderMap, user: &ApiUser) -> Result<Caller, ApiError> {
    let username = header(headers, "UserName").unwrap_or_default();
    if username.is_empty() || !username.eq_ignore_ascii_case(&user.username) {
        return Err(ApiError::server(
            "Unable to authenticate: the API user name was not found. Check the UserName header.",
        ));
    }
    let secret = header(headers, "Secret").unwrap_or_default();
    if !same(secret, &user.secret) {
        return Err(ApiError::Errors {
            status: 401,
            messages: vec!["Unauthorized: the secret does not match the API user.".into()],
        });
    }
    let code = header(headers, "ApiIntegrationCode").unwrap_or_default();
    if !same(code, &user.integration_code) {
        return Err(ApiError::server(
            "Unable to authenticate: the API tracking identifier (ApiIntegrationCode) is not valid for this user.",
        ));
    }
    let impersonation = match header(headers, "ImpersonationResourceId") {
        None | Some("") => None,
        Some(text) => Some(text.parse::<i64>().map_err(|_| {
            ApiError::server("ImpersonationResourceId must be a resource id (an integer).")
        })?),
    };
    Ok(Caller { impersonation })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(user: &str, secret: &str, code: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in [
            ("username", user),
            ("SECRET", secret),
            ("ApiIntegrationcode", code),
        ] {
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(n.as_bytes()),
                HeaderValue::from_str(v),
            ) {
                h.insert(name, value);
            }
        }
        h
    }

    #[test]
    fn outcomes_follow_autotask() {
        let u = ApiUser::random();
        assert_ne!(
            u,
            ApiUser::random(),
            "every sandbox draws its own credentials"
        );
        assert_eq!(u.integration_code.len(), 27);
        let ok = authenticate(&headers(&u.username, &u.secret, &u.integration_code), &u);
        assert_eq!(
            ok,
            Ok(Caller {
                impersonation: None
            })
        );
        let status = |r: Result<Caller, ApiError>| match r {
            Err(ApiError::Errors { status, messages }) => {
                assert!(!messages.is_empty(), "a refusal says why");
                assert!(
                    messages
                        .iter()
                        .all(|m| !m.contains(&u.secret) && !m.contains(&u.username))
                );
                status
            }
            _ => 200,
        };
        assert_eq!(
            status(authenticate(
                &headers("nobody@x", &u.secret, &u.integration_code),
                &u
            )),
            500
        );
        assert_eq!(
            status(authenticate(
                &headers(&u.username, "wrong", &u.integration_code),
                &u
            )),
            401
        );
        assert_eq!(
            status(authenticate(&headers(&u.username, &u.secret, "WRONG"), &u)),
            500
        );
        assert!(!format!("{u:?}").contains(&u.secret));
    }
}
