//! Configuration from the environment, with local defaults.

use std::env;

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// `Secure` on the session cookie; `RAMPART_COOKIE_SECURE=false` only for
    /// plain http on localhost (scripts/run sets it).
    pub cookie_secure: bool,
    /// Idle time after which a session ends.
    pub session_idle_minutes: i64,
    pub database_max_connections: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("DATABASE_URL is not set: point it at a PostgreSQL database (scripts/run starts one for you)")]
    MissingDatabaseUrl,
    #[error("{name} must be {expected}, not {value:?}")]
    Invalid {
        name: &'static str,
        expected: &'static str,
        value: String,
    },
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let database_url = env::var("DATABASE_URL").map_err(|_| ConfigError::MissingDatabaseUrl)?;
        Ok(Config {
            database_url,
            cookie_secure: flag("RAMPART_COOKIE_SECURE", true)?,
            session_idle_minutes: number("RAMPART_SESSION_IDLE_MINUTES", 480, 5, 10_080)?,
            database_max_connections: number("RAMPART_DB_MAX_CONNECTIONS", 10, 1, 500)? as u32,
        })
    }
}

fn flag(name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match env::var(name) {
        Err(_) => Ok(default),
        Ok(value) => match value.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(ConfigError::Invalid {
                name,
                expected: "true or false",
                value,
            }),
        },
    }
}

fn number(name: &'static str, default: i64, min: i64, max: i64) -> Result<i64, ConfigError> {
    match env::var(name) {
        Err(_) => Ok(default),
        Ok(value) => match value.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(ConfigError::Invalid {
                name,
                expected: "a whole number in range",
                value,
            }),
        },
    }
}
