use leptos::prelude::*;

#[component]
pub fn ChecklistsPage() -> impl IntoView {
    view! { <p>"Checklists (in progress)"</p> }
}
