//! Typed handles on the registry: [`Entity`] and [`Field`], the types of the generated
//! constants (`registry::tickets::ENTITY`, `registry::tickets::TITLE`). A handle is a pointer
//! into the static registry, fixed at compile time: `.def()` costs no lookup and a misspelt
//! constant does not compile.

use std::fmt;
use std::hash::{Hash, Hasher};

use super::generated::ENTITIES;
use super::model::{EntityDef, FieldDef};

/// One generated entity module for the tests: its name, its `ENTITY` and every field constant
/// with its name (`generated HANDLES`).
#[cfg(test)]
pub(crate) type ModuleConstants = (&'static str, Entity, &'static [(&'static str, Field)]);

/// One entity of the registry (`registry::tickets::ENTITY`).
#[derive(Clone, Copy)]
pub struct Entity(&'static EntityDef);

impl Entity {
    /// `ENTITIES[index]`; used by the generated constants (a bad index fails the build).
    pub(crate) const fn at(index: usize) -> Entity {
        Entity(&ENTITIES[index])
    }

    /// The collection name used in URLs and by the tools (`Tickets`).
    pub const fn name(self) -> &'static str {
        self.0.name
    }

    /// The singular name Autotask reports (`Ticket`).
    pub const fn singular(self) -> &'static str {
        self.0.singular
    }

    /// Everything the registry knows about the entity.
    pub const fn def(self) -> &'static EntityDef {
        self.0
    }

    /// `fields[index]` of this entity; used by the generated constants (a bad index fails the
    /// build).
    pub(crate) const fn field_at(self, index: usize) -> Field {
        Field {
            entity: self.0,
            def: &self.0.fields[index],
        }
    }
}

/// One field of one entity (`registry::tickets::TITLE`).
#[derive(Clone, Copy)]
pub struct Field {
    entity: &'static EntityDef,
    def: &'static FieldDef,
}

impl Field {
    /// The field's API name, as sent and received (`assignedResourceID`).
    pub const fn name(self) -> &'static str {
        self.def.name
    }

    /// Everything the registry knows about the field.
    pub const fn def(self) -> &'static FieldDef {
        self.def
    }

    /// The entity the field belongs to.
    pub const fn entity(self) -> Entity {
        Entity(self.entity)
    }
}

// Equality is identity: two handles are equal when they point at the same definition.
impl PartialEq for Entity {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for Entity {}

impl Hash for Entity {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.name.hash(state);
    }
}

impl PartialEq for Field {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.def, other.def)
    }
}

impl Eq for Field {}

impl Hash for Field {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.entity.name.hash(state);
        self.def.name.hash(state);
    }
}

// Debug names the handle instead of printing the whole definition.
impl fmt::Debug for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Entity({})", self.0.name)
    }
}

impl fmt::Debug for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Field({}.{})", self.entity.name, self.def.name)
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.def.name)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::{self as registry, HANDLES, entities};

    /// `ASSIGNED_RESOURCE_ID` and `assignedResourceID` name the same field: letters and digits
    /// alike, ignoring case, underscores and the `_` suffixes that resolve clashes.
    fn same_name(rust: &str, api: &str) -> bool {
        let letters = |s: &str| -> String {
            s.chars()
                .filter(|c| *c != '_')
                .map(|c| c.to_ascii_lowercase())
                .collect()
        };
        letters(rust) == letters(api)
    }

    #[test]
    fn every_constant_names_its_own_definition_for_every_entity() {
        assert_eq!(HANDLES.len(), entities().len(), "one module per entity");
        for ((module, entity, fields), def) in HANDLES.iter().zip(entities()) {
            assert!(std::ptr::eq(entity.def(), def), "{module}::ENTITY");
            assert!(same_name(module, def.name), "{module} for {}", def.name);
            assert_eq!(
                fields.len(),
                def.fields.len(),
                "{module}: one constant per field"
            );
            for ((constant, field), field_def) in fields.iter().zip(def.fields) {
                assert!(
                    std::ptr::eq(field.def(), field_def),
                    "{module}::{constant} points at {}, not {}",
                    field.name(),
                    field_def.name
                );
                assert_eq!(field.def().name, field.name());
                assert!(
                    same_name(constant, field.name()),
                    "{module}::{constant} is `{}`",
                    field.name()
                );
                assert_eq!(field.entity(), *entity, "{module}::{constant}");
            }
            let distinct: BTreeSet<&str> = fields.iter().map(|(c, _)| *c).collect();
            assert_eq!(distinct.len(), fields.len(), "{module}: distinct constants");
        }
    }

    #[test]
    fn constants_read_as_the_api_names() {
        assert_eq!(registry::tickets::ENTITY.name(), "Tickets");
        assert_eq!(registry::tickets::ENTITY.singular(), "Ticket");
        assert_eq!(registry::tickets::TITLE.name(), "title");
        assert_eq!(
            registry::tickets::ASSIGNED_RESOURCE_ID.name(),
            "assignedResourceID"
        );
        assert_eq!(
            registry::ticket_notes::ENTITY.def().name,
            registry::find("TicketNotes")
                .map(|e| e.name)
                .unwrap_or_default()
        );
        assert_eq!(
            registry::tickets::TITLE.def().length,
            255,
            "the definition comes along"
        );
        assert_eq!(registry::tickets::TITLE.entity(), registry::tickets::ENTITY);
        assert_ne!(registry::tickets::TITLE, registry::tickets::STATUS);
        assert_eq!(
            format!("{:?}", registry::tickets::TITLE),
            "Field(Tickets.title)"
        );
        assert_eq!(registry::time_entries::ENTITY.to_string(), "TimeEntries");
    }

    #[test]
    fn constants_work_in_const_context() {
        const COLUMNS: [&str; 2] = [
            registry::tickets::TICKET_NUMBER.name(),
            registry::tickets::TITLE.name(),
        ];
        assert_eq!(COLUMNS, ["ticketNumber", "title"]);
    }
}
