//! HTTP handlers, one file per audience. All routes are registered in
//! [`crate::startup::configure`].

pub mod admin;
pub mod assets;
pub mod draws;
pub mod health;
pub mod views;
pub mod visitor;

pub use crate::clock::{now, rfc3339};
