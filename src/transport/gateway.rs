//! Gateway mode on the wire: each `/mcp` request brings its tenant's credentials in
//! `X-Autotask-Username`, `X-Autotask-Secret` and `X-Autotask-Integration-Code` (and may pin
//! the zone with `X-Autotask-Api-Url`), after the server's own authentication has passed.
//! The headers are taken out of the request here, so nothing after this point (rmcp, the
//! tools, a log line) ever holds them as headers; the server gets a `TenantCredentials`.
//!
//! `X-Autotask-Api-Url` is where the server will send the credentials, so it may only name an
//! Autotask zone host (https, in Autotask's domains: what zone detection accepts), or a URL
//! listed in `AUTOTASK_GATEWAY_ALLOWED_API_URLS`: a caller cannot aim the server's requests,
//! credentials attached, anywhere else.

use http::{HeaderMap, HeaderName};

use crate::autotask::zone::parse_zone_information;
use crate::config::{DEFAULT_ZONE_LOOKUP_URL, GatewayConfig, normalize_base_url};
use crate::server::tenants::TenantCredentials;

pub const USERNAME: HeaderName = HeaderName::from_static("x-autotask-username");
pub const SECRET: HeaderName = HeaderName::from_static("x-autotask-secret");
pub const INTEGRATION_CODE: HeaderName = HeaderName::from_static("x-autotask-integration-code");
pub const API_URL: HeaderName = HeaderName::from_static("x-autotask-api-url");

/// Longest credential header value accepted.
const MAX_VALUE_BYTES: usize = 1_024;

/// Removes the tenant headers from `headers` (whatever the mode), returning their values.
fn take(headers: &mut HeaderMap) -> [Vec<http::HeaderValue>; 4] {
    [USERNAME, SECRET, INTEGRATION_CODE, API_URL].map(|name| match headers.entry(name) {
        http::header::Entry::Occupied(e) => e.remove_entry_mult().1.collect(),
        http::header::Entry::Vacant(_) => Vec::new(),
    })
}

/// Strips the tenant headers (outside gateway mode they mean nothing and must not linger).
pub fn strip(headers: &mut HeaderMap) {
    let _ = take(headers);
}

fn one(
    name: &HeaderName,
    values: &[http::HeaderValue],
    required: bool,
) -> Result<Option<String>, String> {
    match values {
        [] if required => Err(format!(
            "gateway mode: the {name} header is missing; send the tenant's X-Autotask-Username, X-Autotask-Secret and X-Autotask-Integration-Code with every request"
        )),
        [] => Ok(None),
        [value] => {
            let text = value
                .to_str()
                .map_err(|_| {
                    format!(
                        "gateway mode: the {name} header has characters other than visible ASCII"
                    )
                })?
                .trim();
            if text.is_empty() {
                return Err(format!("gateway mode: the {name} header is blank"));
            }
            if text.len() > MAX_VALUE_BYTES {
                return Err(format!(
                    "gateway mode: the {name} header is longer than {MAX_VALUE_BYTES} bytes"
                ));
            }
            Ok(Some(text.to_string()))
        }
        _ => Err(format!(
            "gateway mode: the {name} header came {} times; send it once",
            values.len()
        )),
    }
}

/// The zone base `url` names, when the gateway may send credentials there.
pub fn check_api_url(url: &str, config: &GatewayConfig) -> Result<String, String> {
    // Named in errors and logs by scheme and host only: a URL may carry user:password@.
    let shown = url::Url::parse(url.trim()).ok().map_or_else(
        || "(not a URL)".to_string(),
        |u| format!("{}://{}", u.scheme(), u.host_str().unwrap_or("")),
    );
    let normalized = normalize_base_url(url)
        .map_err(|_| format!("gateway mode: X-Autotask-Api-Url {shown} is not an http(s) URL"))?;
    let same = |allowed: &String| -> bool {
        match (url::Url::parse(allowed), url::Url::parse(&normalized)) {
            (Ok(a), Ok(b)) => {
                a.scheme() == b.scheme()
                    && a.host() == b.host()
                    && a.port_or_known_default() == b.port_or_known_default()
                    && a.path().eq_ignore_ascii_case(b.path())
                    && b.username().is_empty()
                    && b.password().is_none()
                    && b.query().is_none()
                    && b.fragment().is_none()
            }
            _ => false,
        }
    };
    if config.allowed_api_urls.iter().any(same) {
        return Ok(normalized);
    }
    // What zone detection would accept from Autotask's own lookup: https, Autotask's domains.
    let zone = parse_zone_information(
        &serde_json::json!({ "url": normalized }),
        DEFAULT_ZONE_LOOKUP_URL,
    )
    .ok()
    .and_then(|z| url::Url::parse(&z).ok())
    .filter(|u| {
        u.username().is_empty()
            && u.password().is_none()
            && u.port().is_none()
            && u.query().is_none()
    });
    match zone {
        Some(u) => Ok(u.to_string()),
        None => Err(format!(
            "gateway mode: X-Autotask-Api-Url {shown} is not an Autotask zone (https://webservicesN.autotask.net/ATServicesRest/) nor listed in AUTOTASK_GATEWAY_ALLOWED_API_URLS; the tenant's credentials are not sent there"
        )),
    }
}

/// Takes the tenant's credentials out of `headers` (see the module documentation).
pub fn tenant_of(
    headers: &mut HeaderMap,
    config: &GatewayConfig,
) -> Result<TenantCredentials, String> {
    let [username, secret, code, api_url] = take(headers);
    let username = one(&USERNAME, &username, true)?.unwrap_or_default();
    let secret = one(&SECRET, &secret, true)?.unwrap_or_default();
    let code = one(&INTEGRATION_CODE, &code, true)?.unwrap_or_default();
    let api_url = match one(&API_URL, &api_url, false)? {
        Some(url) => Some(check_api_url(&url, config)?),
        None => None,
    };
    Ok(TenantCredentials::new(&username, &secret, &code, api_url))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use std::time::Duration;

    fn config(allowed: &[&str]) -> GatewayConfig {
        GatewayConfig {
            allowed_api_urls: allowed.iter().map(|s| s.to_string()).collect(),
            max_tenants: 10,
            tenant_idle: Duration::from_secs(60),
        }
    }

    fn headers(pairs: &[(HeaderName, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.append(n.clone(), HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn zone_hosts_and_listed_urls_only() {
        let c = config(&["http://127.0.0.1:4000/ATServicesRest/"]);
        assert_eq!(
            check_api_url("https://webservices5.autotask.net/atservicesrest/v1.0", &c),
            Ok("https://webservices5.autotask.net/atservicesrest/".into())
        );
        assert_eq!(
            check_api_url("http://127.0.0.1:4000/atservicesrest", &c),
            Ok("http://127.0.0.1:4000/atservicesrest/".into())
        );
        for bad in [
            "http://127.0.0.1:4001/ATServicesRest/",
            "http://webservices5.autotask.net/ATServicesRest/",
            "https://webservices5.autotask.net.evil.example/ATServicesRest/",
            "https://evil.example/ATServicesRest/",
            "https://user:pw@webservices5.autotask.net/ATServicesRest/",
            "https://webservices5.autotask.net:8443/ATServicesRest/",
            "http://169.254.169.254/latest/",
            "file:///etc/passwd",
        ] {
            assert!(check_api_url(bad, &c).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn credentials_are_taken_out_of_the_headers() {
        let mut h = headers(&[
            (USERNAME, "api@tenant.example"),
            (SECRET, "s3cret"),
            (INTEGRATION_CODE, "CODE"),
            (HeaderName::from_static("x-other"), "kept"),
        ]);
        let creds = tenant_of(&mut h, &config(&[]));
        assert!(creds.is_ok(), "{creds:?}");
        assert!(h.get(SECRET).is_none() && h.get(USERNAME).is_none());
        assert!(h.get("x-other").is_some());
    }

    #[test]
    fn missing_repeated_or_bad_headers_are_named_and_values_never_shown() {
        let c = config(&[]);
        let err = |pairs: &[(HeaderName, &'static str)]| {
            tenant_of(&mut headers(pairs), &c).err().unwrap_or_default()
        };
        assert!(
            err(&[(USERNAME, "u"), (SECRET, "s")])
                .contains("x-autotask-integration-code header is missing")
        );
        let twice = err(&[
            (USERNAME, "u"),
            (SECRET, "s1"),
            (SECRET, "s2"),
            (INTEGRATION_CODE, "c"),
        ]);
        assert!(twice.contains("x-autotask-secret header came 2 times") && !twice.contains("s1"));
        let far = err(&[
            (USERNAME, "u"),
            (SECRET, "s"),
            (INTEGRATION_CODE, "c"),
            (API_URL, "https://evil.example/"),
        ]);
        assert!(far.contains("is not an Autotask zone"), "{far}");
        let userinfo = err(&[
            (USERNAME, "u"),
            (SECRET, "s"),
            (INTEGRATION_CODE, "c"),
            (API_URL, "https://api:hunter2@evil.example/"),
        ]);
        assert!(
            userinfo.contains("https://evil.example") && !userinfo.contains("hunter2"),
            "{userinfo}"
        );
        let mut stripped = headers(&[(SECRET, "s")]);
        strip(&mut stripped);
        assert!(stripped.is_empty());
    }
}
