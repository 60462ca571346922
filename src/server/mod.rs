//! Process-level concerns: configuration, start-up, the router, sessions,
//! the CLI and telemetry. No business rules live here.

pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod demo_records;
pub mod startup;
pub mod state;
pub mod telemetry;

pub use state::AppState;
