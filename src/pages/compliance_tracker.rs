use leptos::prelude::*;

#[component]
pub fn ComplianceTrackerPage() -> impl IntoView {
    view! { <p>"Compliance requirements (in progress)"</p> }
}
