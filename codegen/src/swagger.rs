//! Import from the published REST contract (the official Swagger 2.0 document): entities, their
//! fields with types, and their root and parent-scoped routes. What the contract does not carry
//! (required, read-only, reference and picklist flags, lengths) is filled by conservative,
//! documented inference here and by the curated facts in `schema/curated.json` (see `curated`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::model::{EntityInfo, EntitySnapshot, FieldInfo, ParentRoute, RootRoutes, Routes};
use crate::{Error, Result};

/// Fields the server computes: never writable whatever the entity.
const SERVER_COMPUTED: &[&str] = &[
    "id",
    "createDate",
    "createDateTime",
    "createdByContactID",
    "createdByResourceID",
    "createdDateTime",
    "creatorUserID",
    "creatorResourceID",
    "creatorType",
    "impersonatorCreatorResourceID",
    "impersonatorUpdaterResourceID",
    "lastActivityDate",
    "lastActivityDateTime",
    "lastActivityPersonType",
    "lastActivityResourceID",
    "lastModifiedDate",
    "lastModifiedByResourceID",
    "lastModifiedDateTime",
    "lastModifiedUserID",
    "lastTrackedModificationDateTime",
    "lastTrackedModifiedDateTime",
];

/// Integer fields that are picklists in every tenant seen, by exact name.
const PICKLIST_NAMES: &[&str] = &[
    "status",
    "priority",
    "queueID",
    "noteType",
    "publish",
    "source",
    "classification",
];

#[derive(Default)]
struct Draft {
    collection: String,
    model: Option<String>,
    singular: Option<String>,
    root: RootRoutes,
    parents: Vec<ParentRoute>,
}

/// Builds snapshot entities (without curated facts) from the swagger document text.
pub fn import(swagger_text: &str) -> Result<Vec<EntitySnapshot>> {
    let doc: Value = serde_json::from_str(swagger_text)
        .map_err(|e| Error::Input(format!("the swagger file is not valid JSON: {e}")))?;
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::Input("the swagger file has no `paths` object".into()))?;
    let definitions = doc
        .get("definitions")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::Input("the swagger file has no `definitions` object".into()))?;

    // Keyed by tag without the `Child` suffix.
    let mut drafts: BTreeMap<String, Draft> = BTreeMap::new();
    for (path, item) in paths {
        let Some(ops) = item.as_object() else {
            continue;
        };
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        if segments.len() < 2 || !segments[0].eq_ignore_ascii_case("V1.0") {
            continue;
        }
        let segments = &segments[1..];
        for (method, op) in ops {
            let method = method.to_ascii_uppercase();
            let Some(tag) = op
                .get("tags")
                .and_then(Value::as_array)
                .and_then(|t| t.first())
                .and_then(Value::as_str)
            else {
                continue;
            };
            let (key, is_child) = match tag.strip_suffix("Child") {
                Some(base) => (base.to_string(), true),
                None => (tag.to_string(), false),
            };
            let draft = drafts.entry(key).or_default();
            if draft.model.is_none()
                && let Some((model, singular)) = model_of(op)
            {
                draft.model = Some(model);
                draft.singular = Some(singular);
            }
            if is_child {
                if segments.len() < 3 || segments[1] != "{parentId}" {
                    continue;
                }
                let (parent, segment, rest) = (segments[0], segments[2], &segments[3..]);
                let idx = match draft
                    .parents
                    .iter()
                    .position(|p| p.parent == parent && p.segment == segment)
                {
                    Some(i) => i,
                    None => {
                        draft.parents.push(ParentRoute {
                            parent: parent.to_string(),
                            segment: segment.to_string(),
                            foreign_key: String::new(),
                            list: false,
                            get: false,
                            create: false,
                            patch: false,
                            put: false,
                            delete: false,
                        });
                        draft.parents.len() - 1
                    }
                };
                let p = &mut draft.parents[idx];
                match (method.as_str(), rest) {
                    ("GET", []) => p.list = true,
                    ("POST", []) => p.create = true,
                    ("PATCH", []) => p.patch = true,
                    ("PUT", []) => p.put = true,
                    ("GET", ["{id}"]) => p.get = true,
                    ("DELETE", ["{id}"]) => p.delete = true,
                    _ => {}
                }
            } else {
                if segments.get(1) == Some(&"{parentId}") {
                    continue;
                }
                let (collection, rest) = (segments[0], &segments[1..]);
                if draft.collection.is_empty() {
                    draft.collection = collection.to_string();
                }
                let r = &mut draft.root;
                match (method.as_str(), rest) {
                    ("POST" | "GET", ["query"]) => r.query = true,
                    ("POST" | "GET", ["query", "count"]) => r.count = true,
                    ("GET", ["{id}"]) => r.get = true,
                    ("DELETE", ["{id}"]) => r.delete = true,
                    ("POST", []) => r.create = true,
                    ("PATCH", []) => r.patch = true,
                    ("PUT", []) => r.put = true,
                    _ => {}
                }
            }
        }
    }

    // Child-only tags whose model is a root collection's model are that entity
    // (`CompanyContacts` is `Contacts`, created under `Companies/{id}/Contacts`).
    let by_model: BTreeMap<String, String> = drafts
        .iter()
        .filter(|(_, d)| !d.root.is_empty() && d.model.is_some())
        .filter_map(|(k, d)| d.model.clone().map(|m| (m, k.clone())))
        .collect();
    let keys: Vec<String> = drafts.keys().cloned().collect();
    for key in keys {
        let Some(d) = drafts.get(&key) else { continue };
        if !d.root.is_empty() || d.parents.is_empty() {
            continue;
        }
        let Some(target) = d.model.as_ref().and_then(|m| by_model.get(m)).cloned() else {
            continue;
        };
        if target == key {
            continue;
        }
        if let Some(d) = drafts.remove(&key)
            && let Some(t) = drafts.get_mut(&target)
        {
            t.parents.extend(d.parents);
        }
    }

    // Keep real entities: a model with properties and at least one data route.
    let mut entities = Vec::new();
    for (key, d) in drafts {
        let (Some(model), Some(singular)) = (d.model, d.singular) else {
            continue;
        };
        let Some(props) = definitions
            .get(&model)
            .and_then(|m| m.get("properties"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        if d.root.is_empty() && d.parents.is_empty() {
            continue;
        }
        let name = if d.collection.is_empty() {
            key
        } else {
            d.collection
        };
        let mut has_udf = false;
        let mut fields = Vec::new();
        for (fname, prop) in props {
            if prop.get("$ref").is_some() {
                continue; // internal expression properties (soapParentPropertyId)
            }
            let ty = prop.get("type").and_then(Value::as_str).unwrap_or("");
            let format = prop.get("format").and_then(Value::as_str).unwrap_or("");
            if ty == "array" {
                if fname == "userDefinedFields" {
                    has_udf = true;
                }
                continue;
            }
            fields.push(field_from_swagger(fname, ty, format));
        }
        entities.push(EntitySnapshot {
            name,
            info: EntityInfo {
                name: singular,
                can_create: false,
                can_delete: false,
                can_query: false,
                can_update: false,
                user_access_for_create: 0,
                user_access_for_delete: 0,
                user_access_for_query: 0,
                user_access_for_update: 0,
                has_user_defined_fields: has_udf,
                supports_webhook_callouts: false,
            },
            fields,
            routes: Routes {
                root: d.root,
                parents: d.parents,
            },
        });
    }
    entities.sort_by(|a, b| a.name.cmp(&b.name));
    infer(&mut entities);
    Ok(entities)
}

/// The model name and the singular entity name (the model name without `Model`) of an
/// operation: from its response (`QueryActionResult[TicketNoteModel,TicketNote]` or a bare
/// `TicketAttachmentModel`) or its body parameter. Envelope models are not entity models.
fn model_of(op: &Value) -> Option<(String, String)> {
    let from_ref = |r: &str| -> Option<String> {
        let r = r.trim_start_matches("#/definitions/");
        let candidate = match (r.find('['), r.rfind(']')) {
            (Some(open), Some(close)) if open < close => r[open + 1..close].split(',').next()?,
            _ => r,
        };
        let is_entity_model = candidate.ends_with("Model")
            && !candidate.ends_with("ResultModel")
            && !matches!(candidate, "QueryModel" | "OperationResultModel");
        is_entity_model.then(|| candidate.to_string())
    };
    let response = op
        .get("responses")
        .and_then(|r| r.get("200"))
        .and_then(|r| r.get("schema"))
        .and_then(|s| s.get("$ref"))
        .and_then(Value::as_str)
        .and_then(from_ref);
    let model = response.or_else(|| {
        op.get("parameters")?.as_array()?.iter().find_map(|p| {
            let r = p.get("schema")?.get("$ref")?.as_str()?;
            from_ref(r)
        })
    })?;
    let singular = model.strip_suffix("Model")?.to_string();
    Some((model, singular))
}

fn field_from_swagger(name: &str, ty: &str, format: &str) -> FieldInfo {
    let data_type = match (ty, format) {
        ("integer", "int64") => "long",
        ("integer", "int16") => "short",
        ("integer", _) => "integer",
        ("number", "decimal") => "decimal",
        ("number", _) => "double",
        ("boolean", _) => "boolean",
        ("string", "date-time") => "datetime",
        _ => "string",
    };
    let is_binary = format == "byte";
    let length = if data_type != "string" || is_binary {
        0
    } else {
        default_string_length(name)
    };
    FieldInfo {
        name: name.to_string(),
        data_type: data_type.to_string(),
        length,
        is_required: name == "id",
        is_read_only: SERVER_COMPUTED.contains(&name),
        is_queryable: !is_binary,
        is_reference: false,
        reference_entity_type: String::new(),
        is_pick_list: false,
        picklist_values: None,
        picklist_parent_value_field: String::new(),
        is_supported_webhook_field: false,
    }
}

/// Autotask's common string widths, by the field's role.
fn default_string_length(name: &str) -> u32 {
    let lower = name.to_ascii_lowercase();
    if [
        "description",
        "notes",
        "resolution",
        "content",
        "text",
        "body",
        "message",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        8000
    } else {
        255
    }
}

/// Derived facts: capabilities, references, picklists, parent foreign keys, webhook support.
fn infer(entities: &mut [EntitySnapshot]) {
    let singulars: BTreeSet<String> = entities.iter().map(|e| e.info.name.clone()).collect();
    let singular_of: BTreeMap<String, String> = entities
        .iter()
        .map(|e| (e.name.clone(), e.info.name.clone()))
        .collect();
    for e in entities.iter_mut() {
        let r = e.routes.root;
        let any_parent = |f: fn(&ParentRoute) -> bool| e.routes.parents.iter().any(f);
        e.info.can_create = r.create || any_parent(|p| p.create);
        e.info.can_update = r.patch || r.put || any_parent(|p| p.patch || p.put);
        e.info.can_delete = r.delete || any_parent(|p| p.delete);
        e.info.can_query = r.query;
        e.info.user_access_for_create = u8::from(e.info.can_create);
        e.info.user_access_for_update = u8::from(e.info.can_update);
        e.info.user_access_for_delete = u8::from(e.info.can_delete);
        e.info.user_access_for_query = u8::from(e.info.can_query);
        e.info.supports_webhook_callouts =
            singular_of.contains_key(&format!("{}Webhooks", e.info.name));

        for f in e.fields.iter_mut() {
            if f.name != "id"
                && f.name.ends_with("ID")
                && matches!(f.data_type.as_str(), "integer" | "long" | "short")
                && let Some(target) = reference_target(&f.name, &singulars)
            {
                f.is_reference = true;
                f.reference_entity_type = target;
            }
            if !f.is_reference
                && f.data_type == "integer"
                && (PICKLIST_NAMES.contains(&f.name.as_str()) || f.name.ends_with("Type"))
            {
                f.is_pick_list = true;
            }
        }
        let names: Vec<String> = e.fields.iter().map(|f| f.name.clone()).collect();
        for p in e.routes.parents.iter_mut() {
            p.foreign_key = parent_foreign_key(&p.parent, &singular_of, &names);
        }
        e.routes
            .parents
            .sort_by(|a, b| (&a.parent, &a.segment).cmp(&(&b.parent, &b.segment)));
    }
}

/// The longest PascalCase suffix of `xxxID`'s stem that names an entity
/// (`assignedResourceID` → `Resource`, `billToCompanyLocationID` → `CompanyLocation`).
fn reference_target(field: &str, singulars: &BTreeSet<String>) -> Option<String> {
    let stem = field.strip_suffix("ID")?;
    let mut pascal = stem.to_string();
    if let Some(first) = pascal.get(0..1) {
        let upper = first.to_ascii_uppercase();
        pascal.replace_range(0..1, &upper);
    }
    let starts: Vec<usize> = pascal
        .char_indices()
        .filter(|(_, c)| c.is_ascii_uppercase())
        .map(|(i, _)| i)
        .collect();
    starts
        .into_iter()
        .map(|i| &pascal[i..])
        .find(|s| singulars.contains(*s))
        .map(str::to_string)
}

fn parent_foreign_key(
    parent: &str,
    singular_of: &BTreeMap<String, String>,
    child_fields: &[String],
) -> String {
    let mut candidates = Vec::new();
    if let Some(s) = singular_of.get(parent) {
        // Every PascalCase suffix, longest first: `KnowledgeBaseArticle` → `articleID` too.
        candidates.extend(
            s.char_indices()
                .filter(|(_, c)| c.is_ascii_uppercase())
                .map(|(i, _)| format!("{}ID", &s[i..])),
        );
    }
    if let Some(s) = parent.strip_suffix("ies") {
        candidates.push(format!("{s}yID"));
    }
    if let Some(s) = parent.strip_suffix('s') {
        candidates.push(format!("{s}ID"));
    }
    candidates.push("parentID".into());
    for c in candidates {
        if let Some(f) = child_fields.iter().find(|f| f.eq_ignore_ascii_case(&c)) {
            return f.clone();
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_targets_use_the_longest_entity_suffix() {
        let s: BTreeSet<String> = ["Resource", "Company", "CompanyLocation", "Location"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            reference_target("assignedResourceID", &s).as_deref(),
            Some("Resource")
        );
        assert_eq!(
            reference_target("billToCompanyLocationID", &s).as_deref(),
            Some("CompanyLocation")
        );
        assert_eq!(
            reference_target("companyID", &s).as_deref(),
            Some("Company")
        );
        assert_eq!(reference_target("queueID", &s), None);
    }
}
