//! Rampart: an enterprise security and compliance manager.

// Leptos views are deeply nested types; the release wasm build of the
// larger pages needs more than the default query depth.
#![recursion_limit = "256"]

pub mod app;
pub mod components;
pub mod domain;
pub mod pages;
pub mod serverfn;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod server;

/// The WebAssembly entry point: hydrate the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Lets end-to-end tests wait for hydration instead of sleeping.
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"__rampartHydrated".into(), &true.into());
    }
}
