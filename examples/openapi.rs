//! The demo app of `denied` with its OpenAPI document, served with axum at `/openapi.json`:
//! each route lists the refusals it may send, and [`denied::utoipa::ErrorResponses`] documents
//! them from the app's own settings, in the body format the app sends.
//!
//! ```sh
//! cargo run --example openapi --features axum,utoipa
//! curl http://127.0.0.1:3000/openapi.json
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
use denied::utoipa::{
    BadRequestResponse, ContentTooLargeResponse, ErrorResponses, ForbiddenResponse,
    InternalServerErrorResponse, MethodNotAllowedResponse, NotFoundResponse,
    TooManyRequestsResponse, UnauthorizedResponse, UnprocessableContentResponse,
    UnsupportedMediaTypeResponse,
};
use denied::HttpError;
use serde_json::Value;
use tower_layer::Layer;
use utoipa::OpenApi;

type Params = Query<HashMap<String, String>>;

/// The signed-in user.
#[utoipa::path(get, path = "/me", responses(
    (status = 200, description = "The signed-in user", body = Value),
    BadRequestResponse, UnauthorizedResponse, MethodNotAllowedResponse,
))]
async fn me(user: User) -> Json<Value> {
    Json(demo::me(&user))
}

/// The reports, for admins.
#[utoipa::path(get, path = "/admin/reports", responses(
    (status = 200, description = "The reports", body = Value),
    BadRequestResponse, UnauthorizedResponse, ForbiddenResponse,
))]
async fn admin_reports(user: User, Query(params): Params) -> Result<Json<Value>, HttpError> {
    let message = params.get("message").map(String::as_str);
    Ok(Json(demo::admin_reports(&user, message)?))
}

/// Starts an export, for tokens with the scope `reports:export`.
#[utoipa::path(get, path = "/reports/export", responses(
    (status = 200, description = "The export started", body = Value),
    BadRequestResponse, UnauthorizedResponse, ForbiddenResponse,
))]
async fn export_reports(user: User, Query(params): Params) -> Result<Json<Value>, HttpError> {
    let scope = params.get("scope").map(String::as_str);
    Ok(Json(demo::export_reports(&user, scope)?))
}

/// A repository, for its owner; to everyone else it does not exist.
#[utoipa::path(get, path = "/repos/{name}", params(("name" = String, Path)), responses(
    (status = 200, description = "The repository", body = Value),
    BadRequestResponse, UnauthorizedResponse, NotFoundResponse,
))]
async fn repo(caller: Option<User>, Path(name): Path<String>) -> Result<Json<Value>, HttpError> {
    Ok(Json(demo::repo(caller.as_ref(), &name)?))
}

/// Places an order.
#[utoipa::path(post, path = "/orders", request_body = Value, responses(
    (status = 201, description = "The order as stored", body = Value),
    BadRequestResponse, UnauthorizedResponse, ContentTooLargeResponse, UnsupportedMediaTypeResponse, UnprocessableContentResponse,
    MethodNotAllowedResponse,
))]
async fn create_order(user: User, Json(order): Json<Order>) -> (StatusCode, Json<Order>) {
    (StatusCode::CREATED, Json(demo::create_order(&user, order)))
}

/// One order.
#[utoipa::path(get, path = "/orders/{id}", params(("id" = u32, Path)), responses(
    (status = 200, description = "The order", body = Value),
    BadRequestResponse, UnauthorizedResponse, NotFoundResponse, MethodNotAllowedResponse,
))]
async fn order(user: User, Path(id): Path<u32>) -> Result<Json<Value>, HttpError> {
    Ok(Json(demo::order(&user, id)?))
}

/// Always fails, with a cause the client never sees.
#[utoipa::path(get, path = "/boom", responses(InternalServerErrorResponse))]
async fn boom() -> Result<Json<Value>, HttpError> {
    Ok(Json(demo::boom()?))
}

/// Always panics; the app answers and keeps serving.
#[utoipa::path(get, path = "/panic", responses(InternalServerErrorResponse))]
async fn panic() -> Json<Value> {
    Json(demo::panic())
}

/// Always says to come back later.
#[utoipa::path(get, path = "/slow-down", params(("after" = Option<u64>, Query)), responses(
    BadRequestResponse, TooManyRequestsResponse,
))]
async fn slow_down(Query(params): Params) -> HttpError {
    demo::slow_down(params.get("after").map(String::as_str))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "denied demo", description = "The demo app of `denied`"),
    paths(
        me,
        admin_reports,
        export_reports,
        repo,
        create_order,
        order,
        boom,
        panic,
        slow_down
    )
)]
struct Api;

fn main() -> std::io::Result<()> {
    let (listener, config) = demo::start("openapi");
    let mut document = Api::openapi();
    ErrorResponses::new(&config)
        .map_err(std::io::Error::other)?
        .apply(&mut document);
    let document = document.to_json().map_err(std::io::Error::other)?;
    let app = Router::new()
        .route("/me", get(me))
        .route("/admin/reports", get(admin_reports))
        .route("/reports/export", get(export_reports))
        .route("/repos/{name}", get(repo))
        .route("/orders", post(create_order))
        .route("/orders/{id}", get(order))
        .route("/boom", get(boom))
        .route("/panic", get(panic))
        .route("/slow-down", get(slow_down))
        .route(
            "/openapi.json",
            get(|| async { ([("content-type", "application/json")], document) }),
        )
        .fallback(denied::axum::not_found)
        .layer(DefaultBodyLimit::max(demo::BODY_LIMIT));
    let app = ErrorLayer::with_config(config)
        .map_err(std::io::Error::other)?
        .layer(app);
    demo::serve_on_tokio(listener, |listener| async {
        axum::serve(listener, ServiceExt::<Request>::into_make_service(app)).await
    })
}
