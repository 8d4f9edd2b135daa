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
use poem::{
    get, handler, post, Endpoint, EndpointExt, FromRequest, IntoResponse, Request, RequestBody,
    Response, Route,
};
use serde_json::Value;

type Params = Query<HashMap<String, String>>;

/// A JSON body as `application/json`, as the other frameworks send it (poem's own `Json` adds
/// a `charset`, which RFC 8259 does not define for JSON).
struct JsonBody<T>(StatusCode, T);

impl<T: serde::Serialize + Send> IntoResponse for JsonBody<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.1) {
            Ok(body) => Response::builder()
                .status(self.0)
                .content_type("application/json")
                .body(body),
            Err(error) => HttpError::internal().with_source(error).into_response(),
        }
    }
}

fn ok<T>(value: T) -> JsonBody<T> {
    JsonBody(StatusCode::OK, value)
}

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
fn me(user: User) -> JsonBody<Value> {
    ok(demo::me(&user))
}

#[handler]
fn admin_reports(user: User, Query(params): Params) -> Result<JsonBody<Value>, HttpError> {
    let message = params.get("message").map(String::as_str);
    Ok(ok(demo::admin_reports(&user, message)?))
}

#[handler]
fn export_reports(user: User, Query(params): Params) -> Result<JsonBody<Value>, HttpError> {
    let scope = params.get("scope").map(String::as_str);
    Ok(ok(demo::export_reports(&user, scope)?))
}

#[handler]
fn repo(caller: Caller, Path(name): Path<String>) -> Result<JsonBody<Value>, HttpError> {
    Ok(ok(demo::repo(caller.0.as_ref(), &name)?))
}

#[handler]
fn create_order(user: User, Json(placed): Json<Order>) -> JsonBody<Order> {
    JsonBody(StatusCode::CREATED, demo::create_order(&user, placed))
}

#[handler]
fn order(user: User, Path(id): Path<u32>) -> Result<JsonBody<Value>, HttpError> {
    Ok(ok(demo::order(&user, id)?))
}

#[handler]
fn boom() -> Result<JsonBody<Value>, HttpError> {
    Ok(ok(demo::boom()?))
}

#[handler]
fn panic() -> JsonBody<Value> {
    ok(demo::panic())
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
    listener.set_nonblocking(true)?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let acceptor = TcpAcceptor::from_std(listener)?;
            poem::Server::new_with_acceptor(acceptor).run(app).await
        })
}

fn main() -> std::io::Result<()> {
    let (listener, config) = demo::start("poem");
    serve(listener, config)
}
