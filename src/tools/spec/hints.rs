//! The four MCP tool annotations of a tool, and the five combinations the tools use. Whether a
//! tool writes is its `readOnlyHint`, nothing else.

/// The four MCP tool annotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hints {
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
}

/// A read that touches Autotask.
pub const READ: Hints = Hints {
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: true,
};
/// A read answered from the built-in registry (no Autotask request).
pub const LOCAL_READ: Hints = Hints {
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: false,
};
/// A create: not idempotent (calling twice makes two records), not destructive.
pub const CREATE: Hints = Hints {
    read_only: false,
    destructive: false,
    idempotent: false,
    open_world: true,
};
/// An update: overwrites values, idempotent.
pub const UPDATE: Hints = Hints {
    read_only: false,
    destructive: true,
    idempotent: true,
    open_world: true,
};
/// A delete.
pub const DELETE: Hints = Hints {
    read_only: false,
    destructive: true,
    idempotent: true,
    open_world: true,
};
