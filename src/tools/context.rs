//! What a tool call may use: the Autotask client, the tenant's picklist cache, the names
//! cache and the settings that shape answers. The server builds one `Context` per process and
//! hands it to every call; tools never reach into the server or the transport.

use std::sync::Arc;
use std::time::Duration;

use super::names::{self, NameCache};
use crate::autotask::AutotaskClient;
use crate::picklists::{DEFAULT_TTL, PicklistCache};

/// Default cap on `maxRecords` (rows one call may page through).
pub const DEFAULT_MAX_RECORDS_CAP: usize = 2_000;
/// Default size budget of one result, in bytes of JSON: well under what common clients accept
/// (Claude Code refuses a tool result above 25,000 tokens).
pub const DEFAULT_RESULT_MAX_BYTES: usize = 40_000;

/// Settings of the tools, from the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Ticket status codes that count as closed (`openOnly`).
    pub closed_status_ids: Arc<[i64]>,
    /// True when write tools are not offered.
    pub read_only: bool,
    /// Most rows one call may page through.
    pub max_records_cap: usize,
    /// Most bytes of JSON one result carries.
    pub result_max_bytes: usize,
    /// How long names of referenced records are reused.
    pub names_ttl: Duration,
}

impl Settings {
    pub fn new(closed_status_ids: Vec<i64>, read_only: bool) -> Settings {
        Settings {
            closed_status_ids: closed_status_ids.into(),
            read_only,
            max_records_cap: DEFAULT_MAX_RECORDS_CAP,
            result_max_bytes: DEFAULT_RESULT_MAX_BYTES,
            names_ttl: names::DEFAULT_TTL,
        }
    }
}

/// Everything a tool call needs. Cheap to clone (all shared).
#[derive(Clone)]
pub struct Context {
    pub client: AutotaskClient,
    pub picklists: PicklistCache,
    pub names: NameCache,
    pub settings: Settings,
}

impl Context {
    pub fn new(client: AutotaskClient, settings: Settings) -> Context {
        Context {
            picklists: PicklistCache::new(client.clone(), DEFAULT_TTL),
            names: NameCache::new(client.clone(), settings.names_ttl),
            client,
            settings,
        }
    }
}
