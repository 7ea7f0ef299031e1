//! Layer 7, the inventory: every tool of the catalog, and the tools one server process offers,
//! built once from its configuration (read-only mode keeps exactly the tools annotated
//! read-only; the write allow-list drops the write tools of other entities).

use std::collections::BTreeMap;

use rmcp::model::Tool;

use super::call::def::ToolDef;
use super::catalog::{
    attachments, companies, contacts, generic, people, projects, tickets, time_entries, timeline,
};
use super::write::policy::WritePolicy;

/// Every tool, sorted by name.
pub fn all() -> Vec<ToolDef> {
    let mut tools = Vec::new();
    tools.extend(generic::tools());
    tools.extend(tickets::tools());
    tools.extend(companies::tools());
    tools.extend(contacts::tools());
    tools.extend(projects::tools());
    tools.extend(time_entries::tools());
    tools.extend(attachments::tools());
    tools.extend(timeline::tools());
    tools.extend(people::tools());
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
