//! The path every write tool call takes, in one place, after its arguments are validated:
//!
//! 1. policy: the entity must be allowed (`AUTOTASK_WRITE_ENTITIES`), and the caller's
//!    impersonation header usable; nothing is read before this;
//! 2. idempotency (with the token and an `idempotencyKey`): a repeat answers the first
//!    outcome, other arguments under the same key are refused;
//! 3. the tool's handler plans the write ([`WritePlan`]), and [`review::review`] checks it
//!    against the metadata and the tenant;
//! 4. without `confirm`: the preview, nothing sent (in the `preview` approval mode it carries
//!    a one-time code bound to this exact write and caller); with it: problems refuse the
//!    write, then [`approve::approve`] checks the approval (the token, the code, or the
//!    person's answer), then the attempt line is written and made durable
//!    ([`crate::audit::AuditLog::attempt`]: no line, no request), the plan is sent once by
//!    [`send::execute`], and the outcome line follows. Every confirmed attempt gets a line,
//!    refusals included.
//!
//! The whole call runs in a client [`CallScope`] (opened by the call path, or here when
//! there is none): its writes act as the caller's resource, and the audit line counts the
//! Autotask requests the call cost.

use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::WriteDeps;
use super::approve::{self, Approval, caller_key, request_hash};
pub use super::attempt::{KEY_DESCRIPTION, KEY_PARAM, WriteCall};
use super::idempotency::{self, Claim};
use super::plan::{WriteOp, WritePlan};
use super::{preview, review, send};
use crate::approval::ApprovalMode;
#[cfg(test)]
use crate::approval::Elicitation;
use crate::audit::{AuditLine, Outcome};
use crate::autotask::AutotaskError;
use crate::autotask::error::join_sentences;
use crate::autotask::scope::{self, CallScope};
#[cfg(test)]
use crate::caller::Caller;
use crate::registry::EntityDef;
#[cfg(test)]
use crate::tools::spec::confirm::Confirmation;
use crate::tools::spec::error::ToolError;

/// Runs one write call (see the module documentation). `entity` is the entity the call
/// names, known before planning; `plan` is the handler's planning, run only when the policy
/// allows the entity.
pub async fn run<'a>(
    deps: WriteDeps<'a>,
    call: WriteCall,
    entity: Result<&'static EntityDef, ToolError>,
    plan: BoxFuture<'a, Result<WritePlan, ToolError>>,
) -> Result<Value, ToolError> {
    if scope::active() {
        in_scope(deps, call, entity, plan).await
    } else {
        let scope = CallScope::new(call.caller.acting_as);
        scope::within(scope, in_scope(deps, call, entity, plan)).await
    }
}

/// The error of an attempt that sent nothing (an Autotask read that failed becomes
/// [`ToolError::NotSent`]), and its audit line when the call had its token.
async fn refuse(
    deps: WriteDeps<'_>,
    call: &WriteCall,
    mut line: AuditLine,
    error: ToolError,
) -> Result<Value, ToolError> {
    // Nothing is sent past this point: a failed read says so.
    let error = error.before_write();
    if call.confirmed() {
        line.requests = scope::requests();
        note_refusal(&deps.writes.audit, line, &error).await;
    }
    Err(error)
}

/// The audit line of a confirmed attempt that `error` stopped before anything was sent.
pub async fn note_refusal(audit: &crate::audit::AuditLog, line: AuditLine, error: &ToolError) {
    let outcome = match error {
        ToolError::Refused(m) => Outcome::Refused(m.clone()),
        ToolError::NotSent(_) | ToolError::Internal(_) => Outcome::Failed(error.to_string()),
        other => Outcome::Invalid(other.to_string()),
    };
    if let Err(e) = audit.note(line, outcome).await {
        tracing::error!(error = %e, "the audit line of a refused write attempt was not written");
    }
}

fn describe(plan: &WritePlan, line: &mut AuditLine) {
    line.entity = plan.entity.to_string();
    line.operation = match plan.op {
        WriteOp::Create => "create",
        WriteOp::Update => "update",
        WriteOp::Delete => "delete",
    }
    .to_string();
    line.id = plan.id;
    line.path = Some(plan.path.clone());
    let segments: Vec<&str> = plan.path.split('/').collect();
    if let [parent, id, _] = segments.as_slice() {
        line.parent = Some(format!("{parent}/{id}"));
    }
    // The whole body: the log redacts every value, then shortens.
    line.fields = plan.body.clone();
}

/// How a sent write ended, for the audit line.
fn outcome_of(op: WriteOp, result: &Result<Value, ToolError>) -> Outcome {
    match result {
        Ok(answer) => Outcome::Done(op.done(), answer["id"].as_i64().unwrap_or_default()),
        Err(ToolError::Autotask(
            e @ (AutotaskError::OutcomeUnknown { .. } | AutotaskError::InvalidResponse { .. }),
        )) => Outcome::Unknown(e.to_string()),
        Err(ToolError::Autotask(
            e @ (AutotaskError::Api { .. } | AutotaskError::RateLimited { .. }),
        )) => Outcome::Rejected(e.to_string()),
        Err(other) => Outcome::Failed(other.to_string()),
    }
}

async fn in_scope(
    deps: WriteDeps<'_>,
    call: WriteCall,
    entity: Result<&'static EntityDef, ToolError>,
    plan: BoxFuture<'_, Result<WritePlan, ToolError>>,
) -> Result<Value, ToolError> {
    let settings = deps.writes;
    let mut line = call.line();
    let entity = match entity {
        Ok(e) => e,
        Err(e) => return refuse(deps, &call, line, e).await,
    };
    line.entity = entity.name.to_string();
    if let Err(e) = settings.policy.check(call.tool, entity.name) {
        return refuse(deps, &call, line, e).await;
    }
    if let Some(problem) = &call.caller.acting_as_problem {
        let e = ToolError::Refused(join_sentences(
            problem,
            "Writes are refused until it does, so they are not attributed to the wrong person.",
        ));
        return refuse(deps, &call, line, e).await;
    }
    if call.key.as_deref().is_some_and(|k| k.trim().is_empty()) {
        let e = ToolError::Invalid(format!(
            "`{KEY_PARAM}` is empty: pass a unique text (e.g. a UUID) or leave it out."
        ));
        return refuse(deps, &call, line, e).await;
    }
    let payload = idempotency::payload(call.tool, &call.args);
    let key_scope = call.caller.key_scope();
    let mut claimed = None;
    if call.confirmed()
        && let Some(key) = &call.key
    {
        match settings.keys.claim(&key_scope, key, &payload) {
            Claim::Fresh(key) => claimed = Some(key),
            Claim::Replay(mut answer) => {
                line.id = answer["id"].as_i64();
                if let Err(e) = settings
                    .audit
                    .note(line, Outcome::Replayed(answer["id"].as_i64()))
                    .await
                {
                    tracing::error!(error = %e, "the audit line of a replayed write was not written");
                }
                answer["replayed"] = json!(true);
                return Ok(answer);
            }
            Claim::Refused(m) => return refuse(deps, &call, line, ToolError::Refused(m)).await,
        }
    }
    let plan = match plan.await {
        Ok(plan) => plan,
        Err(e) => return refuse(deps, &call, line, e).await,
    };
    describe(&plan, &mut line);
    if let Err(e) = settings.policy.check(call.tool, plan.entity) {
        return refuse(deps, &call, line, e).await;
    }
    let review = match review::review(deps, &plan).await {
        Ok(review) => review,
        Err(e) => return refuse(deps, &call, line, e).await,
    };
    let acting_as = call.caller.acting_as.or(settings.static_acting_as);
    if !call.confirmed() {
        let notes = call
            .key
            .as_deref()
            .and_then(|key| settings.keys.peek(&key_scope, key, &payload))
            .into_iter()
            .collect();
        let how = match settings.approval {
            ApprovalMode::Preview if review.problems.is_empty() => preview::HowToConfirm::Code(
                settings
                    .approvals
                    .issue(request_hash(&plan, acting_as), caller_key(&call.caller))
                    .to_string(),
            ),
            ApprovalMode::Elicit => preview::HowToConfirm::AskThePerson,
            _ => preview::HowToConfirm::Token,
        };
        return Ok(preview::answer(
            call.tool, &plan, &review, acting_as, notes, &how,
        ));
    }
    if !review.problems.is_empty() {
        let e = ToolError::Invalid(join_sentences(
            &format!("{} was not sent: {}", call.tool, review.problems.join("; ")),
            "Fix the arguments (call without confirm to preview).",
        ));
        return refuse(deps, &call, line, e).await;
    }
    let approval = approve::approve(settings, &call, &plan, &review, acting_as).await;
    match approval {
        Ok(Approval::Approved(method)) => line.approval = Some(method),
        Ok(Approval::Ask { message, state }) => {
            // Nothing is logged yet: the attempt is logged when the answer comes back.
            if let Some(key) = claimed {
                key.release();
            }
            return Err(ToolError::AwaitingApproval { message, state });
        }
        Err(e) => return refuse(deps, &call, line, e).await,
    }
    line.requests = scope::requests();
    let mut entry = match settings.audit.attempt(line.clone()).await {
        Ok(entry) => entry,
        Err(e) => {
            tracing::error!(tool = call.tool, error = %e, "write refused: the audit log cannot be written");
            return Err(ToolError::Refused(join_sentences(
                &e.to_string(),
                "A write that cannot be logged is not sent: ask the administrator to fix AUTOTASK_AUDIT_LOG.",
            )));
        }
    };
    if let Some(key) = &mut claimed {
        key.sending();
    }
    let op = plan.op;
    let mut result = send::execute(deps, plan).await;
    if let Ok(answer) = &mut result
        && !review.duplicates.is_empty()
    {
        answer["likelyDuplicates"] = json!(review.duplicates);
    }
    entry.requests(scope::requests());
    let outcome = outcome_of(op, &result);
    if let Some(key) = claimed {
        match (&outcome, &result) {
            (Outcome::Done(..), Ok(answer)) => key.done(answer),
            (Outcome::Unknown(reason), _) => key.unknown(reason),
            _ => key.release(),
        }
    }
    let logged = entry.finish(outcome).await;
    let mut answer = result?;
    if let Err(e) = logged {
        tracing::error!(tool = call.tool, error = %e, "a write was applied but its audit line was not written");
        let note = json!(format!(
            "the audit line of this write could not be written: {e}"
        ));
        match answer.get_mut("notes").and_then(Value::as_array_mut) {
            Some(notes) => notes.push(note),
            None => answer["notes"] = json!([note]),
        }
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_say_what_autotask_did_and_lines_name_the_parent() {
        let unknown = Err(ToolError::Autotask(AutotaskError::OutcomeUnknown {
            method: "POST".into(),
            path: "Tickets".into(),
            reason: "no answer came within 30 s".into(),
        }));
        assert!(
            matches!(outcome_of(WriteOp::Create, &unknown), Outcome::Unknown(m) if m.contains("no answer"))
        );
        let rejected = Err(ToolError::Autotask(AutotaskError::Api {
            status: 500,
            messages: vec!["locked".into()],
        }));
        assert!(
            matches!(outcome_of(WriteOp::Update, &rejected), Outcome::Rejected(m) if m.contains("locked"))
        );
        let unsent = Err(ToolError::Autotask(AutotaskError::Transport {
            reason: "connection refused; the request was not sent".into(),
        }));
        assert!(matches!(
            outcome_of(WriteOp::Create, &unsent),
            Outcome::Failed(_)
        ));
        assert_eq!(
            outcome_of(WriteOp::Delete, &Ok(json!({"id": 7}))),
            Outcome::Done("deleted", 7)
        );

        let plan = WritePlan::new(WriteOp::Create, "TicketNotes", "Tickets/10001/Notes").body(
            json!({"ticketID": 10001, "description": "x".repeat(300)})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        let mut line = AuditLine::default();
        describe(&plan, &mut line);
        assert_eq!(line.parent.as_deref(), Some("Tickets/10001"));
        assert_eq!(line.operation, "create");
        assert_eq!(
            line.fields["description"].as_str().map(str::len),
            Some(300),
            "the whole body: the log redacts, then shortens"
        );
    }

    #[test]
    fn the_call_keeps_the_arguments_a_repeat_must_match() {
        let values = json!({"title": "x", "confirm": "CREATE_TICKET", KEY_PARAM: "k1"})
            .as_object()
            .cloned()
            .unwrap_or_default();
        let call = WriteCall::new(
            "create-ticket",
            &values,
            Confirmation::Token,
            Elicitation::Unavailable,
            &Caller::stdio(),
        );
        assert_eq!(call.args, json!({"title": "x"}));
        assert_eq!(call.key.as_deref(), Some("k1"));
        assert!(call.confirmed());
        assert_eq!(call.line().operation, "create");
    }
}
