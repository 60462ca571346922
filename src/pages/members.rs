use leptos::prelude::*;

#[component]
pub fn MembersPage() -> impl IntoView {
    view! { <p>"(in progress)"</p> }
}
