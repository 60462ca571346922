use leptos::prelude::*;

use crate::domain::error::{AppError, ErrorCode};

/// A full-page error: 401 offers the login page, 403 and 404 a way home.
#[component]
pub fn ErrorPage(status: u16, #[prop(into)] message: String) -> impl IntoView {
    let title = match status {
        401 => "Please sign in",
        403 => "Access denied",
        404 => "Not found",
        _ => "Something went wrong",
    };
    view! {
        <main class="error-page">
            <div class="card">
                <p class="error-status">{status}</p>
                <h1>{title}</h1>
                <p>{message}</p>
                {if status == 401 {
                    view! { <a class="button" href="/login">"Sign in"</a> }.into_any()
                } else {
                    view! { <a class="button" href="/">"Go to your enterprises"</a> }.into_any()
                }}
            </div>
        </main>
    }
}

/// The error page for a failed page load.
#[component]
pub fn AppErrorPage(error: AppError) -> impl IntoView {
    let status = error.status().as_u16();
    let message = match error.code {
        ErrorCode::Forbidden => {
            "You are not a member of this enterprise. Ask one of its admins for access.".to_string()
        }
        _ => error.message,
    };
    view! { <ErrorPage status message/> }
}
