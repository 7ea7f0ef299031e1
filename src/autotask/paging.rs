//! Paging: Autotask answers at most 500 rows per page with an absolute
//! `pageDetails.nextPageUrl`. The client follows it (a POST query continues by POST with the
//! same body, a child list by GET) until the caller's cap on rows, refusing any URL whose
//! origin differs from the zone base (credentials must not travel there) and stopping on a
//! page loop.

use std::collections::HashSet;
use std::future::Future;

use serde_json::Value;

use super::error::AutotaskError;

/// Autotask's largest page.
pub const MAX_PAGE_SIZE: usize = 500;

/// Rows of a query or child list, collected over pages.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    pub items: Vec<Value>,
    /// True when more rows exist past the caller's cap.
    pub has_more: bool,
}

/// One page: its rows and the next page's URL, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub items: Vec<Value>,
    pub next: Option<String>,
}

/// Reads `{items, pageDetails:{nextPageUrl}}`.
pub fn split_page(page: Value) -> Result<Page, AutotaskError> {
    let Value::Object(mut page) = page else {
        return Err(AutotaskError::InvalidResponse {
            reason: "a page answer is not a JSON object".into(),
        });
    };
    let next = page
        .get("pageDetails")
        .and_then(|p| p.get("nextPageUrl"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let items = match page.remove("items") {
        Some(Value::Array(items)) => items,
        _ => {
            return Err(AutotaskError::InvalidResponse {
                reason: "a page answer has no items array".into(),
            });
        }
    };
    Ok(Page { items, next })
}

/// The query body to send: the caller's, with `maxRecords` set to what the cap needs (at most
/// 500) when the caller did not set it, so a request for 10 rows does not fetch 500.
pub fn page_body(query: &Value, max_total: usize) -> Value {
    let mut body = query.clone();
    if let Value::Object(map) = &mut body
        && !map.keys().any(|k| k.eq_ignore_ascii_case("maxRecords"))
    {
        let size = max_total.clamp(1, MAX_PAGE_SIZE);
        map.insert("maxRecords".into(), Value::from(size));
    }
    body
}

/// Refuses `next` unless its origin (scheme, host, port) is the zone base's.
pub fn check_same_origin(next: &str, zone_base: &str) -> Result<(), AutotaskError> {
    let origin = |u: &str| url::Url::parse(u).ok().map(|u| u.origin());
    match (origin(next), origin(zone_base)) {
        (Some(a), Some(b)) if a.is_tuple() && a == b => Ok(()),
        _ => Err(AutotaskError::Refused {
            reason: format!(
                "Autotask's nextPageUrl points to {}, not to the tenant's zone ({}); credentials are not sent there, so paging stopped",
                describe_origin(next),
                describe_origin(zone_base)
            ),
        }),
    }
}

/// `scheme://host:port` of a URL, without its path or query (which may carry data).
fn describe_origin(u: &str) -> String {
    match url::Url::parse(u) {
        Ok(parsed) => parsed.origin().ascii_serialization(),
        Err(_) => "an unparsable URL".into(),
    }
}

/// Collects rows from `first_page` on. `fetch(url)` fetches a later page; `zone_base` is the
/// origin `nextPageUrl` must keep. Stops at `max_total` rows (`has_more` says whether more
/// exist).
pub async fn collect<F, Fut>(
    first_page: Value,
    zone_base: &str,
    max_total: usize,
    mut fetch: F,
) -> Result<QueryResult, AutotaskError>
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = Result<Value, AutotaskError>>,
{
    let mut items: Vec<Value> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut answer = first_page;
    loop {
        let page = split_page(answer)?;
        let page_was_empty = page.items.is_empty();
        items.extend(page.items);
        super::scope::rows_collected(items.len().min(max_total));
        let Some(next) = page.next else {
            let has_more = items.len() > max_total;
            items.truncate(max_total);
            return Ok(QueryResult { items, has_more });
        };
        if items.len() >= max_total {
            items.truncate(max_total);
            return Ok(QueryResult {
                items,
                has_more: true,
            });
        }
        if page_was_empty || seen.contains(&next) {
            return Err(AutotaskError::InvalidResponse {
                reason: format!(
                    "paging does not advance (an empty page or a repeated nextPageUrl after {} rows)",
                    items.len()
                ),
            });
        }
        check_same_origin(&next, zone_base)?;
        seen.insert(next.clone());
        answer = fetch(next).await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::{Arc, Mutex};

    const ZONE: &str = "https://webservices5.autotask.net/ATServicesRest/";

    #[test]
    fn origin_check_accepts_the_zone_and_refuses_the_rest() {
        let ok =
            "https://webservices5.autotask.net/ATServicesRest/V1.0/Tickets/query/next?paging=x";
        assert!(check_same_origin(ok, ZONE).is_ok());
        assert!(
            check_same_origin(
                "https://WEBSERVICES5.autotask.net/atservicesrest/v1.0/x",
                ZONE
            )
            .is_ok()
        );
        for bad in [
            "https://evil.example.com/ATServicesRest/V1.0/Tickets/query/next",
            "http://webservices5.autotask.net/ATServicesRest/V1.0/x",
            "https://webservices5.autotask.net:8443/ATServicesRest/V1.0/x",
            "https://webservices5.autotask.net.evil.com/ATServicesRest/V1.0/x",
            "https://webservices5.autotask.net@evil.com/ATServicesRest/V1.0/x",
            "/ATServicesRest/V1.0/x",
            "javascript:alert(1)",
        ] {
            let err = check_same_origin(bad, ZONE).unwrap_err();
            assert!(matches!(err, AutotaskError::Refused { .. }), "{bad}");
            assert!(
                !err.to_string().contains("/V1.0/"),
                "no path or query in {err}"
            );
        }
    }

    #[test]
    fn page_body_sets_max_records_only_when_missing() {
        assert_eq!(page_body(&json!({"filter": []}), 10)["maxRecords"], 10);
        assert_eq!(page_body(&json!({"filter": []}), 5000)["maxRecords"], 500);
        assert_eq!(page_body(&json!({"filter": []}), 0)["maxRecords"], 1);
        let kept = page_body(&json!({"MaxRecords": 7}), 100);
        assert_eq!(kept, json!({"MaxRecords": 7}));
    }

    #[test]
    fn split_page_reads_items_and_next() {
        let p = split_page(json!({"items": [{"id": 1}], "pageDetails": {"nextPageUrl": null}}))
            .unwrap();
        assert_eq!(p.items.len(), 1);
        assert!(p.next.is_none());
        assert!(split_page(json!({"item": null})).is_err());
        assert!(split_page(json!([1])).is_err());
    }

    fn pages(n: usize, per: usize) -> Vec<Value> {
        (0..n)
            .map(|p| {
                let items: Vec<Value> = (0..per).map(|i| json!({"id": p * per + i})).collect();
                let next =
                    (p + 1 < n).then(|| format!("{ZONE}V1.0/Tickets/query/next?paging={}", p + 1));
                json!({"items": items, "pageDetails": {"nextPageUrl": next}})
            })
            .collect()
    }

    async fn run(all: Vec<Value>, cap: usize) -> (Result<QueryResult, AutotaskError>, Vec<String>) {
        let urls = Arc::new(Mutex::new(Vec::new()));
        let log = urls.clone();
        let first = all[0].clone();
        let result = collect(first, ZONE, cap, move |url| {
            let log = log.clone();
            let all = all.clone();
            async move {
                let mut log = log.lock().unwrap();
                log.push(url);
                Ok(all[log.len()].clone())
            }
        })
        .await;
        let urls = urls.lock().unwrap().clone();
        (result, urls)
    }

    #[tokio::test]
    async fn collects_every_page_up_to_the_cap() {
        let (r, urls) = run(pages(3, 4), 100).await;
        let r = r.unwrap();
        assert_eq!(r.items.len(), 12);
        assert!(!r.has_more);
        assert_eq!(urls.len(), 2, "two pages after the first");
        assert!(urls[0].ends_with("paging=1") && urls[1].ends_with("paging=2"));
        let (r, urls) = run(pages(3, 4), 6).await;
        let r = r.unwrap();
        assert_eq!(r.items.len(), 6);
        assert!(r.has_more);
        assert_eq!(urls.len(), 1, "stops fetching once the cap is reached");
        let (r, _) = run(pages(3, 4), 12).await;
        assert!(!r.unwrap().has_more);
    }

    #[tokio::test]
    async fn refuses_a_foreign_next_page_and_a_loop() {
        let foreign = vec![
            json!({"items": [{"id": 1}], "pageDetails": {"nextPageUrl": "https://evil.example.com/ATServicesRest/V1.0/Tickets/query/next?paging=1"}}),
        ];
        let (r, urls) = run(foreign, 100).await;
        assert!(matches!(r, Err(AutotaskError::Refused { .. })));
        assert!(urls.is_empty(), "the foreign URL is never fetched");
        let same = format!("{ZONE}V1.0/Tickets/query/next?paging=1");
        let looping = vec![
            json!({"items": [{"id": 1}], "pageDetails": {"nextPageUrl": same}}),
            json!({"items": [{"id": 2}], "pageDetails": {"nextPageUrl": same}}),
        ];
        let (r, _) = run(looping, 100).await;
        assert!(matches!(r, Err(AutotaskError::InvalidResponse { .. })));
    }
}
