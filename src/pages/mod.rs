//! One file per route.

pub mod checklists;
pub mod compliance_tracker;
pub mod home;
pub mod incidents;
pub mod login;
pub mod print;
pub mod security;
