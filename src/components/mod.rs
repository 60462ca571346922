//! Reusable pieces of the pages.

pub mod error_page;
pub mod header;
pub mod metric_card;
pub mod tabs;
