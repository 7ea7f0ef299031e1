//! Signed-in people's Autotask resources: the user claim (an e-mail) is matched to the active
//! Resource with that e-mail, one per tenant, cached for `AUTOTASK_OAUTH_RESOURCE_TTL_SECS`
//! (a match and a miss alike; a failed lookup is not cached) and looked up once however many
//! calls ask at the same time. Writes act as the match; without exactly one active match they
//! are refused with the reason, and reads go on.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::autotask::{AutotaskClient, ReadIntent};

/// Most resources read for one e-mail.
const MAX_MATCHES: usize = 10;
/// Most people whose resource is remembered at once, per tenant.
const MAX_PEOPLE: u64 = 10_000;

/// What an e-mail matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The one active resource with this e-mail.
    Resource { id: i64, name: String },
    /// Why writes cannot act as this person.
    Problem(String),
}

/// The cache of one tenant.
#[derive(Clone)]
pub struct Technicians {
    cache: moka::future::Cache<String, Arc<Found>>,
}

impl std::fmt::Debug for Technicians {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Technicians")
            .field("people", &self.cache.entry_count())
            .finish()
    }
}

impl Technicians {
    pub fn new(ttl: Duration) -> Technicians {
        Technicians {
            cache: moka::future::Cache::builder()
                .max_capacity(MAX_PEOPLE)
                .time_to_live(ttl)
                .build(),
        }
    }

    /// The resource `user` acts as in the tenant of `client`, or why there is none.
    pub async fn resolve(&self, client: &AutotaskClient, user: &str) -> Found {
        let email = user.trim().to_lowercase();
        let looked_up = self
            .cache
            .try_get_with(email.clone(), async {
                look_up(client, &email).await.map(Arc::new)
            })
            .await;
        match looked_up {
            Ok(found) => (*found).clone(),
            Err(e) => Found::Problem(format!(
                "your Autotask resource could not be looked up ({e}), so your writes cannot be attributed to you; try again"
            )),
        }
    }
}

fn name_of(record: &Value) -> String {
    let part = |k: &str| {
        record
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    format!("{} {}", part("firstName"), part("lastName"))
        .trim()
        .to_string()
}

/// Reads the Resources with `email` and judges them.
async fn look_up(client: &AutotaskClient, email: &str) -> Result<Found, String> {
    let query = json!({
        "filter": [{"op": "eq", "field": "email", "value": email}],
        "includeFields": ["id", "email", "isActive", "firstName", "lastName"],
    });
    let found = client
        .query("Resources", &query, MAX_MATCHES, ReadIntent::Explicit)
        .await
        .map_err(|e| e.to_string())?;
    Ok(judge(email, &found.items))
}

/// The verdict on the resources an e-mail query returned (compared again here, case-blind).
pub fn judge(email: &str, records: &[Value]) -> Found {
    let same: Vec<&Value> = records
        .iter()
        .filter(|r| {
            r.get("email")
                .and_then(Value::as_str)
                .is_some_and(|e| e.trim().eq_ignore_ascii_case(email))
        })
        .collect();
    let active: Vec<&Value> = same
        .iter()
        .copied()
        .filter(|r| r.get("isActive").and_then(Value::as_bool) == Some(true))
        .collect();
    match active.as_slice() {
        [one] => match one.get("id").and_then(Value::as_i64) {
            Some(id) => Found::Resource {
                id,
                name: name_of(one),
            },
            None => Found::Problem("your Autotask resource has no id".into()),
        },
        [] if same.is_empty() => Found::Problem(format!(
            "no Autotask resource has the e-mail {email} you signed in with, so your writes cannot be attributed to you: ask an administrator to set it on your resource"
        )),
        [] => {
            let ids: Vec<String> = same
                .iter()
                .filter_map(|r| r.get("id").and_then(Value::as_i64))
                .map(|id| id.to_string())
                .collect();
            Found::Problem(format!(
                "the Autotask resource with the e-mail {email} you signed in with ({}) is inactive, so it cannot write: ask an administrator to activate it",
                ids.join(", ")
            ))
        }
        several => Found::Problem(format!(
            "{} active Autotask resources have the e-mail {email} you signed in with, so your writes cannot be attributed to one person: ask an administrator to keep the e-mail on one",
            several.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_ttl_of_zero_keeps_nothing() {
        let t = Technicians::new(Duration::ZERO);
        t.cache
            .insert("a@example.com".into(), Arc::new(Found::Problem("x".into())))
            .await;
        t.cache.run_pending_tasks().await;
        assert!(t.cache.get("a@example.com").await.is_none());
    }

    #[test]
    fn one_active_match_is_the_technician() {
        let records = [
            json!({"id": 7, "email": "Tech@Example.com", "isActive": true, "firstName": "Ann", "lastName": "Lee"}),
            json!({"id": 8, "email": "tech@example.com.evil", "isActive": true}),
        ];
        assert_eq!(
            judge("tech@example.com", &records),
            Found::Resource {
                id: 7,
                name: "Ann Lee".into()
            }
        );
    }

    #[test]
    fn no_match_an_inactive_one_or_several_are_problems_that_say_why() {
        let problem = |records: &[Value]| match judge("tech@example.com", records) {
            Found::Problem(p) => p,
            other => panic!("{other:?}"),
        };
        assert!(problem(&[]).starts_with("no Autotask resource has the e-mail tech@example.com"));
        assert!(
            problem(&[json!({"id": 9, "email": "tech@example.com", "isActive": false})])
                .contains("(9) is inactive")
        );
        let two = [
            json!({"id": 1, "email": "tech@example.com", "isActive": true}),
            json!({"id": 2, "email": "TECH@example.com", "isActive": true}),
        ];
        assert!(problem(&two).starts_with("2 active Autotask resources"));
    }
}
