//! Path resolution: what an `/ATServicesRest/…` path addresses (case-insensitively, against
//! the registry: every root and parent-scoped route it lists, and nothing else), the methods
//! that path allows, and the query-string parameters. Pure functions of the path, shared by
//! the request pipeline (`routes`) and the handlers, which depend on this module and not on
//! each other's.

use std::collections::HashMap;
use std::sync::OnceLock;

use http::Method;

use crate::registry::{self, EntityDef, ParentRoute};

/// What a path addresses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Endpoint {
    /// `GET /ATServicesRest/VersionInformation` (no auth).
    VersionInformation,
    /// `GET /V1.0/zoneInformation?user=` (no auth, no thread limit).
    ZoneInformation,
    Version,
    ThresholdInformation,
    /// `GET /V1.0/EntityInformation`: every entity's `info`.
    EntityDescriptions,
    Modules,
    Entity(EntityRoute),
}

/// A route of one entity, at the root or under a parent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EntityRoute {
    pub entity: &'static EntityDef,
    /// The parent route and the parent id in the URL.
    pub parent: Option<(&'static ParentRoute, i64)>,
    pub op: Op,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Info,
    Fields,
    UdfFields,
    Query,
    QueryNext,
    Count,
    /// `/{E}` or `/{P}/{id}/{S}`: create, update, (child) list.
    Collection,
    /// `/{E}/{id}` or `/{P}/{pid}/{S}/{id}`: get, delete.
    Item(i64),
}

impl Endpoint {
    /// The thread-limit and in-flight key; `None` for the exempt endpoints.
    pub fn thread_key(&self) -> Option<&'static str> {
        match self {
            Endpoint::VersionInformation | Endpoint::ZoneInformation => None,
            Endpoint::Version => Some("Version"),
            Endpoint::ThresholdInformation => Some("ThresholdInformation"),
            Endpoint::EntityDescriptions => Some("EntityInformation"),
            Endpoint::Modules => Some("Modules"),
            Endpoint::Entity(r) => Some(r.entity.name),
        }
    }
}

/// A resolved path and the methods it supports.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub endpoint: Endpoint,
    pub allowed: Vec<Method>,
}

struct Index {
    roots: HashMap<String, &'static EntityDef>,
    children: HashMap<(String, String), (&'static EntityDef, &'static ParentRoute)>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut roots = HashMap::new();
        let mut children = HashMap::new();
        for entity in registry::entities() {
            if !entity.root.is_empty() {
                roots.insert(entity.name.to_ascii_lowercase(), entity);
            }
            for route in entity.parents {
                children.insert(
                    (
                        route.parent.to_ascii_lowercase(),
                        route.segment.to_ascii_lowercase(),
                    ),
                    (entity, route),
                );
            }
        }
        Index { roots, children }
    })
}

fn methods(pairs: &[(bool, Method)]) -> Vec<Method> {
    pairs
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, m)| m.clone())
        .collect()
}

fn metadata(rest: &[String]) -> Option<Op> {
    match rest {
        [a] if a == "entityinformation" => Some(Op::Info),
        [a, b] if a == "entityinformation" && b == "fields" => Some(Op::Fields),
        [a, b] if a == "entityinformation" && b == "userdefinedfields" => Some(Op::UdfFields),
        _ => None,
    }
}

/// Resolves a path (any casing). `has_search` tells whether the query string carries `search`
/// (a `/query/next` without it continues a POST query, so GET is not allowed there).
/// `None` when no route matches (404).
pub fn resolve(path: &str, has_search: bool) -> Option<Resolved> {
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let get = || vec![Method::GET];
    let (first, rest) = segs.split_first()?;
    if first != "atservicesrest" {
        return None;
    }
    let (version, rest) = rest.split_first()?;
    if version == "versioninformation" && rest.is_empty() {
        return Some(Resolved {
            endpoint: Endpoint::VersionInformation,
            allowed: get(),
        });
    }
    if version != "v1.0" {
        return None;
    }
    let simple = match rest {
        [a] if a == "zoneinformation" => Some(Endpoint::ZoneInformation),
        [a] if a == "version" => Some(Endpoint::Version),
        [a] if a == "thresholdinformation" => Some(Endpoint::ThresholdInformation),
        [a] if a == "entityinformation" => Some(Endpoint::EntityDescriptions),
        [a] if a == "modules" => Some(Endpoint::Modules),
        _ => None,
    };
    if let Some(endpoint) = simple {
        return Some(Resolved {
            endpoint,
            allowed: get(),
        });
    }
    let idx = index();
    // Parent-scoped routes: /{P}/{pid}/{S}[/...]
    if let [parent, pid, segment, tail @ ..] = rest
        && let Ok(pid) = pid.parse::<i64>()
        && let Some((entity, route)) = idx.children.get(&(parent.clone(), segment.clone()))
    {
        let (op, allowed) = match tail {
            [] => (
                Op::Collection,
                methods(&[
                    (route.list, Method::GET),
                    (route.create, Method::POST),
                    (route.patch, Method::PATCH),
                    (route.put, Method::PUT),
                ]),
            ),
            [id] if id.parse::<i64>().is_ok() => {
                let id = id.parse::<i64>().ok()?;
                (
                    Op::Item(id),
                    methods(&[(route.get, Method::GET), (route.delete, Method::DELETE)]),
                )
            }
            other => (metadata(other)?, get()),
        };
        if allowed.is_empty() {
            return None;
        }
        return Some(Resolved {
            endpoint: Endpoint::Entity(EntityRoute {
                entity,
                parent: Some((route, pid)),
                op,
            }),
            allowed,
        });
    }
    let (name, tail) = rest.split_first()?;
    let entity = *idx.roots.get(name)?;
    let root = entity.root;
    let both = |on: bool| methods(&[(on, Method::GET), (on, Method::POST)]);
    let (op, allowed) = match tail {
        [] => (
            Op::Collection,
            methods(&[
                (root.create, Method::POST),
                (root.patch, Method::PATCH),
                (root.put, Method::PUT),
            ]),
        ),
        [q] if q == "query" => (Op::Query, both(root.query)),
        [q, n] if q == "query" && n == "next" => (
            Op::QueryNext,
            methods(&[
                (root.query && has_search, Method::GET),
                (root.query, Method::POST),
            ]),
        ),
        [q, c] if q == "query" && c == "count" => (Op::Count, both(root.count)),
        [id] if id.parse::<i64>().is_ok() => (
            Op::Item(id.parse::<i64>().ok()?),
            methods(&[(root.get, Method::GET), (root.delete, Method::DELETE)]),
        ),
        other => (metadata(other)?, get()),
    };
    if allowed.is_empty() {
        return None;
    }
    Some(Resolved {
        endpoint: Endpoint::Entity(EntityRoute {
            entity,
            parent: None,
            op,
        }),
        allowed,
    })
}

/// The query string as (lower-case key → value), first occurrence wins.
pub fn params(query: Option<&str>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    if let Some(q) = query {
        for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
            out.entry(k.to_ascii_lowercase())
                .or_insert_with(|| v.into_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(path: &str) -> Option<(Op, Vec<Method>)> {
        resolve(path, false).and_then(|r| match r.endpoint {
            Endpoint::Entity(e) => Some((e.op, r.allowed)),
            _ => None,
        })
    }

    #[test]
    fn paths_are_case_insensitive_and_follow_the_registry() {
        assert_eq!(
            op("/ATServicesRest/V1.0/Tickets/query").map(|o| o.0),
            Some(Op::Query)
        );
        assert_eq!(
            op("/atservicesrest/v1.0/tickets/QUERY/count").map(|o| o.0),
            Some(Op::Count)
        );
        assert_eq!(
            op("/atservicesrest/v1.0/tickets/entityinformation/fields").map(|o| o.0),
            Some(Op::Fields)
        );
        assert_eq!(
            op("/ATServicesRest/V1.0/Tickets/5/Notes").map(|o| o.1),
            Some(vec![Method::GET, Method::POST, Method::PATCH, Method::PUT])
        );
        // Tickets cannot be deleted; TimeEntries can.
        assert_eq!(
            op("/ATServicesRest/V1.0/Tickets/5").map(|o| o.1),
            Some(vec![Method::GET])
        );
        assert_eq!(
            op("/ATServicesRest/V1.0/TimeEntries/5").map(|o| o.1),
            Some(vec![Method::GET, Method::DELETE])
        );
        // Child entities have no root writes: POST /TicketNotes is a 404.
        assert_eq!(op("/ATServicesRest/V1.0/TicketNotes"), None);
        assert_eq!(op("/ATServicesRest/V1.0/Tickets/5/TimeEntries"), None);
        assert_eq!(
            op("/ATServicesRest/V1.0/Tickets/0/Notes/entityInformation/fields").map(|o| o.0),
            Some(Op::Fields)
        );
        assert_eq!(op("/ATServicesRest/V1.0/Nope/query"), None);
        assert_eq!(op("/ATServicesRest/V2.0/Tickets/query"), None);
        // A POST query continues by POST only.
        assert_eq!(
            op("/ATServicesRest/V1.0/Tickets/query/next").map(|o| o.1),
            Some(vec![Method::POST])
        );
        assert!(
            resolve("/ATServicesRest/V1.0/Tickets/query/next", true)
                .is_some_and(|r| r.allowed.contains(&Method::GET))
        );
        assert!(matches!(
            resolve("/atservicesrest/versioninformation", false).map(|r| r.endpoint),
            Some(Endpoint::VersionInformation)
        ));
        assert!(matches!(
            resolve("/ATServicesRest/V1.0/ZoneInformation", false).map(|r| r.endpoint),
            Some(Endpoint::ZoneInformation)
        ));
    }
}
