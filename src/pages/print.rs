use leptos::prelude::*;

#[component]
pub fn PrintCompliance() -> impl IntoView {
    view! { <p>"Compliance report (in progress)"</p> }
}

#[component]
pub fn PrintSoa() -> impl IntoView {
    view! { <p>"Statement of Applicability (in progress)"</p> }
}
