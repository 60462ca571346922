//! One file per route.

pub mod home;
pub mod login;
pub mod security;
