//! What the registry is made of: an entity's definition (routes, fields), a field's
//! definition and data type, and where a write of an entity goes. The generated registry
//! (`generated`) is a static array of these.

/// Wire type of a field, as `entityInformation/fields` names it in `dataType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    Integer,
    Long,
    Short,
    Double,
    Decimal,
    Boolean,
    DateTime,
    String,
}

impl DataType {
    /// The `dataType` string of the REST API.
    pub fn as_str(self) -> &'static str {
        match self {
            DataType::Integer => "integer",
            DataType::Long => "long",
            DataType::Short => "short",
            DataType::Double => "double",
            DataType::Decimal => "decimal",
            DataType::Boolean => "boolean",
            DataType::DateTime => "datetime",
            DataType::String => "string",
        }
    }

    /// Integer-valued (`integer`, `long`, `short`).
    pub fn is_integer(self) -> bool {
        matches!(self, DataType::Integer | DataType::Long | DataType::Short)
    }

    /// Any number.
    pub fn is_number(self) -> bool {
        self.is_integer() || matches!(self, DataType::Double | DataType::Decimal)
    }
}

/// One field of an entity (`FieldInformationModel` without tenant picklist values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    pub name: &'static str,
    pub data_type: DataType,
    /// Maximum length for strings; 0 when not applicable.
    pub length: u32,
    pub is_required: bool,
    pub is_read_only: bool,
    pub is_queryable: bool,
    pub is_reference: bool,
    /// Singular name of the referenced entity (`Company`), or `""`.
    pub reference_entity_type: &'static str,
    pub is_pick_list: bool,
    /// For a dependent picklist, the field selecting the list (`issueType`), or `""`.
    pub picklist_parent_value_field: &'static str,
    pub is_supported_webhook_field: bool,
}

/// What the root collection `/V1.0/{name}` supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RootRoutes {
    pub query: bool,
    pub count: bool,
    pub get: bool,
    pub create: bool,
    pub patch: bool,
    pub put: bool,
    pub delete: bool,
}

impl RootRoutes {
    /// True when the root collection has no route at all.
    pub fn is_empty(&self) -> bool {
        !(self.query
            || self.count
            || self.get
            || self.create
            || self.patch
            || self.put
            || self.delete)
    }
}

/// A parent-scoped route `/V1.0/{parent}/{parentId}/{segment}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParentRoute {
    /// Parent collection (`Tickets`).
    pub parent: &'static str,
    /// URL segment (`Notes`).
    pub segment: &'static str,
    /// The child's field holding the parent id (`ticketID`), or `""`.
    pub foreign_key: &'static str,
    pub list: bool,
    pub get: bool,
    pub create: bool,
    pub patch: bool,
    pub put: bool,
    pub delete: bool,
}

/// One entity: capabilities, fields and routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntityDef {
    /// Collection name used in URLs (`Tickets`).
    pub name: &'static str,
    /// Singular name Autotask reports (`Ticket`), used by `referenceEntityType`.
    pub singular: &'static str,
    pub can_create: bool,
    pub can_update: bool,
    pub can_query: bool,
    pub can_delete: bool,
    pub user_access_for_create: u8,
    pub user_access_for_update: u8,
    pub user_access_for_query: u8,
    pub user_access_for_delete: u8,
    pub has_user_defined_fields: bool,
    pub supports_webhook_callouts: bool,
    pub root: RootRoutes,
    pub parents: &'static [ParentRoute],
    pub fields: &'static [FieldDef],
}

/// Where a create, update or delete of an entity is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteRoute {
    /// `/V1.0/{entity}` (or `/V1.0/{entity}/{id}` for a delete).
    Root,
    /// `/V1.0/{parent}/{parentId}/{segment}`.
    Parent(&'static ParentRoute),
}

/// The kind of write, to pick a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    Create,
    Patch,
    Put,
    Delete,
}

impl EntityDef {
    /// The field with this name, ignoring case.
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The parent route under `parent` (collection name, ignoring case).
    pub fn parent_route(&self, parent: &str) -> Option<&'static ParentRoute> {
        self.parents
            .iter()
            .find(|p| p.parent.eq_ignore_ascii_case(parent))
    }

    /// Where a write of this kind goes: the root when it supports it, else the first parent
    /// route that does. `None` when the entity does not support the write at all.
    pub fn write_route(&self, kind: WriteKind) -> Option<WriteRoute> {
        let root = match kind {
            WriteKind::Create => self.root.create,
            WriteKind::Patch => self.root.patch,
            WriteKind::Put => self.root.put,
            WriteKind::Delete => self.root.delete,
        };
        if root {
            return Some(WriteRoute::Root);
        }
        self.parents
            .iter()
            .find(|p| match kind {
                WriteKind::Create => p.create,
                WriteKind::Patch => p.patch,
                WriteKind::Put => p.put,
                WriteKind::Delete => p.delete,
            })
            .map(WriteRoute::Parent)
    }
}
