//! DNS-rebinding protection for the HTTP transport: `Host` and `Origin` allow-lists.
//!
//! Loopback is always allowed (`localhost`, `127.0.0.1`, `::1` on any port, and the matching
//! `http(s)://…:*` origins); operators add their public names with
//! `AUTOTASK_HTTP_ALLOWED_HOSTS` / `AUTOTASK_HTTP_ALLOWED_ORIGINS`. A request without an
//! `Origin` header (every non-browser client) passes the origin check; a present `Origin`
//! must match an entry (scheme, host and port), or the request gets 403.
//!
//! Host entries are `name` (any port) or `name:port`; `*` turns the Host check off (only
//! behind a proxy that validates Host itself). Origin entries are `scheme://host`
//! (default port of the scheme), `scheme://host:port`, `scheme://host:*` (any port) or `null`.

use http::HeaderMap;
use http::uri::Authority;

const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
const LOOPBACK_ORIGINS: [&str; 6] = [
    "http://localhost:*",
    "http://127.0.0.1:*",
    "http://[::1]:*",
    "https://localhost:*",
    "https://127.0.0.1:*",
    "https://[::1]:*",
];

#[derive(Debug, Clone, PartialEq, Eq)]
struct HostEntry {
    host: String,
    port: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PortRule {
    Any,
    Exact(u16),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum OriginEntry {
    Null,
    Tuple {
        scheme: String,
        host: String,
        port: PortRule,
    },
}

/// Why a request was refused (the text of the 403 body, or 400 for a duplicate header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    Host,
    Origin,
    /// More than one `Host` or `Origin` header: which one counts would be a guess.
    Duplicate(&'static str),
}

impl Rejection {
    /// The HTTP status of the refusal.
    pub fn status(self) -> http::StatusCode {
        match self {
            Rejection::Duplicate(_) => http::StatusCode::BAD_REQUEST,
            _ => http::StatusCode::FORBIDDEN,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Rejection::Duplicate("Host") => {
                "Bad Request: more than one Host header; send exactly one"
            }
            Rejection::Duplicate(_) => "Bad Request: more than one Origin header; send at most one",
            Rejection::Host => {
                "Forbidden: Host header is not allowed (add the server's public name to AUTOTASK_HTTP_ALLOWED_HOSTS)"
            }
            Rejection::Origin => {
                "Forbidden: Origin is not allowed (add the web client's origin to AUTOTASK_HTTP_ALLOWED_ORIGINS)"
            }
        }
    }
}

/// The validated allow-lists (loopback included).
#[derive(Debug, Clone)]
pub struct AllowLists {
    /// `None` = any host (`*`).
    hosts: Option<Vec<HostEntry>>,
    origins: Vec<OriginEntry>,
}

/// A configured host name: brackets and a trailing dot dropped, lower case.
fn normalize_host(host: &str) -> String {
    request_host(host.trim().trim_end_matches('.'))
}

/// A host as a request names it, compared the way rmcp's own check does (brackets dropped,
/// lower case, nothing else): `localhost.` is not `localhost` for either check, so the two
/// checks always agree and a refusal is always ours (JSON-RPC), never rmcp's plain text.
fn request_host(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

fn parse_host_entry(raw: &str) -> Result<HostEntry, String> {
    let raw = raw.trim();
    if raw.contains('/') || raw.contains('@') || raw.is_empty() {
        return Err(format!(
            "AUTOTASK_HTTP_ALLOWED_HOSTS has `{raw}`: use a host name, optionally with :port (e.g. mcp.example.com or mcp.example.com:443), without a scheme or path"
        ));
    }
    // A bare IPv6 address has several colons and no brackets: the whole entry is the host.
    if raw.matches(':').count() > 1 && !raw.starts_with('[') {
        return Ok(HostEntry {
            host: normalize_host(raw),
            port: None,
        });
    }
    let authority = Authority::try_from(raw).map_err(|_| {
        format!("AUTOTASK_HTTP_ALLOWED_HOSTS has `{raw}`, which is not a host name or host:port")
    })?;
    Ok(HostEntry {
        host: normalize_host(authority.host()),
        port: authority.port_u16(),
    })
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

fn parse_origin_entry(raw: &str) -> Result<OriginEntry, String> {
    let raw = raw.trim().trim_end_matches('/');
    if raw.eq_ignore_ascii_case("null") {
        return Ok(OriginEntry::Null);
    }
    let bad = || {
        format!(
            "AUTOTASK_HTTP_ALLOWED_ORIGINS has `{raw}`: use scheme://host, scheme://host:port or scheme://host:* (e.g. https://chat.example.com)"
        )
    };
    let (base, any_port) = match raw.strip_suffix(":*") {
        Some(base) => (base, true),
        None => (raw, false),
    };
    let url = url::Url::parse(base).map_err(|_| bad())?;
    if (url.path() != "/" && !url.path().is_empty()) || url.query().is_some() {
        return Err(bad());
    }
    let host = url.host_str().ok_or_else(bad)?;
    let scheme = url.scheme().to_ascii_lowercase();
    let port = if any_port {
        PortRule::Any
    } else {
        PortRule::Exact(url.port_or_known_default().ok_or_else(bad)?)
    };
    Ok(OriginEntry::Tuple {
        host: normalize_host(host),
        scheme,
        port,
    })
}

/// Parses a request's `Origin` value into (scheme, host, port), as rmcp does (an `http`
/// URI, no further normalisation: `http://2130706433` is not loopback for either check).
fn parse_request_origin(value: &str) -> Option<OriginEntry> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("null") {
        return Some(OriginEntry::Null);
    }
    let uri = http::Uri::try_from(value).ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let authority = uri.authority()?;
    let port = authority.port_u16().or_else(|| default_port(&scheme))?;
    Some(OriginEntry::Tuple {
        host: request_host(authority.host()),
        scheme,
        port: PortRule::Exact(port),
    })
}

impl AllowLists {
    /// Validates the configured entries and adds loopback. Errors name the variable.
    pub fn new(hosts: &[String], origins: &[String]) -> Result<AllowLists, String> {
        let hosts = if hosts.iter().any(|h| h.trim() == "*") {
            None
        } else {
            let mut entries = LOOPBACK_HOSTS
                .iter()
                .map(|h| parse_host_entry(h))
                .collect::<Result<Vec<_>, _>>()?;
            for h in hosts {
                entries.push(parse_host_entry(h)?);
            }
            Some(entries)
        };
        let mut origin_entries = LOOPBACK_ORIGINS
            .iter()
            .map(|o| parse_origin_entry(o))
            .collect::<Result<Vec<_>, _>>()?;
        for o in origins {
            origin_entries.push(parse_origin_entry(o)?);
        }
        Ok(AllowLists {
            hosts,
            origins: origin_entries,
        })
    }

    /// The host allow-list in rmcp's syntax (`None` = any host), for its own second check.
    pub fn rmcp_hosts(&self) -> Option<Vec<String>> {
        self.hosts.as_ref().map(|hosts| {
            hosts
                .iter()
                .map(|h| match (h.host.contains(':'), h.port) {
                    (true, Some(p)) => format!("[{}]:{p}", h.host),
                    (false, Some(p)) => format!("{}:{p}", h.host),
                    (_, None) => h.host.clone(),
                })
                .collect()
        })
    }

    /// The origin allow-list in rmcp's syntax (explicit ports, so rmcp matches exactly as we do).
    pub fn rmcp_origins(&self) -> Vec<String> {
        self.origins
            .iter()
            .map(|o| match o {
                OriginEntry::Null => "null".to_string(),
                OriginEntry::Tuple { scheme, host, port } => {
                    let host = if host.contains(':') {
                        format!("[{host}]")
                    } else {
                        host.clone()
                    };
                    match port {
                        PortRule::Any => format!("{scheme}://{host}:*"),
                        PortRule::Exact(p) => format!("{scheme}://{host}:{p}"),
                    }
                }
            })
            .collect()
    }

    fn host_allowed(&self, host: &str, port: Option<u16>) -> bool {
        let Some(entries) = &self.hosts else {
            return true;
        };
        let host = request_host(host);
        entries
            .iter()
            .any(|e| e.host == host && e.port.is_none_or(|p| Some(p) == port))
    }

    fn origin_allowed(&self, origin: &OriginEntry) -> bool {
        self.origins.iter().any(|allowed| match (allowed, origin) {
            (OriginEntry::Null, OriginEntry::Null) => true,
            (
                OriginEntry::Tuple { scheme, host, port },
                OriginEntry::Tuple {
                    scheme: s,
                    host: h,
                    port: PortRule::Exact(p),
                },
            ) => {
                scheme == s
                    && host == h
                    && match port {
                        PortRule::Any => true,
                        PortRule::Exact(allowed) => allowed == p,
                    }
            }
            _ => false,
        })
    }

    /// Checks a request's `Host` (or the URI authority, for HTTP/2) and `Origin`.
    pub fn check(&self, uri: &http::Uri, headers: &HeaderMap) -> Result<(), Rejection> {
        self.check_host(uri, headers)?;
        self.check_origin(headers)
    }

    /// Refuses a second `Host` or `Origin` header (whichever of the copies a check or a
    /// proxy would read is a guess an attacker can exploit).
    pub fn check_single(headers: &HeaderMap) -> Result<(), Rejection> {
        for (name, label) in [
            (http::header::HOST, "Host"),
            (http::header::ORIGIN, "Origin"),
        ] {
            if headers.get_all(&name).iter().nth(1).is_some() {
                return Err(Rejection::Duplicate(label));
            }
        }
        Ok(())
    }

    /// Checks the `Host` header (or the URI authority, for HTTP/2).
    pub fn check_host(&self, uri: &http::Uri, headers: &HeaderMap) -> Result<(), Rejection> {
        if self.hosts.is_none() {
            return Ok(());
        }
        let authority = match headers.get(http::header::HOST) {
            Some(value) => value
                .to_str()
                .ok()
                .and_then(|v| Authority::try_from(v.trim()).ok()),
            None => uri.authority().cloned(),
        };
        match authority {
            Some(a) if self.host_allowed(a.host(), a.port_u16()) => Ok(()),
            _ => Err(Rejection::Host),
        }
    }

    /// Checks the `Origin` header: absent passes, present must match an entry.
    pub fn check_origin(&self, headers: &HeaderMap) -> Result<(), Rejection> {
        let Some(origin) = headers.get(http::header::ORIGIN) else {
            return Ok(());
        };
        match origin.to_str().ok().and_then(parse_request_origin) {
            Some(o) if self.origin_allowed(&o) => Ok(()),
            _ => Err(Rejection::Origin),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(host: Option<&str>, origin: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(v) = host {
            h.insert(
                http::header::HOST,
                HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("x")),
            );
        }
        if let Some(v) = origin {
            h.insert(
                http::header::ORIGIN,
                HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("x")),
            );
        }
        h
    }

    fn lists(hosts: &[&str], origins: &[&str]) -> AllowLists {
        let hosts: Vec<String> = hosts.iter().map(|s| s.to_string()).collect();
        let origins: Vec<String> = origins.iter().map(|s| s.to_string()).collect();
        AllowLists::new(&hosts, &origins).unwrap()
    }

    #[test]
    fn loopback_is_always_allowed() {
        let l = lists(&[], &[]);
        let uri = http::Uri::from_static("/mcp");
        for host in [
            "localhost:3000",
            "127.0.0.1:8080",
            "[::1]:3000",
            "LOCALHOST",
        ] {
            assert_eq!(l.check(&uri, &headers(Some(host), None)), Ok(()), "{host}");
        }
        for origin in [
            "http://localhost:5173",
            "http://127.0.0.1:3000",
            "https://localhost",
        ] {
            assert_eq!(
                l.check(&uri, &headers(Some("localhost:3000"), Some(origin))),
                Ok(()),
                "{origin}"
            );
        }
    }

    #[test]
    fn foreign_hosts_and_origins_are_rejected() {
        let l = lists(&[], &[]);
        let uri = http::Uri::from_static("/mcp");
        assert_eq!(
            l.check(&uri, &headers(Some("evil.example"), None)),
            Err(Rejection::Host)
        );
        assert_eq!(
            l.check(
                &uri,
                &headers(Some("localhost:3000"), Some("https://evil.example"))
            ),
            Err(Rejection::Origin)
        );
        assert_eq!(
            l.check(&uri, &headers(Some("localhost"), Some("null"))),
            Err(Rejection::Origin)
        );
        assert_eq!(
            l.check(&uri, &headers(Some("localhost"), Some("not a url"))),
            Err(Rejection::Origin)
        );
        assert_eq!(l.check(&uri, &headers(None, None)), Err(Rejection::Host));
    }

    #[test]
    fn configured_entries_match_scheme_host_and_port() {
        let l = lists(
            &["mcp.example.com", "internal.example:8443"],
            &["https://chat.example.com", "http://tools.example:*"],
        );
        let uri = http::Uri::from_static("/mcp");
        let ok = |host: &str, origin: Option<&str>| l.check(&uri, &headers(Some(host), origin));
        assert_eq!(ok("mcp.example.com", None), Ok(()));
        assert_eq!(ok("MCP.example.com:443", None), Ok(()));
        assert_eq!(ok("internal.example:8443", None), Ok(()));
        assert_eq!(ok("internal.example:80", None), Err(Rejection::Host));
        assert_eq!(
            ok("mcp.example.com", Some("https://chat.example.com")),
            Ok(())
        );
        assert_eq!(
            ok("mcp.example.com", Some("https://chat.example.com:443")),
            Ok(())
        );
        assert_eq!(
            ok("mcp.example.com", Some("https://chat.example.com:8443")),
            Err(Rejection::Origin)
        );
        assert_eq!(
            ok("mcp.example.com", Some("http://chat.example.com")),
            Err(Rejection::Origin)
        );
        assert_eq!(
            ok("mcp.example.com", Some("http://tools.example:9999")),
            Ok(())
        );
    }

    #[test]
    fn star_disables_the_host_check_only() {
        let l = lists(&["*"], &[]);
        let uri = http::Uri::from_static("/mcp");
        assert_eq!(
            l.check(&uri, &headers(Some("anything.example"), None)),
            Ok(())
        );
        assert_eq!(
            l.check(
                &uri,
                &headers(Some("anything.example"), Some("https://evil.example"))
            ),
            Err(Rejection::Origin)
        );
        assert_eq!(l.rmcp_hosts(), None);
    }

    #[test]
    fn bad_entries_name_the_variable() {
        let err = AllowLists::new(&["https://mcp.example.com/".into()], &[]).err();
        assert!(err.is_some_and(|e| e.starts_with("AUTOTASK_HTTP_ALLOWED_HOSTS")));
        let err = AllowLists::new(&[], &["chat.example.com".into()]).err();
        assert!(err.is_some_and(|e| e.starts_with("AUTOTASK_HTTP_ALLOWED_ORIGINS")));
        let err = AllowLists::new(&[], &["https://chat.example.com/path".into()]).err();
        assert!(err.is_some_and(|e| e.starts_with("AUTOTASK_HTTP_ALLOWED_ORIGINS")));
    }

    #[test]
    fn rmcp_lists_use_explicit_ports() {
        let l = lists(&["mcp.example.com:8443"], &["https://chat.example.com"]);
        let origins = l.rmcp_origins();
        assert!(origins.contains(&"https://chat.example.com:443".to_string()));
        assert!(origins.contains(&"http://[::1]:*".to_string()));
        let hosts = l.rmcp_hosts().unwrap_or_default();
        assert!(hosts.contains(&"mcp.example.com:8443".to_string()));
        assert!(hosts.contains(&"::1".to_string()));
    }
}
