//! The demo app of `denied`, served with axum.
//!
//! ```sh
//! cargo run --example axum --features axum
//! PORT=8080 DENIED_FORMAT=problem cargo run --example axum --features axum
//! ```

pub(crate) mod demo;

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::routing::get;
use axum::{Json, Router};
use demo::{Caller, User};
use denied::{HttpError, Unauthorized};
use serde_json::Value;

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Unauthorized;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        demo::caller(
            parts
                .headers
                .get(AUTHORIZATION)
                .map(|value| value.as_bytes()),
        )
    }
}

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = Unauthorized;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        demo::user(
            parts
                .headers
                .get(AUTHORIZATION)
                .map(|value| value.as_bytes()),
        )
    }
}

fn query(params: Params) -> Result<HashMap<String, String>, HttpError> {
    params.map(|Query(params)| params).map_err(demo::bad_query)
}

async fn me(user: User) -> Json<Value> {
    Json(demo::me(&user))
}

async fn admin_reports(user: User, params: Params) -> Result<Json<Value>, HttpError> {
    let params = query(params)?;
    let message = params.get("message").map(String::as_str);
    Ok(Json(demo::admin_reports(&user, message)?))
}

async fn export_reports(user: User, params: Params) -> Result<Json<Value>, HttpError> {
    let params = query(params)?;
    let scope = params.get("scope").map(String::as_str);
    Ok(Json(demo::export_reports(&user, scope)?))
}

async fn repo(caller: Caller, Path(name): Path<String>) -> Result<Json<Value>, HttpError> {
    Ok(Json(demo::repo(&caller, &name)?))
}

async fn boom() -> Result<Json<Value>, HttpError> {
    Ok(Json(demo::boom()?))
}

async fn slow_down(params: Params) -> HttpError {
    match query(params) {
        Ok(params) => demo::slow_down(params.get("after").map(String::as_str)),
        Err(error) => error,
    }
}

pub(crate) fn app() -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/admin/reports", get(admin_reports))
        .route("/reports/export", get(export_reports))
        .route("/repos/{name}", get(repo))
        .route("/boom", get(boom))
        .route("/slow-down", get(slow_down))
        .fallback(denied::axum::not_found)
        .method_not_allowed_fallback(denied::axum::method_not_allowed)
}

/// Serves the app on `listener` until the process ends.
pub(crate) fn serve(listener: std::net::TcpListener) -> std::io::Result<()> {
    demo::serve_on_tokio(listener, |listener| async {
        axum::serve(listener, app()).await
    })
}

fn main() -> std::io::Result<()> {
    serve(demo::start("axum"))
}
