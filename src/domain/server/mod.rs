//! The server-only half of the domain: SQL, transactions, the access check
//! and the audit trail. Every write in the application goes through here.

pub mod access;
pub mod audit;
pub mod audits;
pub mod checklists;
pub mod compliance;
pub mod controls;
pub mod dashboard;
pub mod enterprises;
pub mod error;
pub mod frameworks;
pub mod incidents;
pub mod passwords;
pub mod policies;
pub mod records;
pub mod reports;
pub mod tokens;
pub mod users;

pub use access::Actor;
pub use error::{DomainError, DomainResult};
