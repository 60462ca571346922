use leptos::prelude::*;

/// A coloured label that always carries its text: colour is never the only
/// signal (print, colour blindness, screen readers).
#[component]
pub fn Badge(
    #[prop(into)] kind: String,
    #[prop(into)] value: String,
    #[prop(into)] label: String,
) -> impl IntoView {
    view! { <span class=format!("badge {kind}-{value}")>{label}</span> }
}
