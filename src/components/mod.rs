//! Reusable pieces of the pages.

pub mod badges;
pub mod error_page;
pub mod header;
pub mod incident_dialog;
pub mod local_time;
pub mod metric_card;
pub mod posture;
pub mod tabs;
