//! How MCP clients reach the server: streamable HTTP (`http`, with its `auth`, `origin` and
//! `health` parts); stdio lives beside it.

pub mod auth;
pub mod health;
pub mod http;
pub mod origin;
