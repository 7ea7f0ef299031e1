//! The swagger importer, curated facts and the snapshot directory, on a small contract of our own.

// Clippy's allow-unwrap-in-tests (clippy.toml) covers `#[test]` functions only, not the helper
// functions of an integration test crate: tests may unwrap and expect everywhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use codegen::curated::Curated;
use codegen::model::EntitySnapshot;

fn mini() -> Vec<EntitySnapshot> {
    let text = include_str!("fixtures/mini-swagger.json");
    codegen::swagger::import(text).expect("the mini contract imports")
}

fn entity<'a>(entities: &'a [EntitySnapshot], name: &str) -> &'a EntitySnapshot {
    entities
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn routes_capabilities_and_entities_come_from_the_paths() {
    let entities = mini();
    let names: Vec<&str> = entities.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["Owners", "WidgetParts", "Widgets"],
        "non-entity tags are skipped"
    );
    let widgets = entity(&entities, "Widgets");
    let r = widgets.routes.root;
    assert!(r.query && r.count && r.get && r.create && r.patch && r.delete && !r.put);
    assert_eq!(widgets.info.name, "Widget");
    assert!(widgets.info.can_create && widgets.info.can_delete && widgets.info.can_query);
    assert!(widgets.info.has_user_defined_fields);
    // A child-only tag with a root collection's model is that collection.
    assert_eq!(widgets.routes.parents.len(), 1);
    assert_eq!(widgets.routes.parents[0].parent, "Owners");
    assert_eq!(widgets.routes.parents[0].foreign_key, "ownerID");
    let parts = entity(&entities, "WidgetParts");
    assert!(!parts.routes.root.create && parts.routes.root.query);
    let p = &parts.routes.parents[0];
    assert_eq!(
        (
            p.parent.as_str(),
            p.segment.as_str(),
            p.foreign_key.as_str()
        ),
        ("Widgets", "Parts", "widgetID")
    );
    assert!(p.list && p.create && !p.delete);
    assert!(parts.info.can_create, "a parent-scoped create counts");
}

#[test]
fn field_types_and_inferred_facts() {
    let entities = mini();
    let widgets = entity(&entities, "Widgets");
    let field = |n: &str| {
        widgets
            .fields
            .iter()
            .find(|f| f.name == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    let names: Vec<&str> = widgets.fields.iter().map(|f| f.name.as_str()).collect();
    assert!(!names.contains(&"userDefinedFields") && !names.contains(&"soapParentPropertyId"));
    assert_eq!(field("id").data_type, "long");
    assert!(field("id").is_required && field("id").is_read_only);
    assert_eq!(field("ownerID").data_type, "integer");
    assert_eq!(field("weight").data_type, "double");
    assert_eq!(field("createDate").data_type, "datetime");
    assert!(field("createDate").is_read_only);
    assert_eq!(
        (field("name").length, field("description").length),
        (255, 8000)
    );
    assert!(!field("blob").is_queryable && field("blob").length == 0);
    assert_eq!(field("assignedOwnerID").reference_entity_type, "Owner");
    assert!(field("status").is_pick_list && field("widgetType").is_pick_list);
    assert!(field("ownerID").picklist_values.is_none());
}

#[test]
fn curated_facts_apply_and_typos_are_errors() {
    let mut entities = mini();
    let curated = Curated::parse(
        r#"{"entities": {"Widgets": {"fields": {"name": {"isRequired": true, "length": 80},
            "ownerID": {"isReference": false}}}}}"#,
    )
    .unwrap();
    curated.apply(&mut entities).unwrap();
    let widgets = entity(&entities, "Widgets");
    let name = widgets
        .fields
        .iter()
        .find(|f| f.name == "name")
        .expect("name");
    assert!(name.is_required && name.length == 80);
    let owner = widgets
        .fields
        .iter()
        .find(|f| f.name == "ownerID")
        .expect("owner");
    assert!(!owner.is_reference && owner.reference_entity_type.is_empty());
    let typo =
        Curated::parse(r#"{"entities": {"Widgets": {"fields": {"nmae": {"isRequired": true}}}}}"#)
            .unwrap();
    let err = typo
        .apply(&mut entities)
        .expect_err("a misspelt field is an error")
        .to_string();
    assert!(err.contains("Widgets.nmae"), "{err}");
    assert!(Curated::parse(r#"{"entities": {"Widgets": {"feilds": {}}}}"#).is_err());
}

#[test]
fn snapshot_write_check_and_stale_files() {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("entities");
    let entities = mini();
    let written = codegen::snapshot::write(dir.path(), &entities).unwrap();
    assert_eq!(written, 3);
    for name in ["Owners", "WidgetParts", "Widgets"] {
        assert!(files.join(format!("{name}.json")).is_file(), "{name}.json");
    }
    let diff = codegen::snapshot::diff(dir.path(), &entities).expect("the snapshot is read");
    assert_eq!(diff, Vec::<String>::new(), "no drift right after writing");
    let loaded = codegen::snapshot::load(dir.path()).unwrap();
    assert_eq!(loaded, entities, "load(write(x)) == x");
    // An entity gone from the contract: its file is stale, and writing removes it.
    let fewer = &entities[1..];
    let diff = codegen::snapshot::diff(dir.path(), fewer).unwrap();
    assert_eq!(diff, ["stale: Owners.json"]);
    assert_eq!(codegen::snapshot::write(dir.path(), fewer).unwrap(), 1);
    assert!(
        !files.join("Owners.json").exists(),
        "the stale file is removed"
    );
    assert_eq!(codegen::snapshot::load(dir.path()).unwrap(), fewer);
    // A file edited by hand drifts; one deleted is missing.
    let widgets = files.join("Widgets.json");
    let text = std::fs::read_to_string(&widgets).unwrap();
    std::fs::write(&widgets, text.replace("\"Widget\"", "\"Gadget\"")).unwrap();
    std::fs::remove_file(files.join("WidgetParts.json")).unwrap();
    let diff = codegen::snapshot::diff(dir.path(), fewer).unwrap();
    assert_eq!(diff, ["missing: WidgetParts.json", "changed: Widgets.json"]);
    // A file that is not an entity fails to load, naming the file.
    std::fs::write(&widgets, "{not json").unwrap();
    let err = codegen::snapshot::load(dir.path())
        .expect_err("a broken file is an error")
        .to_string();
    assert!(err.contains("Widgets.json"), "{err}");
}

#[test]
fn live_field_information_parses_into_the_model() {
    // Shape of `GET …/entityInformation/fields` as a tenant answers it, picklist included.
    let body = r#"{"fields": [
      {"name": "actionType", "dataType": "integer", "length": 0, "isRequired": true, "isReadOnly": false,
       "isQueryable": true, "isReference": false, "referenceEntityType": "", "isPickList": true,
       "picklistValues": [{"value": "3", "label": "General", "isDefaultValue": false, "sortOrder": 2,
                           "parentValue": "", "isActive": true, "isSystem": true}],
       "picklistParentValueField": "", "isSupportedWebhookField": false},
      {"name": "companyID", "dataType": "integer", "length": 0, "isRequired": true, "isReadOnly": false,
       "isQueryable": true, "isReference": true, "referenceEntityType": "Company", "isPickList": false,
       "picklistValues": null, "picklistParentValueField": "", "isSupportedWebhookField": false}]}"#;
    #[derive(serde::Deserialize, serde::Serialize)]
    struct Fields {
        fields: Vec<codegen::model::FieldInfo>,
    }
    let parsed: Fields = serde_json::from_str(body).unwrap();
    let back: serde_json::Value = serde_json::to_value(&parsed).unwrap();
    let original: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(back, original);
    assert_eq!(
        parsed.fields[0]
            .picklist_values
            .as_ref()
            .map(|p| p[0].label.as_str()),
        Some("General")
    );
}
