use leptos::prelude::*;

#[component]
pub fn PolicyPage() -> impl IntoView {
    view! { <p>"(in progress)"</p> }
}
