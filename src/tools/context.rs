//! What a tool call may use: the Autotask client, the tenant's picklist cache and the
//! settings that shape answers. The server builds one `Context` per process and hands it to
//! every call; tools never reach into the server or the transport.

use std::sync::Arc;

use crate::autotask::AutotaskClient;
use crate::picklists::{DEFAULT_TTL, PicklistCache};

/// Settings of the tools, from the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Ticket status codes that count as closed (`openOnly`).
    pub closed_status_ids: Arc<[i64]>,
    /// True when write tools are not offered.
    pub read_only: bool,
}

impl Settings {
    pub fn new(closed_status_ids: Vec<i64>, read_only: bool) -> Settings {
        Settings {
            closed_status_ids: closed_status_ids.into(),
            read_only,
        }
    }
}

/// Everything a tool call needs. Cheap to clone (all shared).
#[derive(Clone)]
pub struct Context {
    pub client: AutotaskClient,
    pub picklists: PicklistCache,
    pub settings: Settings,
}

impl Context {
    pub fn new(client: AutotaskClient, settings: Settings) -> Context {
        Context {
            picklists: PicklistCache::new(client.clone(), DEFAULT_TTL),
            client,
            settings,
        }
    }
}
