use leptos::prelude::*;

/// How a figure should read at a glance. Always paired with text, never the
/// only signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Neutral,
    Good,
    Warning,
    Critical,
}

impl Tone {
    pub fn class(self) -> &'static str {
        match self {
            Tone::Neutral => "tone-neutral",
            Tone::Good => "tone-good",
            Tone::Warning => "tone-warning",
            Tone::Critical => "tone-critical",
        }
    }
}

/// One headline figure: title, value, a line of detail and an optional
/// progress bar (0–100).
#[component]
pub fn MetricCard(
    #[prop(into)] title: String,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] detail: Signal<String>,
    #[prop(into)] tone: Signal<Tone>,
    #[prop(optional, into)] progress: Option<Signal<Option<f64>>>,
) -> impl IntoView {
    view! {
        <article class=move || format!("metric-card {}", tone.get().class()) aria-label=title.clone()>
            <h2 class="metric-title">{title.clone()}</h2>
            <p class="metric-value">{move || value.get()}</p>
            {progress
                .map(|progress| {
                    let label = format!("{title} progress");
                    view! {
                        <div class="progress" role="progressbar" aria-label=label aria-valuemin="0" aria-valuemax="100"
                            aria-valuenow=move || progress.get().map(|p| format!("{p:.0}"))>
                            <div class="progress-fill" style:width=move || format!("{:.1}%", progress.get().unwrap_or(0.0))></div>
                        </div>
                    }
                })}
            <p class="metric-detail">{move || detail.get()}</p>
        </article>
    }
}
