//! Curated facts: what the REST contract does not say but the API is known to do (required,
//! read-only, reference, picklist and length facts from `API-FACTS.md` §9). They live in
//! `schema/curated.json` and are applied on top of every source, so an import or a refresh
//! never loses them.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::{EntitySnapshot, FieldInfo};
use crate::{Error, Result};

/// `schema/curated.json`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Curated {
    /// Free text for humans.
    #[serde(default, rename = "$comment")]
    pub comment: Option<String>,
    /// Per entity (collection name), per field: the facts to force.
    #[serde(default)]
    pub entities: BTreeMap<String, CuratedEntity>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CuratedEntity {
    #[serde(default)]
    pub fields: BTreeMap<String, FieldPatch>,
    /// Parent foreign keys by parent collection, where inference finds none.
    #[serde(default)]
    pub parent_foreign_keys: BTreeMap<String, String>,
}

/// A partial `FieldInfo`: only the facts given are changed.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldPatch {
    pub data_type: Option<String>,
    pub length: Option<u32>,
    pub is_required: Option<bool>,
    pub is_read_only: Option<bool>,
    pub is_queryable: Option<bool>,
    pub is_reference: Option<bool>,
    pub reference_entity_type: Option<String>,
    pub is_pick_list: Option<bool>,
    pub picklist_parent_value_field: Option<String>,
}

impl Curated {
    pub fn parse(text: &str) -> Result<Self> {
        serde_json::from_str(text)
            .map_err(|e| Error::Input(format!("schema/curated.json is invalid: {e}")))
    }

    /// Applies the facts; a fact naming an unknown entity or field is an error, so a typo or a
    /// renamed field cannot silently drop a curated fact.
    pub fn apply(&self, entities: &mut [EntitySnapshot]) -> Result<()> {
        for (name, ce) in &self.entities {
            let entity = entities
                .iter_mut()
                .find(|e| &e.name == name)
                .ok_or_else(|| {
                    Error::Input(format!("curated.json names unknown entity `{name}`"))
                })?;
            for (field, patch) in &ce.fields {
                let f = entity
                    .fields
                    .iter_mut()
                    .find(|f| &f.name == field)
                    .ok_or_else(|| {
                        Error::Input(format!("curated.json names unknown field `{name}.{field}`"))
                    })?;
                patch.apply(f);
            }
            for (parent, fk) in &ce.parent_foreign_keys {
                let route = entity
                    .routes
                    .parents
                    .iter_mut()
                    .find(|p| &p.parent == parent)
                    .ok_or_else(|| {
                        Error::Input(format!(
                            "curated.json names unknown parent `{parent}` of `{name}`"
                        ))
                    })?;
                route.foreign_key = fk.clone();
            }
        }
        Ok(())
    }
}

impl FieldPatch {
    fn apply(&self, f: &mut FieldInfo) {
        if let Some(v) = &self.data_type {
            f.data_type = v.clone();
        }
        if let Some(v) = self.length {
            f.length = v;
        }
        if let Some(v) = self.is_required {
            f.is_required = v;
        }
        if let Some(v) = self.is_read_only {
            f.is_read_only = v;
        }
        if let Some(v) = self.is_queryable {
            f.is_queryable = v;
        }
        if let Some(v) = self.is_reference {
            f.is_reference = v;
            if !v {
                f.reference_entity_type.clear();
            }
        }
        if let Some(v) = &self.reference_entity_type {
            f.reference_entity_type = v.clone();
        }
        if let Some(v) = self.is_pick_list {
            f.is_pick_list = v;
        }
        if let Some(v) = &self.picklist_parent_value_field {
            f.picklist_parent_value_field = v.clone();
        }
    }
}
