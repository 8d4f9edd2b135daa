//! The demo app of `denied`, served with axum.
//!
//! ```sh
//! cargo run --example axum --features axum
//! PORT=8080 DENIED_FORMAT=problem cargo run --example axum --features axum
//! ```

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::routing::get;
use axum::{Json, Router};
use denied::prelude::*;
use denied::{BodyFormat, Config, Forbidden, HttpError, Unauthorized};
use serde_json::{json, Value};

const REALM: &str = "example";

/// The caller, known from a valid bearer token.
struct User {
    name: &'static str,
    roles: &'static [&'static str],
}

impl User {
    fn has_role(&self, role: &str) -> bool {
        self.roles.contains(&role)
    }
}

/// Whoever is asking: a known user, or nobody (no credentials at all).
enum Caller {
    User(User),
    Anonymous,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Unauthorized;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(header) = parts.headers.get(AUTHORIZATION) else {
            return Ok(Caller::Anonymous);
        };
        let token = header
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "));
        match token {
            Some("good") => Ok(Caller::User(User {
                name: "alice",
                roles: &["user"],
            })),
            Some("expired") => Err(Unauthorized::invalid_token(REALM, "the token expired")),
            _ => Err(Unauthorized::invalid_token(REALM, "the token is not valid")),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = Unauthorized;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::User(user) => Ok(user),
            Caller::Anonymous => Err(Unauthorized::bearer(REALM)),
        }
    }
}

/// The query string as text pairs; a query that does not decode is the crate's 400.
fn query(
    params: Result<Query<HashMap<String, String>>, impl std::fmt::Display>,
) -> Result<HashMap<String, String>, HttpError> {
    params
        .map(|Query(params)| params)
        .map_err(|rejection| HttpError::bad_request().with_note(rejection.to_string()))
}

async fn me(user: User) -> Json<Value> {
    Json(json!({ "user": user.name }))
}

async fn admin_reports(
    user: User,
    params: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, HttpError> {
    let params = query(params)?;
    if !user.has_role("admin") {
        let refusal = Forbidden::missing_role("admin");
        return Err(match params.get("message") {
            Some(message) => refusal.with_message(message.clone()),
            None => refusal,
        }
        .into());
    }
    Ok(Json(json!({ "reports": [] })))
}

async fn export_reports(
    user: User,
    params: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, HttpError> {
    let params = query(params)?;
    let scope = params
        .get("scope")
        .cloned()
        .unwrap_or_else(|| "reports:export".to_owned());
    user.has_role("exporter")
        .or_deny_with(|| Forbidden::missing_scope(scope).with_realm(REALM))?;
    Ok(Json(json!({ "export": "started" })))
}

/// A repository exists, but only its owner may know: everyone else gets the genuine 404.
async fn repo(caller: Caller, Path(name): Path<String>) -> Result<Json<Value>, HttpError> {
    const REPOS: &[(&str, &str)] = &[("secret", "bob")];
    let (name, owner) = REPOS
        .iter()
        .find(|(known, _)| *known == name)
        .or_not_found()?;
    match caller {
        Caller::User(user) if user.name == *owner => Ok(Json(json!({ "repo": name }))),
        _ => Err(Forbidden::not_owner().conceal()),
    }
}

async fn boom() -> Result<Json<Value>, HttpError> {
    let rows = query_database().or_internal()?;
    Ok(Json(json!({ "rows": rows })))
}

fn query_database() -> Result<u64, std::io::Error> {
    Err(std::io::Error::other(
        "connection to db-primary refused (password=hunter2)",
    ))
}

async fn slow_down(
    params: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
) -> HttpError {
    let after = match query(params) {
        Ok(params) => params.get("after").map(|text| text.parse::<u64>()),
        Err(error) => return error,
    };
    match after {
        None => HttpError::too_many_requests().with_retry_after(Duration::from_secs(30)),
        Some(Ok(seconds)) => {
            HttpError::too_many_requests().with_retry_after(Duration::from_secs(seconds))
        }
        Some(Err(_)) => {
            HttpError::bad_request().with_message("`after` must be a whole number of seconds")
        }
    }
}

fn app() -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/admin/reports", get(admin_reports))
        .route("/reports/export", get(export_reports))
        .route("/repos/{name}", get(repo))
        .route("/boom", get(boom))
        .route("/slow-down", get(slow_down))
        .fallback(denied::axum::not_found)
}

/// Logs every refusal with the causes the client never sees.
fn log_refusal(error: &HttpError) {
    let mut line = format!("refused: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        line.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    eprintln!("{line}");
}

fn settings_from_env() -> Result<(BodyFormat, u16), String> {
    let format = match std::env::var("DENIED_FORMAT") {
        Ok(name) => name
            .parse()
            .map_err(|error| format!("DENIED_FORMAT: {error}"))?,
        Err(_) => BodyFormat::Json,
    };
    let port = match std::env::var("PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("PORT={port:?} is not a port number"))?,
        Err(_) => 3000,
    };
    Ok((format, port))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (format, port) = settings_from_env().unwrap_or_else(|message| {
        eprintln!("{message}");
        std::process::exit(2)
    });
    Config::new().format(format).report(log_refusal).install()?;

    let listener =
        tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
    println!("axum demo listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app()).await?;
    Ok(())
}
