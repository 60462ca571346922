//! Integration tests: the real application on a random port, against a fresh
//! PostgreSQL database per test (`#[sqlx::test]`).

mod access;
mod api_basics;
mod audit_log;
mod audits;
mod auth;
mod checklists;
mod common;
mod compliance;
mod controls;
mod dashboard;
mod incidents;
mod openapi;
mod pages;
mod policies;
