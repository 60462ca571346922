//! The HTML shell and the route table.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::error_page::ErrorPage;
use crate::pages::audits::AuditsPage;
use crate::pages::checklists::ChecklistsPage;
use crate::pages::compliance_tracker::ComplianceTrackerPage;
use crate::pages::controls::ControlsPage;
use crate::pages::home::HomePage;
use crate::pages::incidents::IncidentsPage;
use crate::pages::login::LoginPage;
use crate::pages::members::MembersPage;
use crate::pages::policy::PolicyPage;
use crate::pages::print::{PrintCompliance, PrintSoa};
use crate::pages::security::SecurityPage;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/rampart.css"/>
        <Title formatter=|title: String| if title.is_empty() { "Rampart".to_string() } else { format!("{title} · Rampart") }/>
        <Router>
            <Routes fallback=|| view! { <ErrorPage status=404 message="This page does not exist."/> }>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                <Route path=path!("/enterprise/:id/security") view=SecurityPage ssr=SsrMode::Async/>
                <Route path=path!("/enterprise/:id/incidents") view=IncidentsPage ssr=SsrMode::Async/>
                <Route path=path!("/enterprise/:id/checklists") view=ChecklistsPage ssr=SsrMode::Async/>
                <Route path=path!("/enterprise/:id/compliance") view=ComplianceTrackerPage ssr=SsrMode::Async/>
                <Route path=path!("/enterprise/:id/policy") view=PolicyPage ssr=SsrMode::Async/>
                <Route path=path!("/enterprise/:id/controls") view=ControlsPage ssr=SsrMode::Async/>
                <Route path=path!("/enterprise/:id/audits") view=AuditsPage ssr=SsrMode::Async/>
                <Route path=path!("/enterprise/:id/members") view=MembersPage ssr=SsrMode::Async/>
                <Route path=path!("/enterprise/:id/compliance/print") view=PrintCompliance ssr=SsrMode::Async/>
                <Route path=path!("/enterprise/:id/soa/print") view=PrintSoa ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
