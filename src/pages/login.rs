use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::serverfn::auth::Login;

/// The sign-in form. It posts to the server function as a plain form, so it
/// works before hydration and without JavaScript.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || {
        login
            .value()
            .get()
            .and_then(|result| result.err())
            .map(|e| e.message)
    };
    view! {
        <Title text="Sign in"/>
        <main class="login-page">
            <section class="card login-card">
                <h1>"Rampart"</h1>
                <p class="muted">"Security and compliance, in one place."</p>
                <ActionForm action=login attr:class="form" attr:aria-label="Sign in">
                    <label for="email">"E-mail"</label>
                    <input id="email" name="email" type="email" autocomplete="username" required/>
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                    <input type="hidden" name="next" prop:value=next value=next/>
                    {move || error().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                    <button type="submit" class="button primary">"Sign in"</button>
                </ActionForm>
            </section>
        </main>
    }
}
