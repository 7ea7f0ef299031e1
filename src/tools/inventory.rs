//! Layer 7, the inventory: every tool of the catalog, and the tools one server process offers,
//! built once from its configuration (read-only mode keeps exactly the tools annotated
//! read-only; the write allow-list drops the write tools of other entities).

use std::collections::BTreeMap;

use rmcp::model::Tool;

use super::call::def::ToolDef;
use super::catalog::{
    attachments, companies, contacts, generic, people, projects, tickets, time_entries, timeline,
};
use super::spec::toolset::Toolset;
use super::write::policy::WritePolicy;

/// The declarations of one area of the catalog.
type Area = fn() -> Vec<ToolDef>;

/// Each area of the catalog and the toolset its tools belong to.
const AREAS: &[(Toolset, Area)] = &[
    (Toolset::Generic, generic::tools),
    (Toolset::Tickets, tickets::tools),
    (Toolset::Tickets, timeline::tools),
    (Toolset::Companies, companies::tools),
    (Toolset::Contacts, contacts::tools),
    (Toolset::Projects, projects::tools),
    (Toolset::Time, time_entries::tools),
    (Toolset::Attachments, attachments::tools),
    (Toolset::People, people::tools),
];

/// Every tool, sorted by name.
pub fn all() -> Vec<ToolDef> {
    let mut tools: Vec<ToolDef> = AREAS
        .iter()
        .flat_map(|(toolset, area)| area().into_iter().map(|t| t.in_toolset(*toolset)))
        .collect();
    tools.sort_by_key(|t| t.name);
    tools
}

/// The tools one server process offers, built once from its configuration.
pub struct Inventory {
    tools: BTreeMap<&'static str, (ToolDef, Tool)>,
}

impl Inventory {
    /// All tools, or in read-only mode only those annotated read-only. Declaration defects
    /// (none in a tested build) are logged.
    pub fn new(read_only: bool) -> Self {
        Inventory::with_policy(read_only, &WritePolicy::all())
    }

    /// Like [`new`](Self::new), without the write tools about entities `policy` does not
    /// allow.
    pub fn with_policy(read_only: bool, policy: &WritePolicy) -> Self {
        let tools = all()
            .into_iter()
            .filter(|def| !(read_only && def.writes()) && policy.offers(&def.spec))
            .map(|def| {
                for defect in &def.defects {
                    tracing::error!(tool = def.name, defect, "tool declaration defect");
                }
                let tool = def.tool();
                (def.name, (def, tool))
            })
            .collect();
        Inventory { tools }
    }

    /// The tool definitions, sorted by name.
    pub fn list(&self) -> Vec<Tool> {
        self.tools.values().map(|(_, t)| t.clone()).collect()
    }

    pub fn tool(&self, name: &str) -> Option<&Tool> {
        self.tools.get(name).map(|(_, t)| t)
    }

    pub fn def(&self, name: &str) -> Option<&ToolDef> {
        self.tools.get(name).map(|(d, _)| d)
    }

    pub fn len(&self) -> usize {
        self.tools.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }
}
