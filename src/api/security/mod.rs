//! `/api/security/...`: the enterprise security records.

mod audit_log;
mod audits;
mod checklists;
mod compliance;
mod controls;

pub(crate) use controls::upload_evidence_form;
mod frameworks;
mod incidents;
mod policies;

use axum::routing::get;
use axum::Router;

use crate::server::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/frameworks", get(frameworks::list))
        .route("/frameworks/{id}", get(frameworks::get))
        .route(
            "/frameworks/{id}/requirements",
            get(frameworks::requirements),
        )
        .route("/policies", get(policies::list).post(policies::create))
        .route(
            "/policies/{id}",
            get(policies::get)
                .put(policies::update)
                .patch(policies::update)
                .delete(policies::delete),
        )
        .route("/policies/{id}/compliance-summary", get(policies::summary))
        .merge(audit_log::routes())
        .merge(audits::routes())
        .merge(checklists::routes())
        .merge(controls::routes())
        .merge(compliance::routes())
        .merge(incidents::routes())
}
