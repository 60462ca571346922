use leptos::prelude::*;

#[component]
pub fn ControlsPage() -> impl IntoView {
    view! { <p>"(in progress)"</p> }
}
