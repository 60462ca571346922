//! The domain: types and rules shared by the server and the browser, and (in
//! `server`, compiled only with `ssr`) the SQL and the permission checks.
//! Pages, server functions and REST handlers are thin edges over this module.

pub mod audit;
pub mod checklist;
pub mod common;
pub mod compliance;
pub mod control;
pub mod dashboard;
pub mod enterprise;
pub mod error;
pub mod framework;
pub mod incident;
pub mod page;
pub mod policy;
pub mod policy_rules;
pub mod records;
pub mod user;

#[cfg(feature = "ssr")]
pub mod server;
