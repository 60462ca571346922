use tracing_subscriber::EnvFilter;

/// Logs to stderr; `RUST_LOG` sets the level (default: info for Rampart,
/// warnings for libraries).
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("rampart=info,tower_http=warn,sqlx=warn,warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}
