//! The HTTP API against a real server on a free port with its own SQLite file.

mod admin;
mod claims;
mod defences;
mod draws;
mod helpers;
mod privacy;
mod sheets;
mod visitor;
