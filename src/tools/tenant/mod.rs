//! Layer 2, what the tenant knows: its live picklists (labels and codes both ways, defaults,
//! UDF definitions), the names of referenced records, user-defined fields by name, and the
//! roles its resources work under. Everything here reads through the [`Tenant`] handle.

pub mod labels;
pub mod names;
pub mod picklists;
pub mod roles;
pub mod udfs;

use std::time::Duration;

use crate::autotask::AutotaskClient;
use names::NameCache;
use picklists::{DEFAULT_TTL, PicklistCache};

/// The Autotask client and its caches of the tenant's picklists and record names. Cheap to
/// clone (all shared).
#[derive(Clone)]
pub struct Tenant {
    pub client: AutotaskClient,
    pub picklists: PicklistCache,
    pub names: NameCache,
}

impl Tenant {
    /// The tenant behind `client`, trusting names for `names_ttl`.
    pub fn new(client: AutotaskClient, names_ttl: Duration) -> Tenant {
        Tenant {
            picklists: PicklistCache::new(client.clone(), DEFAULT_TTL),
            names: NameCache::new(client.clone(), names_ttl),
            client,
        }
    }
}
