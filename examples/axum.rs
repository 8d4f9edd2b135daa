//! The demo app of `denied`, served with axum.
//!
//! ```sh
//! cargo run --example axum --features axum
//! PORT=8080 DENIED_FORMAT=problem cargo run --example axum --features axum
//! ```

#[path = "demo/axum_user.rs"]
mod axum_user;
pub(crate) mod demo;

use std::collections::HashMap;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Router, ServiceExt};
use demo::{Order, User};
use denied::axum::{ErrorLayer, Json, Path, Query};
use denied::{Config, HttpError};
use serde_json::Value;
use tower_layer::Layer;

type Params = Query<HashMap<String, String>>;

async fn me(user: User) -> Json<Value> {
    Json(demo::me(&user))
}

async fn admin_reports(user: User, Query(params): Params) -> Result<Json<Value>, HttpError> {
    let message = params.get("message").map(String::as_str);
    Ok(Json(demo::admin_reports(&user, message)?))
}

async fn export_reports(user: User, Query(params): Params) -> Result<Json<Value>, HttpError> {
    let scope = params.get("scope").map(String::as_str);
    Ok(Json(demo::export_reports(&user, scope)?))
}

async fn repo(caller: Option<User>, Path(name): Path<String>) -> Result<Json<Value>, HttpError> {
    Ok(Json(demo::repo(caller.as_ref(), &name)?))
}

async fn create_order(user: User, Json(order): Json<Order>) -> (StatusCode, Json<Order>) {
    (StatusCode::CREATED, Json(demo::create_order(&user, order)))
}

async fn order(user: User, Path(id): Path<u32>) -> Result<Json<Value>, HttpError> {
    Ok(Json(demo::order(&user, id)?))
}

async fn boom() -> Result<Json<Value>, HttpError> {
    Ok(Json(demo::boom()?))
}

async fn panic() -> Json<Value> {
    Json(demo::panic())
}

async fn slow_down(Query(params): Params) -> HttpError {
    demo::slow_down(params.get("after").map(String::as_str))
}

pub(crate) fn app() -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/admin/reports", get(admin_reports))
        .route("/reports/export", get(export_reports))
        .route("/repos/{name}", get(repo))
        .route("/orders", post(create_order))
        .route("/orders/{id}", get(order))
        .route("/boom", get(boom))
        .route("/panic", get(panic))
        .route("/slow-down", get(slow_down))
        .fallback(denied::axum::not_found)
        .layer(DefaultBodyLimit::max(demo::BODY_LIMIT))
}

/// Serves the app on `listener` until the process ends, every error in the crate's shape and
/// rendered with `config` and what its request says.
pub(crate) fn serve(listener: std::net::TcpListener, config: Config) -> std::io::Result<()> {
    let app = ErrorLayer::with_config(config)
        .map_err(std::io::Error::other)?
        .layer(app());
    demo::serve_on_tokio(listener, |listener| async {
        axum::serve(listener, ServiceExt::<Request>::into_make_service(app)).await
    })
}

fn main() -> std::io::Result<()> {
    let (listener, config) = demo::start("axum");
    serve(listener, config)
}
