//! Who may call the HTTP transport and for which tenant: the settings of signing in (an OAuth
//! 2.1 resource server: `AUTOTASK_OAUTH_*`) and of gateway mode (each request brings its
//! tenant's credentials: `AUTOTASK_GATEWAY*`). Both are HTTP only. Flags and variables land in
//! [`OAuthArgs`] and [`GatewayArgs`] (flattened into `ServeArgs`), and are validated here into
//! [`OAuthConfig`] and [`GatewayConfig`]; every error names the variable and the fix.

use std::time::Duration;

use clap::Args;

use super::basics::{ConfigError, Transport, csv, normalize_base_url};

/// Default of `AUTOTASK_OAUTH_USER_CLAIM`.
pub const DEFAULT_USER_CLAIM: &str = "email";
/// Default of `AUTOTASK_OAUTH_JWKS_REFETCH_SECS`.
pub const DEFAULT_JWKS_REFETCH_SECS: u64 = 60;
/// Default of `AUTOTASK_OAUTH_RESOURCE_TTL_SECS`.
pub const DEFAULT_RESOURCE_TTL_SECS: u64 = 300;
/// Default of `AUTOTASK_GATEWAY_MAX_TENANTS`.
pub const DEFAULT_MAX_TENANTS: u64 = 100;
/// Default of `AUTOTASK_GATEWAY_TENANT_IDLE_SECS`.
pub const DEFAULT_TENANT_IDLE_SECS: u64 = 900;

/// Flags of signing in (OAuth 2.1, HTTP only). Each has an environment variable.
#[derive(Debug, Clone, Args)]
pub struct OAuthArgs {
    /// The OAuth authorization server whose access tokens this server accepts (its `iss`);
    /// its metadata is found by RFC 8414 / OpenID discovery. Unset: no sign-in.
    #[arg(long, env = "AUTOTASK_OAUTH_ISSUER")]
    pub oauth_issuer: Option<String>,
    /// The value a token's `aud` must contain: this server's resource URI (RFC 8707), or the
    /// identifier your issuer puts there (Microsoft Entra: the API's application id).
    #[arg(long, env = "AUTOTASK_OAUTH_AUDIENCE")]
    pub oauth_audience: Option<String>,
    /// The URL clients reach this server at (`https://host/mcp`), published as the
    /// protected resource (RFC 9728). Default: AUTOTASK_OAUTH_AUDIENCE, when it is a URL.
    #[arg(long, env = "AUTOTASK_OAUTH_RESOURCE")]
    pub oauth_resource: Option<String>,
    /// The token claim naming the person (matched to an Autotask resource's e-mail).
    #[arg(long, env = "AUTOTASK_OAUTH_USER_CLAIM", default_value = DEFAULT_USER_CLAIM)]
    pub oauth_user_claim: String,
    /// Put before the scope names the server advertises (Microsoft Entra: `api://<app id>/`);
    /// tokens may carry the scopes with or without it.
    #[arg(long, env = "AUTOTASK_OAUTH_SCOPE_PREFIX", default_value = "")]
    pub oauth_scope_prefix: String,
    /// Fewest seconds between two fetches of the issuer's keys (a token with an unknown key
    /// id asks again at most this often).
    #[arg(long, env = "AUTOTASK_OAUTH_JWKS_REFETCH_SECS", default_value_t = DEFAULT_JWKS_REFETCH_SECS)]
    pub oauth_jwks_refetch_secs: u64,
    /// How long the Autotask resource found for a signed-in user is reused, in seconds.
    #[arg(long, env = "AUTOTASK_OAUTH_RESOURCE_TTL_SECS", default_value_t = DEFAULT_RESOURCE_TTL_SECS)]
    pub oauth_resource_ttl_secs: u64,
}

/// Flags of gateway mode (HTTP only). Each has an environment variable.
#[derive(Debug, Clone, Args)]
pub struct GatewayArgs {
    /// Serve many tenants: each request brings its tenant's credentials in the
    /// X-Autotask-Username, X-Autotask-Secret and X-Autotask-Integration-Code headers.
    #[arg(long, env = "AUTOTASK_GATEWAY", default_value_t = false, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub gateway: bool,
    /// Zone URLs besides Autotask's own hosts that X-Autotask-Api-Url may name,
    /// comma-separated.
    #[arg(long, env = "AUTOTASK_GATEWAY_ALLOWED_API_URLS", default_value = "")]
    pub gateway_allowed_api_urls: String,
    /// Tenants held at once; the least recently used is dropped first.
    #[arg(long, env = "AUTOTASK_GATEWAY_MAX_TENANTS", default_value_t = DEFAULT_MAX_TENANTS)]
    pub gateway_max_tenants: u64,
    /// A tenant without a request for this many seconds is dropped (its credentials with it).
    #[arg(long, env = "AUTOTASK_GATEWAY_TENANT_IDLE_SECS", default_value_t = DEFAULT_TENANT_IDLE_SECS)]
    pub gateway_tenant_idle_secs: u64,
}

/// Signing in: the validated `AUTOTASK_OAUTH_*` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthConfig {
    /// The issuer exactly as tokens and its metadata must name it.
    pub issuer: String,
    /// What a token's `aud` must contain.
    pub audience: String,
    /// This server's resource URI (an absolute URL), published in the protected-resource
    /// metadata; its origin and path give the metadata's own URL.
    pub resource: String,
    pub user_claim: String,
    pub scope_prefix: String,
    pub jwks_refetch_floor: Duration,
    pub resource_ttl: Duration,
    /// False in read-only mode: the write scope is not advertised.
    pub offer_write: bool,
}

/// Gateway mode: the validated `AUTOTASK_GATEWAY_*` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayConfig {
    /// Extra zone URLs X-Autotask-Api-Url may name, normalised to end in `/ATServicesRest/`.
    pub allowed_api_urls: Vec<String>,
    pub max_tenants: u64,
    pub tenant_idle: Duration,
}

/// True for `localhost` and loopback addresses (where plain http is acceptable: nothing
/// leaves the machine).
pub fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// An https URL (plain http only on loopback) without query or fragment.
fn secure_url(variable: &str, value: &str) -> Result<url::Url, ConfigError> {
    let url = url::Url::parse(value).map_err(|e| {
        ConfigError(format!(
            "{variable} is `{value}`, which is not a URL ({e}): use e.g. https://login.example.com/tenant"
        ))
    })?;
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && is_loopback_host(&url));
    if !scheme_ok || url.host().is_none() {
        return Err(ConfigError(format!(
            "{variable} is `{value}`: it must be an https:// URL (plain http only on localhost)"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ConfigError(format!(
            "{variable} is `{value}`: leave out the query and fragment"
        )));
    }
    Ok(url)
}

fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// Validates the sign-in settings: `None` when `AUTOTASK_OAUTH_ISSUER` is unset.
pub fn oauth_config(
    args: &OAuthArgs,
    transport: Transport,
    read_only: bool,
) -> Result<Option<OAuthConfig>, ConfigError> {
    let Some(issuer) = given(args.oauth_issuer.as_deref()) else {
        for (variable, value) in [
            ("AUTOTASK_OAUTH_AUDIENCE", &args.oauth_audience),
            ("AUTOTASK_OAUTH_RESOURCE", &args.oauth_resource),
        ] {
            if given(value.as_deref()).is_some() {
                return Err(ConfigError(format!(
                    "{variable} is set but AUTOTASK_OAUTH_ISSUER is not: set the issuer to turn signing in on, or unset {variable}"
                )));
            }
        }
        return Ok(None);
    };
    if transport != Transport::Http {
        return Err(ConfigError(
            "AUTOTASK_OAUTH_ISSUER applies to the HTTP transport only: set AUTOTASK_TRANSPORT=http, or unset it (a stdio server serves the local user alone)".into(),
        ));
    }
    secure_url("AUTOTASK_OAUTH_ISSUER", issuer)?;
    let audience = given(args.oauth_audience.as_deref()).ok_or_else(|| {
        ConfigError(
            "AUTOTASK_OAUTH_AUDIENCE is not set: set it to the value your issuer puts in the tokens' aud for this server (its resource URI, e.g. https://mcp.example.com/mcp)".into(),
        )
    })?;
    let resource = match given(args.oauth_resource.as_deref()) {
        Some(r) => secure_url("AUTOTASK_OAUTH_RESOURCE", r)?,
        None => secure_url("AUTOTASK_OAUTH_AUDIENCE", audience).map_err(|_| {
            ConfigError(format!(
                "AUTOTASK_OAUTH_RESOURCE is not set and AUTOTASK_OAUTH_AUDIENCE (`{audience}`) is not an https URL: set AUTOTASK_OAUTH_RESOURCE to the URL clients reach this server at, e.g. https://mcp.example.com/mcp"
            ))
        })?,
    };
    let user_claim = args.oauth_user_claim.trim();
    if user_claim.is_empty() {
        return Err(ConfigError(format!(
            "AUTOTASK_OAUTH_USER_CLAIM is blank: name the token claim holding the user's e-mail (default {DEFAULT_USER_CLAIM})"
        )));
    }
    let scope_prefix = args.oauth_scope_prefix.trim();
    if scope_prefix.chars().any(|c| c.is_whitespace() || c == '"') {
        return Err(ConfigError(format!(
            "AUTOTASK_OAUTH_SCOPE_PREFIX is `{scope_prefix}`: it cannot contain spaces or quotes (e.g. api://11112222-3333-4444-5555-666677778888/)"
        )));
    }
    if args.oauth_jwks_refetch_secs > 3_600 {
        return Err(ConfigError(format!(
            "AUTOTASK_OAUTH_JWKS_REFETCH_SECS is {}: use 0 to 3600 (default {DEFAULT_JWKS_REFETCH_SECS}); the issuer's new keys would be refused for that long",
            args.oauth_jwks_refetch_secs
        )));
    }
    if args.oauth_resource_ttl_secs > 86_400 {
        return Err(ConfigError(format!(
            "AUTOTASK_OAUTH_RESOURCE_TTL_SECS is {}: use 0 to 86400 (default {DEFAULT_RESOURCE_TTL_SECS}); a deactivated technician could write for that long",
            args.oauth_resource_ttl_secs
        )));
    }
    Ok(Some(OAuthConfig {
        issuer: issuer.to_string(),
        audience: audience.to_string(),
        resource: resource.to_string(),
        user_claim: user_claim.to_string(),
        scope_prefix: scope_prefix.to_string(),
        jwks_refetch_floor: Duration::from_secs(args.oauth_jwks_refetch_secs),
        resource_ttl: Duration::from_secs(args.oauth_resource_ttl_secs),
        offer_write: !read_only,
    }))
}

/// What gateway mode cannot be combined with, as (variable, is set).
pub struct Exclusive<'a> {
    pub sandbox: bool,
    pub credentials: [(&'static str, Option<&'a str>); 3],
    pub api_url: Option<&'a str>,
    pub impersonation_resource_id: Option<&'a str>,
}

/// Validates the gateway settings: `None` unless `AUTOTASK_GATEWAY` is true.
pub fn gateway_config(
    args: &GatewayArgs,
    transport: Transport,
    exclusive: &Exclusive<'_>,
) -> Result<Option<GatewayConfig>, ConfigError> {
    if !args.gateway {
        if !args.gateway_allowed_api_urls.trim().is_empty() {
            return Err(ConfigError(
                "AUTOTASK_GATEWAY_ALLOWED_API_URLS is set but AUTOTASK_GATEWAY is not true: set AUTOTASK_GATEWAY=true, or unset the list".into(),
            ));
        }
        return Ok(None);
    }
    if transport != Transport::Http {
        return Err(ConfigError(
            "AUTOTASK_GATEWAY works over HTTP only: set AUTOTASK_TRANSPORT=http".into(),
        ));
    }
    if exclusive.sandbox {
        return Err(ConfigError(
            "AUTOTASK_GATEWAY cannot be combined with AUTOTASK_SANDBOX: in gateway mode each request names its tenant (a sandbox's URL can be listed in AUTOTASK_GATEWAY_ALLOWED_API_URLS)".into(),
        ));
    }
    for (variable, value) in exclusive.credentials {
        if given(value).is_some() {
            return Err(ConfigError(format!(
                "{variable} is set, but AUTOTASK_GATEWAY=true takes each tenant's credentials from the request (X-Autotask-* headers): unset {variable}"
            )));
        }
    }
    for (variable, value) in [
        ("AUTOTASK_API_URL", exclusive.api_url),
        (
            "AUTOTASK_IMPERSONATION_RESOURCE_ID",
            exclusive.impersonation_resource_id,
        ),
    ] {
        if given(value).is_some() {
            return Err(ConfigError(format!(
                "{variable} is set, but in gateway mode it would apply to every tenant: unset it (a request names its zone in X-Autotask-Api-Url)"
            )));
        }
    }
    let allowed_api_urls = csv(&args.gateway_allowed_api_urls)
        .iter()
        .map(|u| {
            normalize_base_url(u)
                .map_err(|e| ConfigError(format!("AUTOTASK_GATEWAY_ALLOWED_API_URLS: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if args.gateway_max_tenants == 0 {
        return Err(ConfigError(format!(
            "AUTOTASK_GATEWAY_MAX_TENANTS is 0, so no tenant could be served: use at least 1 (default {DEFAULT_MAX_TENANTS})"
        )));
    }
    if args.gateway_tenant_idle_secs == 0 {
        return Err(ConfigError(format!(
            "AUTOTASK_GATEWAY_TENANT_IDLE_SECS is 0: use at least 1 (seconds a tenant without requests is kept; default {DEFAULT_TENANT_IDLE_SECS})"
        )));
    }
    Ok(Some(GatewayConfig {
        allowed_api_urls,
        max_tenants: args.gateway_max_tenants,
        tenant_idle: Duration::from_secs(args.gateway_tenant_idle_secs),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oauth(issuer: Option<&str>, audience: Option<&str>) -> OAuthArgs {
        OAuthArgs {
            oauth_issuer: issuer.map(str::to_string),
            oauth_audience: audience.map(str::to_string),
            oauth_resource: None,
            oauth_user_claim: DEFAULT_USER_CLAIM.into(),
            oauth_scope_prefix: String::new(),
            oauth_jwks_refetch_secs: DEFAULT_JWKS_REFETCH_SECS,
            oauth_resource_ttl_secs: DEFAULT_RESOURCE_TTL_SECS,
        }
    }

    fn err_of<T: std::fmt::Debug>(r: Result<T, ConfigError>) -> String {
        match r {
            Ok(v) => panic!("expected an error, got {v:?}"),
            Err(e) => e.0,
        }
    }

    #[test]
    fn oauth_is_off_without_an_issuer_and_names_stray_variables() {
        assert_eq!(
            oauth_config(&oauth(None, None), Transport::Http, false),
            Ok(None)
        );
        let err = err_of(oauth_config(
            &oauth(None, Some("https://mcp.example.com/mcp")),
            Transport::Http,
            false,
        ));
        assert!(err.starts_with("AUTOTASK_OAUTH_AUDIENCE is set but AUTOTASK_OAUTH_ISSUER"));
    }

    #[test]
    fn a_full_oauth_configuration() {
        let c = oauth_config(
            &oauth(
                Some("https://login.example.com/t1/v2.0"),
                Some("https://mcp.example.com/mcp"),
            ),
            Transport::Http,
            true,
        );
        let c = match c {
            Ok(Some(c)) => c,
            other => panic!("{other:?}"),
        };
        assert_eq!(c.resource, "https://mcp.example.com/mcp");
        assert_eq!(c.user_claim, "email");
        assert!(!c.offer_write);
    }

    #[test]
    fn oauth_errors_name_the_variable() {
        let issuer = Some("https://login.example.com/t1/v2.0");
        let cases: Vec<(OAuthArgs, Transport, &str)> = vec![
            (
                oauth(issuer, Some("https://mcp.example.com/mcp")),
                Transport::Stdio,
                "AUTOTASK_OAUTH_ISSUER applies to the HTTP transport only",
            ),
            (
                oauth(Some("http://login.example.com/"), Some("x")),
                Transport::Http,
                "AUTOTASK_OAUTH_ISSUER is `http://login.example.com/`: it must be an https:// URL",
            ),
            (
                oauth(Some("not a url"), Some("x")),
                Transport::Http,
                "AUTOTASK_OAUTH_ISSUER is `not a url`, which is not a URL",
            ),
            (
                oauth(issuer, None),
                Transport::Http,
                "AUTOTASK_OAUTH_AUDIENCE is not set",
            ),
            (
                oauth(issuer, Some("11112222-3333-4444-5555-666677778888")),
                Transport::Http,
                "AUTOTASK_OAUTH_RESOURCE is not set and AUTOTASK_OAUTH_AUDIENCE",
            ),
        ];
        for (args, transport, expected) in cases {
            let err = err_of(oauth_config(&args, transport, false));
            assert!(err.starts_with(expected), "{err}");
        }
        let mut args = oauth(issuer, Some("https://mcp.example.com/mcp"));
        args.oauth_user_claim = " ".into();
        assert!(
            err_of(oauth_config(&args, Transport::Http, false))
                .starts_with("AUTOTASK_OAUTH_USER_CLAIM is blank")
        );
        args.oauth_user_claim = "email".into();
        args.oauth_jwks_refetch_secs = 7_200;
        assert!(
            err_of(oauth_config(&args, Transport::Http, false))
                .starts_with("AUTOTASK_OAUTH_JWKS_REFETCH_SECS is 7200")
        );
    }

    #[test]
    fn loopback_issuers_may_use_plain_http() {
        for issuer in [
            "http://127.0.0.1:8080",
            "http://localhost:9/x",
            "http://[::1]:1",
        ] {
            let c = oauth_config(
                &oauth(Some(issuer), Some("http://127.0.0.1:3000/mcp")),
                Transport::Http,
                false,
            );
            assert!(matches!(c, Ok(Some(_))), "{issuer}: {c:?}");
        }
    }

    fn gateway(on: bool, urls: &str) -> GatewayArgs {
        GatewayArgs {
            gateway: on,
            gateway_allowed_api_urls: urls.into(),
            gateway_max_tenants: DEFAULT_MAX_TENANTS,
            gateway_tenant_idle_secs: DEFAULT_TENANT_IDLE_SECS,
        }
    }

    fn nothing_else() -> Exclusive<'static> {
        Exclusive {
            sandbox: false,
            credentials: [
                ("AUTOTASK_USERNAME", None),
                ("AUTOTASK_SECRET", None),
                ("AUTOTASK_INTEGRATION_CODE", None),
            ],
            api_url: None,
            impersonation_resource_id: None,
        }
    }

    #[test]
    fn gateway_settings_are_checked() {
        assert_eq!(
            gateway_config(&gateway(false, ""), Transport::Http, &nothing_else()),
            Ok(None)
        );
        let c = gateway_config(
            &gateway(
                true,
                "http://127.0.0.1:9/ATServicesRest, https://x.example/atservicesrest/v1.0",
            ),
            Transport::Http,
            &nothing_else(),
        );
        match c {
            Ok(Some(c)) => assert_eq!(
                c.allowed_api_urls,
                [
                    "http://127.0.0.1:9/ATServicesRest/",
                    "https://x.example/atservicesrest/"
                ]
            ),
            other => panic!("{other:?}"),
        }
        let err = err_of(gateway_config(
            &gateway(false, "http://127.0.0.1:9/"),
            Transport::Http,
            &nothing_else(),
        ));
        assert!(err.starts_with("AUTOTASK_GATEWAY_ALLOWED_API_URLS is set but"));
        let err = err_of(gateway_config(
            &gateway(true, ""),
            Transport::Stdio,
            &nothing_else(),
        ));
        assert!(err.starts_with("AUTOTASK_GATEWAY works over HTTP only"));
        let mut with_secret = nothing_else();
        with_secret.credentials[1].1 = Some("s3cret");
        let err = err_of(gateway_config(
            &gateway(true, ""),
            Transport::Http,
            &with_secret,
        ));
        assert!(err.starts_with("AUTOTASK_SECRET is set, but AUTOTASK_GATEWAY=true"));
        assert!(!err.contains("s3cret"));
        let mut sandbox = nothing_else();
        sandbox.sandbox = true;
        assert!(
            err_of(gateway_config(
                &gateway(true, ""),
                Transport::Http,
                &sandbox
            ))
            .starts_with("AUTOTASK_GATEWAY cannot be combined with AUTOTASK_SANDBOX")
        );
        let mut zero = gateway(true, "");
        zero.gateway_max_tenants = 0;
        assert!(
            err_of(gateway_config(&zero, Transport::Http, &nothing_else()))
                .starts_with("AUTOTASK_GATEWAY_MAX_TENANTS is 0")
        );
    }
}
