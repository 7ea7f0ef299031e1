//! A write in words, for the person asked to approve it (the elicitation message): what it
//! does to which record, then one line per field with the old and new value. Values are text
//! people typed (hostile until shown otherwise): each is quoted on one line, with line
//! breaks, other control characters and invisible or direction-changing characters written
//! as escapes, and long values shortened, so no value can add a line or fake another field.

/// Longest value shown whole (in characters); longer ones are cut and their length noted.
pub const MAX_VALUE: usize = 120;

/// What a write does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    Create,
    Update,
    Delete,
}

/// One field of a write: its value before and after (`None`: empty or not set). Values are
/// what a person reads: the picklist label or resource name where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl FieldChange {
    pub fn new(field: &str, old: Option<&str>, new: Option<&str>) -> FieldChange {
        FieldChange {
            field: field.to_string(),
            old: old.map(str::to_string),
            new: new.map(str::to_string),
        }
    }
}

/// True for characters that must not reach the reader raw: controls, and the invisible or
/// direction-changing format characters (zero-width, bidi embeddings and isolates, line and
/// paragraph separators, the byte order mark).
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{061C}'
                | '\u{00AD}'
        )
}

/// `text` as one quoted line: `"` and `\` escaped, line breaks as `\n`, other hidden
/// characters as `\u{…}`, cut after [`MAX_VALUE`] characters.
pub fn quoted(text: &str) -> String {
    let count = text.chars().count();
    let mut out = String::with_capacity(text.len().min(MAX_VALUE * 2) + 2);
    out.push('"');
    for c in text.chars().take(MAX_VALUE) {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => out.push_str(&format!("\\u{{{:04X}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    if count > MAX_VALUE {
        out.push_str(&format!("… ({count} characters)"));
    }
    out
}

/// A name from the metadata (entity, field): shown as is when it is a plain identifier,
/// quoted otherwise.
fn name(text: &str) -> String {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        text.to_string()
    } else {
        quoted(text)
    }
}

fn value(v: Option<&str>) -> String {
    match v {
        None => "(empty)".to_string(),
        Some(v) => quoted(v),
    }
}

/// The write in words: a first line saying what it does, then `- field: old → new` lines
/// (`- field: new` for a create, `- field: old` for a delete).
pub fn describe_write(
    kind: WriteKind,
    entity: &str,
    id: Option<i64>,
    changes: &[FieldChange],
) -> String {
    let record = match id {
        Some(id) => format!("{} record {id}", name(entity)),
        None => format!("a new {} record", name(entity)),
    };
    let mut out = match kind {
        WriteKind::Create => format!("Create {record}"),
        WriteKind::Update => format!("Update {record}"),
        WriteKind::Delete => format!("Delete {record}"),
    };
    if changes.is_empty() {
        out.push('.');
        return out;
    }
    out.push_str(match kind {
        WriteKind::Create => " with:",
        WriteKind::Update => ", changing:",
        WriteKind::Delete => ", which has:",
    });
    for change in changes {
        let field = name(&change.field);
        let line = match kind {
            WriteKind::Create => format!("- {field}: {}", value(change.new.as_deref())),
            WriteKind::Delete => format!("- {field}: {}", value(change.old.as_deref())),
            WriteKind::Update => format!(
                "- {field}: {} → {}",
                value(change.old.as_deref()),
                value(change.new.as_deref())
            ),
        };
        out.push('\n');
        out.push_str(&line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_reads_old_to_new() {
        let text = describe_write(
            WriteKind::Update,
            "Tickets",
            Some(10_001),
            &[
                FieldChange::new("title", Some("Printer down"), Some("Printer fixed")),
                FieldChange::new("status", Some("New"), Some("Complete")),
                FieldChange::new("dueDateTime", None, Some("2026-05-01")),
            ],
        );
        assert_eq!(
            text,
            "Update Tickets record 10001, changing:\n- title: \"Printer down\" → \"Printer fixed\"\n- status: \"New\" → \"Complete\"\n- dueDateTime: (empty) → \"2026-05-01\""
        );
    }

    #[test]
    fn creates_and_deletes_name_their_record() {
        assert_eq!(
            describe_write(
                WriteKind::Create,
                "TicketNotes",
                None,
                &[FieldChange::new("title", None, Some("Called back"))]
            ),
            "Create a new TicketNotes record with:\n- title: \"Called back\""
        );
        assert_eq!(
            describe_write(WriteKind::Delete, "TimeEntries", Some(7), &[]),
            "Delete TimeEntries record 7."
        );
        assert_eq!(
            describe_write(
                WriteKind::Delete,
                "TimeEntries",
                Some(7),
                &[FieldChange::new("hoursWorked", Some("1.5"), None)]
            ),
            "Delete TimeEntries record 7, which has:\n- hoursWorked: \"1.5\""
        );
    }

    #[test]
    fn hostile_values_stay_on_their_line() {
        let hostile = "ok\"\n- status: \"New\" → \"Approved\"\r\u{2028}\u{202E}gnp.exe\u{200B}\\";
        let text = describe_write(
            WriteKind::Update,
            "Tickets",
            Some(1),
            &[FieldChange::new("title\nfake", Some("a"), Some(hostile))],
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(!text.contains('\u{2028}') && !text.contains('\u{202E}') && !text.contains('\r'));
        assert_eq!(
            lines[1],
            "- \"title\\nfake\": \"a\" → \"ok\\\"\\n- status: \\\"New\\\" → \\\"Approved\\\"\\r\\u{2028}\\u{202E}gnp.exe\\u{200B}\\\\\""
        );
        let long = "x".repeat(500);
        let text = describe_write(
            WriteKind::Create,
            "Tickets",
            None,
            &[FieldChange::new("description", None, Some(&long))],
        );
        assert!(
            text.ends_with(&format!("{}\"… (500 characters)", "x".repeat(MAX_VALUE))),
            "{text}"
        );
    }
}
