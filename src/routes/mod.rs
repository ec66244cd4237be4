//! HTTP handlers, one file per audience, and what they share ([`shared`]).
//! All routes are registered in [`crate::startup::configure`].

pub mod admin;
pub mod assets;
pub mod draw_reads;
pub mod draws;
pub mod funnel;
pub mod health;
pub mod metrics;
pub mod rendered;
pub mod report;
pub mod shared;
pub mod sheets;
pub mod sources;
pub mod views;
pub mod visitor;
pub mod wall;
