use std::net::SocketAddr;

use leptos::config::get_configuration;
use rampart::domain::enterprise::Role;
use rampart::domain::server::enterprises;
use rampart::domain::server::users::{self, NewUser};
use rampart::domain::user::{DisplayName, Email, NewPassword};
use rampart::server::config::Config;
use rampart::server::{db, startup};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub base: String,
    pub pool: PgPool,
}

/// Starts the application exactly as `rampart serve` does, on port 0.
pub async fn spawn_app(pool: PgPool) -> TestApp {
    db::migrate(&pool).await.expect("migrations apply");
    let leptos = get_configuration(Some("Leptos.toml")).expect("Leptos.toml");
    let config = Config {
        database_url: String::new(),
        cookie_secure: false,
        session_idle_minutes: 60,
        database_max_connections: 5,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let state = startup::state(pool.clone(), leptos.leptos_options, config);
    tokio::spawn(async move { startup::serve(listener, state).await.unwrap() });
    TestApp {
        base: format!("http://{addr}"),
        pool,
    }
}

/// A browser-like client: keeps cookies, does not follow redirects.
pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn user(&self, email: &str, is_staff: bool) -> Uuid {
        users::upsert_for_cli(
            &self.pool,
            NewUser {
                email: Email::parse(email).unwrap(),
                name: DisplayName::parse(email.split('@').next().unwrap()).unwrap(),
                password: NewPassword::parse("password", PASSWORD).unwrap(),
                is_staff,
            },
        )
        .await
        .unwrap()
    }

    pub async fn enterprise(&self, slug: &str) -> Uuid {
        enterprises::ensure_for_cli(&self.pool, slug, slug)
            .await
            .unwrap()
    }

    pub async fn member(&self, enterprise: Uuid, user: Uuid, role: Role) {
        enterprises::set_membership_for_cli(&self.pool, enterprise, user, role)
            .await
            .unwrap();
    }

    /// A client signed in as `email` through the API.
    pub async fn login(&self, email: &str) -> Client {
        let client = client();
        let response = client
            .post(self.url("/api/auth/login"))
            .json(&serde_json::json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "login as {email}");
        client
    }
}

/// Status and JSON body (Null when the body is not JSON).
pub async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

/// The session cookie's value from a response's Set-Cookie headers.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{}=", startup::SESSION_COOKIE)))
        .map(|v| v.split(';').next().unwrap().to_string())
}
