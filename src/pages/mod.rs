//! One file per route.

pub mod audits;
pub mod checklists;
pub mod compliance_tracker;
pub mod controls;
pub mod home;
pub mod incidents;
pub mod login;
pub mod members;
pub mod policy;
pub mod print;
pub mod security;
