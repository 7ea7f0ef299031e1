//! The answer of a write tool called without its confirm token: the exact request it would
//! send, what the review found, and the token. It cannot read as done.

use serde_json::{Value, json};

use super::plan::{WriteOp, WritePlan, decoded_len};
use super::review::Review;
use crate::tools::spec::confirm;

/// The answer of a write tool called without its confirm token: the exact request it would
/// send, what the review found, and the token. It cannot read as done: `sent` is false and
/// `next` starts with NOT SENT.
/// How the caller confirms the previewed write (`AUTOTASK_WRITE_APPROVAL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HowToConfirm {
    /// With the tool's confirm token (the `token` mode).
    Token,
    /// With this one-time code, bound to this exact write and caller (the `preview` mode).
    Code(String),
    /// With the token; then the person is asked by the MCP client (the `elicit` mode).
    AskThePerson,
}

pub fn answer(
    tool: &str,
    plan: &WritePlan,
    review: &Review,
    acting_as: Option<i64>,
    mut notes: Vec<String>,
    how: &HowToConfirm,
) -> Value {
    let token = match how {
        HowToConfirm::Code(code) => code.clone(),
        HowToConfirm::Token | HowToConfirm::AskThePerson => confirm::token_for(tool),
    };
    let path = match (plan.op, plan.id) {
        (WriteOp::Delete, Some(id)) => format!("{}/{id}", plan.path),
        _ => plan.path.clone(),
    };
    let mut request = json!({"method": plan.op.method(), "path": path});
    if plan.op != WriteOp::Delete {
        let mut body = plan.body.clone();
        // A file's bytes are not repeated back: their size says what would go.
        if let Some(Value::String(data)) = body.get("data")
            && plan.entity.ends_with("Attachments")
        {
            let shown = format!("(base64, {} bytes)", decoded_len(data));
            body.insert("data".into(), json!(shown));
        }
        request["body"] = Value::Object(body);
    }
    if let Some(id) = acting_as {
        request["impersonationResourceId"] = json!(id);
    }
    let mut out = json!({"operation": "preview", "sent": false, "entity": plan.entity});
    if let Some(id) = plan.id {
        out["id"] = json!(id);
    }
    out["request"] = request;
    for (key, map) in [
        ("labels", &review.labels),
        ("refers", &review.refers),
        ("current", &review.current),
    ] {
        if !map.is_empty() {
            out[key] = Value::Object(map.clone());
        }
    }
    if !review.problems.is_empty() {
        out["problems"] = json!(review.problems);
    }
    if !review.duplicates.is_empty() {
        out["likelyDuplicates"] = json!(review.duplicates);
    }
    notes.splice(0..0, plan.notes.iter().cloned());
    if !notes.is_empty() {
        out["notes"] = json!(notes);
    }
    if review.problems.is_empty() || !matches!(how, HowToConfirm::Code(_)) {
        out["confirm"] = json!(token);
    }
    out["next"] = json!(if review.problems.is_empty() {
        match how {
            HowToConfirm::Token => format!(
                "NOT SENT: a preview, nothing was written. Show the request to the user; once they approve, call {tool} again with the same arguments plus confirm: \"{token}\"."
            ),
            HowToConfirm::Code(_) => format!(
                "NOT SENT: a preview, nothing was written. Show the request to the user; once they approve, call {tool} again with the same arguments plus confirm: \"{token}\" (a one-time code for exactly this write; it expires)."
            ),
            HowToConfirm::AskThePerson => format!(
                "NOT SENT: a preview, nothing was written. Call {tool} again with the same arguments plus confirm: \"{token}\"; the user is then asked to approve the write in their MCP client, and it is sent only if they accept."
            ),
        }
    } else {
        format!(
            "NOT SENT: Autotask would refuse this write for the problems listed, and {tool} will not send it with them. Fix them and call again without confirm to preview."
        )
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preview_never_reads_as_done() {
        let plan = WritePlan::new(WriteOp::Create, "Tickets", "Tickets").body(
            json!({"title": "x", "status": 1})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        let review = Review {
            labels: [("status".to_string(), json!("New"))].into_iter().collect(),
            ..Review::default()
        };
        let out = answer(
            "create-ticket",
            &plan,
            &review,
            Some(29),
            vec![],
            &HowToConfirm::Token,
        );
        assert_eq!(out["operation"], "preview");
        assert_eq!(out["sent"], false);
        assert_eq!(
            out["request"],
            json!({"method": "POST", "path": "Tickets", "body": {"title": "x", "status": 1},
                "impersonationResourceId": 29})
        );
        assert_eq!(out["confirm"], "CREATE_TICKET");
        assert!(
            out["next"]
                .as_str()
                .is_some_and(|n| n.starts_with("NOT SENT"))
        );
        let refused = Review {
            problems: vec!["`companyID` is 9".into()],
            ..Review::default()
        };
        let out = answer(
            "create-ticket",
            &plan,
            &refused,
            None,
            vec![],
            &HowToConfirm::Token,
        );
        assert!(
            out["next"]
                .as_str()
                .is_some_and(|n| n.contains("will not send"))
        );
        let delete = WritePlan::new(WriteOp::Delete, "TimeEntries", "TimeEntries").id(5);
        let out = answer(
            "delete-entity",
            &delete,
            &Review::default(),
            None,
            vec![],
            &HowToConfirm::Token,
        );
        assert_eq!(
            out["request"],
            json!({"method": "DELETE", "path": "TimeEntries/5"})
        );
    }
}
