//! `codegen refresh`: reads `entityInformation` and `entityInformation/fields` for every entity
//! of the snapshot from a tenant, at most 3 requests in flight, with a progress bar on stderr.
//! Routes are kept from the snapshot (the live endpoints do not report them); picklist values
//! are dropped (they are tenant data).

use std::time::Duration;

use codegen::model::{EntityInfo, EntitySnapshot, FieldInfo};
use futures::StreamExt;
use serde::Deserialize;

#[derive(clap::Args)]
pub struct RefreshArgs {
    /// Requests in flight at once (Autotask allows 3 per endpoint and integration).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=3))]
    concurrency: u8,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 30)]
    timeout_secs: u64,
}

struct Credentials {
    username: String,
    secret: String,
    integration_code: String,
}

fn env_required(name: &str) -> Result<String, String> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
        _ => Err(format!(
            "{name} is not set: export it (the same variable the server reads)"
        )),
    }
}

/// `https://host/ATServicesRest/` from any of `…/ATServicesRest`, `…/ATServicesRest/`,
/// `…/ATServicesRest/V1.0[/]`.
fn normalize_base(url: &str) -> String {
    let mut base = url.trim().trim_end_matches('/').to_string();
    if base.to_ascii_lowercase().ends_with("/v1.0") {
        base.truncate(base.len() - "/v1.0".len());
    }
    format!("{base}/")
}

#[derive(Deserialize)]
struct Zone {
    url: String,
}
#[derive(Deserialize)]
struct InfoBody {
    info: EntityInfo,
}
#[derive(Deserialize)]
struct FieldsBody {
    fields: Vec<FieldInfo>,
}

pub async fn refresh(
    args: &RefreshArgs,
    existing: &[EntitySnapshot],
) -> Result<Vec<EntitySnapshot>, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let creds = Credentials {
        username: env_required("AUTOTASK_USERNAME")?,
        secret: env_required("AUTOTASK_SECRET")?,
        integration_code: env_required("AUTOTASK_INTEGRATION_CODE")?,
    };
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(args.timeout_secs))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let base = match std::env::var("AUTOTASK_API_URL") {
        Ok(url) if !url.trim().is_empty() => normalize_base(&url),
        _ => {
            let lookup = std::env::var("AUTOTASK_ZONE_LOOKUP_URL")
                .ok()
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| "https://webservices.autotask.net/ATServicesRest/".into());
            let url = format!("{}V1.0/zoneInformation", normalize_base(&lookup));
            let resp = http
                .get(&url)
                .query(&[("user", creds.username.as_str())])
                .send()
                .await
                .map_err(|e| format!("zone lookup at {url} failed: {}", e.without_url()))?;
            let status = resp.status();
            if !status.is_success() {
                return Err(format!(
                    "zone lookup at {url} answered {status}: check AUTOTASK_USERNAME, or pin the zone with AUTOTASK_API_URL"
                ));
            }
            let zone: Zone = resp
                .json()
                .await
                .map_err(|e| format!("zone lookup at {url} gave an unreadable answer: {e}"))?;
            normalize_base(&zone.url)
        }
    };
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(existing.len() as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_message("entityInformation");
    let results: Vec<Result<EntitySnapshot, String>> = futures::stream::iter(existing.iter())
        .map(|entity| {
            let (http, creds, base, bar) = (&http, &creds, &base, &bar);
            async move {
                let result = fetch_entity(http, creds, base, entity).await;
                bar.inc(1);
                result
            }
        })
        .buffered(usize::from(args.concurrency))
        .collect()
        .await;
    bar.finish_and_clear();
    results.into_iter().collect()
}

async fn fetch_entity(
    http: &reqwest::Client,
    creds: &Credentials,
    base: &str,
    entity: &EntitySnapshot,
) -> Result<EntitySnapshot, String> {
    // Entities without root routes answer their metadata under a parent route.
    let prefix = if entity.routes.root.is_empty() {
        match entity.routes.parents.first() {
            Some(p) => format!("{}/0/{}", p.parent, p.segment),
            None => entity.name.clone(),
        }
    } else {
        entity.name.clone()
    };
    let info: InfoBody = get_json(
        http,
        creds,
        &format!("{base}V1.0/{prefix}/entityInformation"),
    )
    .await?;
    let fields: FieldsBody = get_json(
        http,
        creds,
        &format!("{base}V1.0/{prefix}/entityInformation/fields"),
    )
    .await?;
    let fields = fields
        .fields
        .into_iter()
        .map(|mut f| {
            f.picklist_values = None;
            f
        })
        .collect();
    Ok(EntitySnapshot {
        name: entity.name.clone(),
        info: info.info,
        fields,
        routes: entity.routes.clone(),
    })
}

async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    creds: &Credentials,
    url: &str,
) -> Result<T, String> {
    let resp = http
        .get(url)
        .header("ApiIntegrationCode", &creds.integration_code)
        .header("UserName", &creds.username)
        .header("Secret", &creds.secret)
        .send()
        .await
        .map_err(|e| format!("GET {url} failed: {}", e.without_url()))?;
    let status = resp.status();
    let text = resp
        .text()
        .await
        .map_err(|e| format!("GET {url}: reading the answer failed: {}", e.without_url()))?;
    if !status.is_success() {
        let hint = match status.as_u16() {
            401 => " (wrong AUTOTASK_SECRET, or the tenant moved zone)",
            500 => " (unknown AUTOTASK_USERNAME or AUTOTASK_INTEGRATION_CODE, or an API error)",
            _ => "",
        };
        let body = redact(&text, creds);
        return Err(format!(
            "GET {url} answered {status}{hint}: {}",
            truncate(&body, 300)
        ));
    }
    serde_json::from_str(&text).map_err(|e| format!("GET {url}: unexpected answer: {e}"))
}

fn redact(text: &str, creds: &Credentials) -> String {
    let mut out = text.to_string();
    for s in [&creds.secret, &creds.username, &creds.integration_code] {
        if !s.is_empty() {
            out = out.replace(s.as_str(), "[redacted]");
        }
    }
    out
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}
