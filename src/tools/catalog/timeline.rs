//! `get-ticket-timeline`: one call for a ticket's story. The ticket (summary fields, names,
//! labels) and, merged oldest first, its notes, time entries, attachments (metadata) and
//! status history (`TicketHistory`, where the tenant exposes it), each entry with who and
//! when. The five reads go out at once (each to its own endpoint, so within the thread
//! limit); the answer keeps the newest entries whole within the result's size budget and
//! says how many older ones it left out.

use serde_json::{Value, json};

use super::args::ById;
use crate::autotask::{AutotaskError, QueryResult, ReadIntent};
use crate::tools::call::context::Context;
use crate::tools::call::def::{Handles, ToolDef};
use crate::tools::facts::{self, TimelineKind, TimelineSource};
use crate::tools::present::{records, shape};
use crate::tools::spec::entity::entity_def;
use crate::tools::spec::error::ToolError;
use crate::tools::spec::hints::READ;
use crate::tools::spec::output::{Output, object};
use crate::tools::spec::query;
use crate::tools::spec::tool::ToolSpec;

/// Most children of one kind read.
const MAX_CHILDREN: usize = 500;
/// Longest text of one entry.
const MAX_ENTRY_TEXT: usize = 2_000;

pub fn tools() -> Vec<ToolDef> {
    vec![
        ToolSpec::new(
            "get-ticket-timeline",
            "Ticket timeline",
            READ,
            "A ticket with its notes, time, attachments and history.",
        )
        .output(Output::Shape(|| object(&[], &["ticket", "entries"])))
        .handler(|c, a: ById| Box::pin(timeline(c, a))),
    ]
}

/// The records of one timeline kind of `ticket`.
async fn children(
    ctx: &Context,
    entity: &str,
    kind: &TimelineKind,
    ticket: i64,
) -> Result<QueryResult, AutotaskError> {
    let client = &ctx.tenant.client;
    match kind.source {
        TimelineSource::ChildList { segment } => {
            client
                .list(
                    &format!("Tickets/{ticket}/{segment}"),
                    MAX_CHILDREN,
                    ReadIntent::Explicit,
                )
                .await
        }
        TimelineSource::Query { ticket_field } => {
            let query = json!({"filter": [query::eq(ticket_field.name(), ticket)]});
            client
                .query(entity, &query, MAX_CHILDREN, ReadIntent::Explicit)
                .await
        }
    }
}

/// The entry of one shaped record of `kind`.
fn entry(entity: &str, kind: &TimelineKind, record: &Value) -> Option<(String, Value)> {
    let e = crate::registry::find(entity)?;
    let at = kind
        .when
        .iter()
        .find_map(|f| record.get(f.name()).and_then(Value::as_str))?
        .to_string();
    let mut out = json!({"at": at, "kind": kind.label});
    if let Some(who) = kind.who.iter().find_map(|f| {
        record
            .get(shape::name_key(e, f.name()))
            .or_else(|| record.get(f.name()))
            .cloned()
    }) {
        out["who"] = who;
    }
    for f in kind.show {
        if let Some(v) = record.get(f.name()) {
            out[f.name()] = match v {
                Value::String(s) if s.chars().count() > MAX_ENTRY_TEXT => {
                    json!(format!(
                        "{}…",
                        s.chars().take(MAX_ENTRY_TEXT).collect::<String>()
                    ))
                }
                v => v.clone(),
            };
        }
    }
    Some((at, out))
}

/// The newest of `entries` (sorted oldest first) whose JSON fits in `budget` bytes, whole,
/// oldest first.
fn newest_within(entries: &[(String, Value)], budget: usize) -> Vec<Value> {
    let mut kept = Vec::new();
    let mut used = 0;
    for (_, v) in entries.iter().rev() {
        let size = v.to_string().len() + 1;
        if used + size > budget {
            break;
        }
        used += size;
        kept.push(v.clone());
    }
    kept.reverse();
    kept
}

async fn timeline(ctx: &Context, a: ById) -> Result<Value, ToolError> {
    let ticket = entity_def("Tickets")?;
    let kinds: Vec<(&str, TimelineKind)> = facts::TIMELINE
        .iter()
        .filter_map(|f| f.timeline.map(|kind| (f.entity.name(), kind)))
        .collect();
    // Every read at once: each goes to its own endpoint, so within the thread limit.
    let (head, rows) = tokio::join!(
        ctx.tenant.client.get("Tickets", a.id, ReadIntent::Explicit),
        futures::future::join_all(
            kinds
                .iter()
                .map(|(entity, kind)| children(ctx, entity, kind, a.id))
        ),
    );
    let Some(head) = head? else {
        return Err(ToolError::NotFound(format!(
            "Tickets has no record with id {} (or the API user may not see it); find tickets with search-tickets",
            a.id
        )));
    };
    let mut out_notes = Vec::new();
    let mut heads = [head];
    out_notes.extend(records::present(&ctx.tenant, ticket, &mut heads).await);
    let [mut head] = heads;
    records::summarize(ticket, &mut head);

    let mut entries: Vec<(String, Value)> = Vec::new();
    let mut counts = serde_json::Map::new();
    for ((entity, kind), rows) in kinds.iter().zip(rows) {
        let mut items = match rows {
            Ok(r) => r.items,
            Err(e) => {
                out_notes.push(format!("{entity} could not be read: {e}"));
                continue;
            }
        };
        let e = entity_def(entity)?;
        out_notes.extend(records::present(&ctx.tenant, e, &mut items).await);
        counts.insert(entity.to_string(), json!(items.len()));
        entries.extend(items.iter().filter_map(|r| entry(entity, kind, r)));
    }
    entries.sort_by(|x, y| x.0.cmp(&y.0));

    // The newest entries, whole, within the budget.
    let budget = ctx
        .limits
        .result_max_bytes
        .saturating_sub(head.to_string().len() + 1_000);
    let kept = newest_within(&entries, budget);
    let left_out = entries.len() - kept.len();
    if left_out > 0 {
        let oldest_kept = kept
            .first()
            .and_then(|v| v["at"].as_str())
            .unwrap_or("the newest entry");
        out_notes.push(format!(
            "{left_out} older entries (before {oldest_kept}) were left out to keep this result under {} bytes: query-entity TicketNotes or TimeEntries with ticketID {} and a date filter reads them",
            ctx.limits.result_max_bytes, a.id
        ));
    }
    let mut out = json!({"ticket": head, "counts": counts, "entries": kept});
    if !out_notes.is_empty() {
        out["notes"] = json!(out_notes);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_entries_are_kept_whole_within_the_budget() {
        let entries: Vec<(String, Value)> = (0..10)
            .map(|i| {
                let at = format!("2026-01-{:02}T00:00:00", i + 1);
                (
                    at.clone(),
                    json!({"at": at, "kind": "note", "description": "x".repeat(50)}),
                )
            })
            .collect();
        let one = entries[0].1.to_string().len() + 1;
        let kept = newest_within(&entries, one * 3 + 5);
        assert_eq!(kept.len(), 3);
        assert_eq!(kept[0]["at"], "2026-01-08T00:00:00");
        assert_eq!(kept[2]["at"], "2026-01-10T00:00:00");
        assert_eq!(newest_within(&entries, 10_000).len(), 10);
    }

    #[test]
    fn entries_carry_who_and_when() {
        let note = json!({"id": 1, "createDateTime": "2026-01-02T10:00:00Z",
            "creatorResourceID": 7, "creatorResource": "Aiko Tanaka", "description": "hi"});
        let notes = facts::TIMELINE[0];
        let kind = notes.timeline.expect("notes are on the timeline");
        let (at, e) = entry(notes.entity.name(), &kind, &note).unwrap_or_default();
        assert_eq!(at, "2026-01-02T10:00:00Z");
        assert_eq!(e["who"], "Aiko Tanaka");
        assert_eq!(e["kind"], "note");
    }
}
