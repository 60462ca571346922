use leptos::prelude::*;
use leptos_router::components::A;

/// A row of tabs that are plain links (`?tab=…`): they work before
/// hydration, and after it the router switches them without a page load.
#[component]
pub fn TabLinks(
    tabs: Vec<(&'static str, &'static str)>,
    #[prop(into)] active: Signal<String>,
    #[prop(into)] base: String,
) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Security tabs">
            {tabs
                .into_iter()
                .map(|(key, label)| {
                    let href = format!("{base}?tab={key}");
                    let selected = move || active.get() == key;
                    view! {
                        <A href=href attr:class=move || if selected() { "tab active" } else { "tab" }
                            attr:aria-current=move || selected().then_some("page")>
                            {label}
                        </A>
                    }
                })
                .collect_view()}
        </nav>
    }
}
