use leptos::prelude::*;

#[component]
pub fn AuditsPage() -> impl IntoView {
    view! { <p>"(in progress)"</p> }
}
