//! Who makes one tool call: the transport, over HTTP the fingerprint of the bearer token it
//! presented (never the token), the person a verified sign-in token names (OAuth) with what it
//! may do, the tenant (gateway mode: the fingerprint of its credentials), and the resource its
//! writes act as: the signed-in technician's (the server looks it up), or the one a trusted
//! front end names in the `AUTOTASK_HTTP_IMPERSONATION_HEADER` header (static token only). The
//! HTTP transport puts an [`Authenticated`] into the request's extensions once the token is
//! checked; the server turns the request parts into a `Caller` with [`Caller::http`]; the call path
//! hands it to the write pipeline and to the tools whose answer depends on it.

use sha2::{Digest, Sha256};

/// A person signed in with an OAuth access token the transport verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// The user claim's value (an e-mail); `None` when the token has no such claim.
    pub user: Option<String>,
    /// The claim that names the user (`AUTOTASK_OAUTH_USER_CLAIM`), for messages.
    pub claim: String,
    /// The token grants `autotask.write`.
    pub may_write: bool,
}

/// Put into an HTTP request's extensions by the transport once its bearer token is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    /// `sha256:` and the first 16 hex digits of the token's SHA-256.
    pub token_fingerprint: String,
    /// The signed-in person (OAuth); `None` for the static token.
    pub signed_in: Option<SignedIn>,
}

/// `sha256:` and the first 16 hex digits of the SHA-256 of `bytes`.
pub fn fingerprint(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

impl Authenticated {
    /// The holder of the static token.
    pub fn for_token(token: &str) -> Authenticated {
        Authenticated {
            token_fingerprint: fingerprint(token.as_bytes()),
            signed_in: None,
        }
    }

    /// The holder of a verified OAuth access token.
    pub fn signed_in(token: &str, signed_in: SignedIn) -> Authenticated {
        Authenticated {
            token_fingerprint: fingerprint(token.as_bytes()),
            signed_in: Some(signed_in),
        }
    }
}

tokio::task_local! {
    static CURRENT: Caller;
}

/// The caller of one tool call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// `stdio` or `http`.
    pub transport: &'static str,
    /// The bearer token's fingerprint (HTTP).
    pub token_fingerprint: Option<String>,
    /// The resource the call's writes act as, from the trusted header.
    pub acting_as: Option<i64>,
    /// Why writes cannot be attributed (a malformed trusted header, a signed-in user without
    /// a matching active resource): writes are refused then.
    pub acting_as_problem: Option<String>,
    /// The signed-in person (the token's user claim), OAuth only.
    pub user: Option<String>,
    /// False when the caller's sign-in lacks the write scope: write tools are neither listed
    /// nor run for it.
    pub may_write: bool,
    /// Gateway mode: the fingerprint of the tenant's credentials.
    pub tenant: Option<String>,
}

impl Default for Caller {
    fn default() -> Self {
        Caller::stdio()
    }
}

impl Caller {
    /// A call over stdio (or from inside the process).
    pub fn stdio() -> Caller {
        Caller {
            transport: "stdio",
            token_fingerprint: None,
            acting_as: None,
            acting_as_problem: None,
            user: None,
            may_write: true,
            tenant: None,
        }
    }

    /// A call over HTTP: `values` are the values of the impersonation header `header` (when
    /// one is configured), `auth` what the transport recorded about the token. The header is
    /// trusted from holders of the static token only: a signed-in caller's writes act as the
    /// resource the server finds for them, whatever the request says.
    pub fn http(
        auth: Option<&Authenticated>,
        header: Option<&http::HeaderName>,
        values: &[&[u8]],
    ) -> Caller {
        let mut caller = Caller {
            transport: "http",
            token_fingerprint: auth.map(|a| a.token_fingerprint.clone()),
            acting_as: None,
            acting_as_problem: None,
            user: None,
            may_write: true,
            tenant: None,
        };
        if let Some(signed_in) = auth.and_then(|a| a.signed_in.as_ref()) {
            caller.may_write = signed_in.may_write;
            caller.user = signed_in.user.clone();
            if caller.user.is_none() {
                caller.acting_as_problem = Some(format!(
                    "your sign-in token has no `{}` claim (AUTOTASK_OAUTH_USER_CLAIM), so your writes cannot be attributed to you",
                    signed_in.claim
                ));
            }
            return caller;
        }
        let Some(header) = header else {
            return caller;
        };
        match values {
            [] => {}
            [value] => {
                let text = String::from_utf8_lossy(value);
                match text.trim().parse::<i64>() {
                    Ok(id) if id >= 0 => caller.acting_as = Some(id),
                    _ => {
                        let shown: String = text.chars().take(40).collect();
                        caller.acting_as_problem = Some(format!(
                            "the {header} header is `{shown}`, not a resource id: the front end must send the technician's numeric Autotask resource id"
                        ));
                    }
                }
            }
            _ => {
                caller.acting_as_problem = Some(format!(
                    "the {header} header came {} times: the front end must send it once",
                    values.len()
                ));
            }
        }
        caller
    }

    /// The scope idempotency keys live in: one per tenant, person (a signed-in user, whose
    /// tokens change at every refresh) or token, and acting resource.
    pub fn key_scope(&self) -> String {
        let who = match (&self.user, &self.token_fingerprint) {
            (Some(user), _) => format!("user:{user}"),
            (None, Some(token)) => token.clone(),
            (None, None) => self.transport.to_string(),
        };
        format!(
            "{}{who}|{}",
            self.tenant
                .as_deref()
                .map_or_else(String::new, |t| format!("{t}|")),
            self.acting_as.map_or_else(String::new, |id| id.to_string())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_short_stable_and_not_the_token() {
        let a = Authenticated::for_token("0123456789abcdef0123");
        assert_eq!(a, Authenticated::for_token("0123456789abcdef0123"));
        assert_ne!(a, Authenticated::for_token("0123456789abcdef0124"));
        assert!(a.token_fingerprint.starts_with("sha256:"));
        assert_eq!(a.token_fingerprint.len(), "sha256:".len() + 16);
        assert!(!a.token_fingerprint.contains("0123456789abcdef"));
    }

    #[test]
    fn the_trusted_header_gives_a_resource_or_a_problem() {
        let name = http::HeaderName::from_static("x-acting-resource");
        let header = Some(&name);
        assert_eq!(
            Caller::http(None, header, &[b" 29682887 "]).acting_as,
            Some(29682887)
        );
        for bad in [&b"abc"[..], b"-4", b"1.5", b""] {
            let c = Caller::http(None, header, &[bad]);
            assert_eq!(c.acting_as, None);
            assert!(
                c.acting_as_problem
                    .as_deref()
                    .is_some_and(|p| p.contains("x-acting-resource")),
                "{c:?}"
            );
        }
        let twice = Caller::http(None, header, &[b"1", b"2"]);
        assert!(
            twice
                .acting_as_problem
                .is_some_and(|p| p.contains("2 times"))
        );
        let none = Caller::http(None, header, &[]);
        assert_eq!((none.acting_as, none.acting_as_problem), (None, None));
        let off = Caller::http(None, None, &[b"7"]);
        assert_eq!(off.acting_as, None, "no header configured: ignored");
    }

    #[test]
    fn a_signed_in_caller_ignores_the_trusted_header() {
        let name = http::HeaderName::from_static("x-acting-resource");
        let auth = Authenticated::signed_in(
            "a.b.c",
            SignedIn {
                user: Some("tech@example.com".into()),
                claim: "email".into(),
                may_write: false,
            },
        );
        let c = Caller::http(Some(&auth), Some(&name), &[b"29682887"]);
        assert_eq!(c.acting_as, None);
        assert_eq!(c.acting_as_problem, None);
        assert_eq!(c.user.as_deref(), Some("tech@example.com"));
        assert!(!c.may_write);
        assert!(c.key_scope().starts_with("user:tech@example.com|"));
        let nameless = Authenticated::signed_in(
            "a.b.c",
            SignedIn {
                user: None,
                claim: "upn".into(),
                may_write: true,
            },
        );
        let c = Caller::http(Some(&nameless), None, &[]);
        assert!(
            c.acting_as_problem
                .is_some_and(|p| p.contains("no `upn` claim"))
        );
    }

    #[test]
    fn key_scopes_keep_tenants_people_and_tokens_apart() {
        let token = Authenticated::for_token("0123456789abcdef0123");
        let mut a = Caller::http(Some(&token), None, &[]);
        let plain = a.key_scope();
        a.tenant = Some("sha256:aaaa".into());
        let tenant_a = a.key_scope();
        a.tenant = Some("sha256:bbbb".into());
        assert_ne!(tenant_a, a.key_scope());
        assert_ne!(plain, tenant_a);
        assert_ne!(Caller::stdio().key_scope(), plain);
    }
}
