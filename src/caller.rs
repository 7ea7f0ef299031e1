//! Who makes one tool call: the transport, over HTTP the fingerprint of the bearer token it
//! presented (never the token), and the resource its writes act as when a trusted front end
//! names one in the `AUTOTASK_HTTP_IMPERSONATION_HEADER` header. The HTTP transport puts an
//! [`Authenticated`] into the request's extensions once the token is checked; the server turns
//! the request parts into a `Caller` with [`Caller::http`]; the tools' call path and write
//! pipeline read it.

use sha2::{Digest, Sha256};

/// Put into an HTTP request's extensions by the transport once its bearer token is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    /// `sha256:` and the first 16 hex digits of the token's SHA-256.
    pub token_fingerprint: String,
}

impl Authenticated {
    pub fn for_token(token: &str) -> Authenticated {
        let digest = Sha256::digest(token.as_bytes());
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        Authenticated {
            token_fingerprint: format!("sha256:{hex}"),
        }
    }
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
    /// Why the trusted header could not be used: writes are refused then.
    pub acting_as_problem: Option<String>,
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
        }
    }

    /// A call over HTTP: `values` are the values of the impersonation header `header` (when
    /// one is configured), `auth` what the transport recorded about the token.
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
        };
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

    /// The scope idempotency keys live in: one per token and acting resource.
    pub fn key_scope(&self) -> String {
        format!(
            "{}|{}",
            self.token_fingerprint.as_deref().unwrap_or(self.transport),
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
}
