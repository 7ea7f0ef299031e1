//! Layer 6, the catalog: the tools of each area, one file each, declared with the layers
//! below. The generic tools (any entity by name) have their own folder.

pub mod args;
pub mod attachments;
pub mod companies;
pub mod contacts;
pub mod generic;
pub mod people;
pub mod projects;
pub mod tickets;
pub mod time_entries;
pub mod timeline;
