//! The demo app of `denied`, served with poem.
//!
//! ```sh
//! cargo run --example poem --features poem
//! PORT=8080 DENIED_FORMAT=problem cargo run --example poem --features poem
//! ```

pub(crate) mod demo;

use std::collections::HashMap;

use demo::{Order, User};
use denied::http::Method;
use denied::poem::{allow, ErrorHandling, Json, JsonLimit};
use denied::{BearerToken, Config, HttpError};
use poem::http::StatusCode;
use poem::listener::TcpAcceptor;
use poem::web::{Path, Query};
use poem::{get, handler, post, Endpoint, EndpointExt, FromRequest, Request, RequestBody, Route};
use serde_json::Value;

type Params = Query<HashMap<String, String>>;

/// The caller, known from a valid bearer token; `BearerToken` answers a missing or malformed
/// `Authorization` header.
impl<'a> FromRequest<'a> for User {
    async fn from_request(request: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let token = BearerToken::from_request(request, body).await?;
        Ok(demo::verify(&token).map_err(HttpError::from)?)
    }
}

/// The caller if the request has a token, else nobody; a token that is not valid is refused.
pub(crate) struct Caller(Option<User>);

impl<'a> FromRequest<'a> for Caller {
    async fn from_request(request: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let token = BearerToken::optional_from_headers(request.headers())?;
        let user = token.map(|token| demo::verify(&token)).transpose();
        Ok(Self(user.map_err(HttpError::from)?))
    }
}

#[handler]
fn me(user: User) -> Json<Value> {
    Json(demo::me(&user))
}

#[handler]
fn admin_reports(user: User, Query(params): Params) -> Result<Json<Value>, HttpError> {
    let message = params.get("message").map(String::as_str);
    Ok(Json(demo::admin_reports(&user, message)?))
}

#[handler]
fn export_reports(user: User, Query(params): Params) -> Result<Json<Value>, HttpError> {
    let scope = params.get("scope").map(String::as_str);
    Ok(Json(demo::export_reports(&user, scope)?))
}

#[handler]
fn repo(caller: Caller, Path(name): Path<String>) -> Result<Json<Value>, HttpError> {
    Ok(Json(demo::repo(caller.0.as_ref(), &name)?))
}

#[handler]
fn create_order(user: User, Json(placed): Json<Order>) -> (StatusCode, Json<Order>) {
    (StatusCode::CREATED, Json(demo::create_order(&user, placed)))
}

#[handler]
fn order(user: User, Path(id): Path<u32>) -> Result<Json<Value>, HttpError> {
    Ok(Json(demo::order(&user, id)?))
}

#[handler]
fn boom() -> Result<Json<Value>, HttpError> {
    Ok(Json(demo::boom()?))
}

#[handler]
fn panic() -> Json<Value> {
    Json(demo::panic())
}

#[handler]
fn slow_down(Query(params): Params) -> HttpError {
    demo::slow_down(params.get("after").map(String::as_str))
}

/// A path answering GET, and HEAD with the same answer, which hyper sends without its body
/// (poem's own HEAD drops the `Content-Length` the GET has); the crate's 405 to other methods.
macro_rules! get_or_head {
    ($handler:expr) => {
        get($handler)
            .head($handler)
            .with(allow([Method::GET, Method::HEAD]))
    };
}

/// The app's routes: each path with its methods, for its 405.
pub(crate) fn app() -> impl Endpoint {
    Route::new()
        .at("/me", get_or_head!(me))
        .at("/admin/reports", get_or_head!(admin_reports))
        .at("/reports/export", get_or_head!(export_reports))
        .at("/repos/:name", get_or_head!(repo))
        .at("/orders", post(create_order).with(allow([Method::POST])))
        .at("/orders/:id", get_or_head!(order))
        .at("/boom", get_or_head!(boom))
        .at("/panic", get_or_head!(panic))
        .at("/slow-down", get_or_head!(slow_down))
        .data(JsonLimit(demo::BODY_LIMIT))
}

/// Serves the app on `listener` until the process ends, every error in the crate's shape and
/// rendered with `config` and what its request says.
pub(crate) fn serve(listener: std::net::TcpListener, config: Config) -> std::io::Result<()> {
    let error_handling = ErrorHandling::with_config(config).map_err(std::io::Error::other)?;
    let app = app().with(error_handling);
    demo::serve_on_tokio(listener, |listener| async {
        let acceptor = TcpAcceptor::from_tokio(listener)?;
        poem::Server::new_with_acceptor(acceptor).run(app).await
    })
}

fn main() -> std::io::Result<()> {
    let (listener, config) = demo::start("poem");
    serve(listener, config)
}
