//! The inventory as a whole: counts, the write/gate split, declarations that agree with the
//! registry, and typed inputs that fit their parameters.

use serde_json::{Map, Value, json};

use super::*;
use crate::tools::spec::hints::CREATE;
use crate::tools::spec::kind::Kind;
use crate::tools::spec::param::{self as params, Source, UDF_PARAM};
use crate::tools::write::pipeline as write_path;

#[test]
fn thirty_five_tools_twelve_of_them_write_and_gated() {
    let tools = all();
    assert_eq!(tools.len(), 35);
    let writes: Vec<&str> = tools
        .iter()
        .filter(|t| t.writes())
        .map(|t| t.name)
        .collect();
    assert_eq!(
        writes,
        [
            "create-attachment",
            "create-company",
            "create-contact",
            "create-entity",
            "create-ticket",
            "create-ticket-note",
            "create-time-entry",
            "delete-entity",
            "update-company",
            "update-contact",
            "update-entity",
            "update-ticket"
        ]
    );
    for t in &tools {
        // Optional: without it a write tool previews.
        assert_eq!(
            t.params.iter().any(|p| p.name == "confirm"
                && matches!(p.kind, Kind::Confirm { .. })
                && !p.required),
            t.writes(),
            "{}",
            t.name
        );
        assert_eq!(
            t.params
                .iter()
                .any(|p| p.name == write_path::KEY_PARAM && !p.required),
            t.hints == CREATE,
            "{}: creates take an idempotencyKey, nothing else does",
            t.name
        );
        assert!(!t.description.is_empty() && !t.title.is_empty());
    }
    assert_eq!(Inventory::new(true).len(), 23);
    assert_eq!(Inventory::new(false).len(), 35);
}

#[test]
fn the_allow_list_keeps_the_generic_writes_and_its_own_entities_tools() {
    let policy = WritePolicy::only(&["Tickets", "TicketNotes"]).unwrap_or_default();
    let inventory = Inventory::with_policy(false, &policy);
    let writes: Vec<String> = inventory
        .list()
        .iter()
        .filter(|t| t.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(false))
        .map(|t| t.name.to_string())
        .collect();
    // create-attachment is generic over its parent (like create-entity): the allow-list
    // applies when it is called.
    assert_eq!(
        writes,
        [
            "create-attachment",
            "create-entity",
            "create-ticket",
            "create-ticket-note",
            "delete-entity",
            "update-entity",
            "update-ticket"
        ]
    );
    assert_eq!(inventory.len(), 23 + writes.len());
    assert_eq!(Inventory::with_policy(true, &policy).len(), 23);
}

#[test]
fn declarations_have_no_defects() {
    for t in all() {
        assert!(t.defects.is_empty(), "{}: {:?}", t.name, t.defects);
    }
}

/// Every parameter that stands for an entity field agrees with the snapshot: its kind is the
/// field's (or fits it), required-ness follows the snapshot on creates unless the tool fills a
/// default, and a named filter's fields are queryable.
#[test]
fn parameters_agree_with_the_snapshot() {
    let mut checked = 0;
    for t in all() {
        for p in &t.params {
            let e = match (&p.source, t.entity) {
                (Source::Own, _) => continue,
                (_, Some(e)) => e,
                (_, None) => panic!("{}.{} names a field without an entity", t.name, p.name),
            };
            let fields: Vec<&str> = match &p.source {
                Source::Field(f) => vec![f.name],
                Source::Filter { fields, .. } => fields.clone(),
                Source::Own => Vec::new(),
            };
            for name in fields {
                let f = e.field(name).unwrap();
                match &p.source {
                    Source::Field(_) => {
                        assert!(
                            p.kind.fits_field(e, f),
                            "{}.{}: {:?} vs the registry's {:?}",
                            t.name,
                            p.name,
                            p.kind,
                            Kind::of_field(e, f)
                        );
                        if t.hints == CREATE && p.required {
                            assert!(
                                f.is_required,
                                "{}.{} is not required by the snapshot",
                                t.name, p.name
                            );
                        }
                        if t.hints == CREATE && f.is_required && !p.required {
                            let defaulted = [
                                "status",
                                "priority",
                                "noteType",
                                "publish",
                                "isActive",
                                "dateWorked",
                                // The resource's default service-desk role (tools::roles).
                                "roleID",
                            ];
                            assert!(
                                defaulted.contains(&p.name),
                                "{}.{} is required by the snapshot",
                                t.name,
                                p.name
                            );
                        }
                    }
                    Source::Filter { fields, .. } => {
                        assert!(f.is_queryable, "{}.{}", t.name, p.name);
                        if fields.len() == 1 {
                            assert!(
                                p.kind.fits_field(e, f),
                                "{}.{}: {:?} vs {:?}",
                                t.name,
                                p.name,
                                p.kind,
                                Kind::of_field(e, f)
                            );
                        }
                    }
                    Source::Own => {}
                }
                if let Kind::Pick { entity, field } = p.kind {
                    assert!(
                        f.is_pick_list && entity == e.name && field == f.name,
                        "{}.{}",
                        t.name,
                        p.name
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 80, "{checked}");
}

/// A valid sample value for a parameter.
fn sample(kind: Kind) -> Value {
    match kind {
        Kind::Int { min, .. } => json!(min.max(1)),
        Kind::Pick { .. } => json!(1),
        Kind::Number => json!(1.5),
        Kind::Bool | Kind::Flag => json!(true),
        Kind::Text { .. } => json!("x"),
        Kind::DateTime => json!("2026-01-31T10:00:00Z"),
        Kind::Json => json!({"filter": []}),
        Kind::Names => json!(["id"]),
        Kind::Confirm { .. } => json!("TOKEN"),
    }
}

/// The arguments as the call path hands them to the typed input: `userDefinedFields` is the
/// wire's list on a write and a filter (not an input) on a search (`udfs::apply`).
fn as_applied(t: &ToolDef, mut values: Map<String, Value>) -> Map<String, Value> {
    if values.remove(UDF_PARAM).is_some() && t.writes() {
        values.insert(
            UDF_PARAM.into(),
            json!([{"name": "Customer Ref", "value": "x"}]),
        );
    }
    values
}

/// Every tool's typed input takes every parameter the tool declares (all set at once) and
/// only the required ones (all others left out): a parameter without a place in the input
/// struct, or of another type, fails here.
#[test]
fn typed_inputs_fit_the_declared_parameters() {
    for t in all() {
        let all_set: Map<String, Value> = t
            .params
            .iter()
            .map(|p| (p.name.to_string(), sample(p.kind)))
            .collect();
        let args = params::validate(t.name, &t.params, Some(&all_set)).unwrap();
        if let Err(e) = t.fits(&as_applied(&t, args.values)) {
            panic!("{}: {e}", t.name);
        }
        let required: Map<String, Value> = t
            .params
            .iter()
            .filter(|p| p.required)
            .map(|p| (p.name.to_string(), sample(p.kind)))
            .collect();
        let args = params::validate(t.name, &t.params, Some(&required)).unwrap();
        if let Err(e) = t.fits(&args.values) {
            panic!("{} with only required arguments: {e}", t.name);
        }
    }
}

#[test]
fn every_tool_declares_an_output_schema() {
    for tool in Inventory::new(false).list() {
        let schema = tool.output_schema.as_ref().unwrap();
        assert_eq!(schema.get("type"), Some(&json!("object")), "{}", tool.name);
    }
}
