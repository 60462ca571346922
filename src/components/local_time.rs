use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// A timestamp: rendered in UTC with a marker on the server (and before
/// hydration), then shown in the reader's own time zone.
#[component]
pub fn LocalTime(at: DateTime<Utc>) -> impl IntoView {
    let text = RwSignal::new(format!("{} UTC", at.format("%Y-%m-%d %H:%M")));
    let iso = at.to_rfc3339();
    #[cfg(feature = "hydrate")]
    {
        let millis = at.timestamp_millis() as f64;
        Effect::new(move |_| {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis));
            let pad = |n: u32| format!("{n:02}");
            text.set(format!(
                "{}-{}-{} {}:{}",
                date.get_full_year(),
                pad(date.get_month() + 1),
                pad(date.get_date()),
                pad(date.get_hours()),
                pad(date.get_minutes())
            ));
        });
    }
    view! { <time datetime=iso>{move || text.get()}</time> }
}
