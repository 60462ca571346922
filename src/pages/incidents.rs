use leptos::prelude::*;

#[component]
pub fn IncidentsPage() -> impl IntoView {
    view! { <p>"Incidents (in progress)"</p> }
}
