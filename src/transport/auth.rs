//! Bearer-token authentication of the HTTP transport.
//!
//! Every protected route needs `Authorization: Bearer <AUTOTASK_HTTP_TOKEN>`. The comparison
//! takes the same time whatever the presented token is (it depends only on the configured
//! token's length), so response timing reveals nothing about the secret. Failures get 401 with
//! `WWW-Authenticate: Bearer`. The token and the presented header are never logged.

use secrecy::{ExposeSecret, SecretString};
use subtle::{Choice, ConstantTimeEq};

/// The shortest token the transport accepts.
pub const MIN_TOKEN_CHARS: usize = 16;

/// The configured token. Debug never shows it.
#[derive(Clone)]
pub struct BearerToken(SecretString);

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken([redacted])")
    }
}

/// What a request presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    /// No `Authorization: Bearer …` header at all.
    Missing,
    /// A bearer token that is not the configured one (or a malformed header).
    Invalid,
}

impl BearerToken {
    /// Accepts a token of at least [`MIN_TOKEN_CHARS`] characters.
    pub fn new(token: &SecretString) -> Result<BearerToken, String> {
        if token.expose_secret().trim().chars().count() < MIN_TOKEN_CHARS {
            return Err(format!(
                "AUTOTASK_HTTP_TOKEN is too short: use at least {MIN_TOKEN_CHARS} characters (e.g. `openssl rand -hex 32`)"
            ));
        }
        Ok(BearerToken(SecretString::from(
            token.expose_secret().trim().to_string(),
        )))
    }

    /// Constant-time comparison of `presented` with the token: the loop always runs over the
    /// configured token's length, and a length mismatch is folded in without branching early.
    pub fn matches(&self, presented: &[u8]) -> bool {
        let expected = self.0.expose_secret().as_bytes();
        let mut equal: Choice = (expected.len() as u64).ct_eq(&(presented.len() as u64));
        for (i, e) in expected.iter().enumerate() {
            let p = presented.get(i).copied().unwrap_or(0);
            equal &= e.ct_eq(&p);
        }
        equal.into()
    }

    /// What the tools may know about a caller holding this token: its fingerprint.
    pub fn principal(&self) -> crate::caller::Authenticated {
        crate::caller::Authenticated::for_token(self.0.expose_secret())
    }

    /// Judges an `Authorization` header value (the scheme is case-insensitive, RFC 7235).
    pub fn verdict(&self, authorization: Option<&http::HeaderValue>) -> Verdict {
        let Some(value) = authorization else {
            return Verdict::Missing;
        };
        let bytes = value.as_bytes();
        let Some((scheme, rest)) = split_scheme(bytes) else {
            return Verdict::Invalid;
        };
        if !scheme.eq_ignore_ascii_case(b"bearer") {
            return Verdict::Missing;
        }
        if self.matches(trim_ascii(rest)) {
            Verdict::Valid
        } else {
            Verdict::Invalid
        }
    }
}

fn split_scheme(value: &[u8]) -> Option<(&[u8], &[u8])> {
    let value = trim_ascii(value);
    let space = value.iter().position(|b| *b == b' ')?;
    Some((&value[..space], &value[space + 1..]))
}

fn trim_ascii(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &bytes[start..end.max(start)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn token(t: &str) -> BearerToken {
        BearerToken::new(&SecretString::from(t.to_string())).unwrap()
    }

    #[test]
    fn short_tokens_are_refused_with_the_variable_name() {
        let err = BearerToken::new(&SecretString::from("short".to_string())).err();
        assert!(err.is_some_and(|e| e.starts_with("AUTOTASK_HTTP_TOKEN is too short")));
    }

    #[test]
    fn only_the_exact_token_matches() {
        let t = token("0123456789abcdef0123");
        assert!(t.matches(b"0123456789abcdef0123"));
        assert!(!t.matches(b"0123456789abcdef012"));
        assert!(!t.matches(b"0123456789abcdef01234"));
        assert!(!t.matches(b"0123456789abcdef0124"));
        assert!(!t.matches(b""));
        // A longer value that starts with the token must not match.
        assert!(!t.matches(b"0123456789abcdef0123\0"));
    }

    #[test]
    fn header_verdicts() {
        let t = token("0123456789abcdef0123");
        let v = |s: &'static str| t.verdict(Some(&HeaderValue::from_static(s)));
        assert_eq!(t.verdict(None), Verdict::Missing);
        assert_eq!(v("Bearer 0123456789abcdef0123"), Verdict::Valid);
        assert_eq!(v("bearer   0123456789abcdef0123 "), Verdict::Valid);
        assert_eq!(v("Bearer wrong-token-wrong-token"), Verdict::Invalid);
        assert_eq!(v("Basic dXNlcjpwYXNz"), Verdict::Missing);
        assert_eq!(v("Bearer"), Verdict::Invalid);
    }

    #[test]
    fn debug_hides_the_token() {
        let t = token("0123456789abcdef0123");
        assert!(!format!("{t:?}").contains("0123456789"));
    }
}
