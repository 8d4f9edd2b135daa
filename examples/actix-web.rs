//! The demo app of `denied`, served with actix-web.
//!
//! ```sh
//! cargo run --example actix-web --features actix-web
//! PORT=8080 DENIED_FORMAT=problem cargo run --example actix-web --features actix-web
//! ```

pub(crate) mod demo;

use std::collections::HashMap;
use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{guard, web, App, FromRequest, HttpRequest, HttpResponse, HttpServer, Route};
use demo::{Order, User};
use denied::actix_web::Json;
use denied::http::Method;
use denied::{BearerToken, Config, HttpError};
use serde_json::Value;

type Params = web::Query<HashMap<String, String>>;

/// The caller, known from a valid bearer token; `BearerToken` answers a missing or malformed
/// `Authorization` header.
impl FromRequest for User {
    type Error = HttpError;
    type Future = Ready<Result<Self, HttpError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let token = BearerToken::from_headers(request.headers());
        ready(token.and_then(|token| Ok(demo::verify(&token)?)))
    }
}

/// The caller if the request has a token, else nobody; a token that is not valid is refused.
pub(crate) struct Caller(Option<User>);

impl FromRequest for Caller {
    type Error = HttpError;
    type Future = Ready<Result<Self, HttpError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let token = BearerToken::optional_from_headers(request.headers());
        ready(token.and_then(|token| {
            let user = token.map(|token| demo::verify(&token)).transpose()?;
            Ok(Self(user))
        }))
    }
}

async fn me(user: User) -> web::Json<Value> {
    web::Json(demo::me(&user))
}

async fn admin_reports(user: User, params: Params) -> Result<web::Json<Value>, HttpError> {
    let message = params.get("message").map(String::as_str);
    Ok(web::Json(demo::admin_reports(&user, message)?))
}

async fn export_reports(user: User, params: Params) -> Result<web::Json<Value>, HttpError> {
    let scope = params.get("scope").map(String::as_str);
    Ok(web::Json(demo::export_reports(&user, scope)?))
}

async fn repo(
    Caller(caller): Caller,
    name: web::Path<String>,
) -> Result<web::Json<Value>, HttpError> {
    Ok(web::Json(demo::repo(caller.as_ref(), &name)?))
}

async fn create_order(user: User, Json(order): Json<Order>) -> HttpResponse {
    HttpResponse::Created().json(demo::create_order(&user, order))
}

async fn order(user: User, id: web::Path<u32>) -> Result<web::Json<Value>, HttpError> {
    Ok(web::Json(demo::order(&user, id.into_inner())?))
}

async fn boom() -> Result<web::Json<Value>, HttpError> {
    Ok(web::Json(demo::boom()?))
}

async fn panic() -> web::Json<Value> {
    web::Json(demo::panic())
}

async fn slow_down(params: Params) -> HttpError {
    demo::slow_down(params.get("after").map(String::as_str))
}

/// GET, and HEAD with the same answer (actix-web sends HEAD responses without their body).
fn get() -> Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// A resource answering `route`, and the crate's 405 with `Allow: methods` to other methods.
fn resource<const N: usize>(path: &str, methods: [Method; N], route: Route) -> actix_web::Resource {
    web::resource(path)
        .route(route)
        .default_service(denied::actix_web::method_not_allowed(methods))
}

pub(crate) fn configure(config: &mut web::ServiceConfig) {
    let get_or_head = || [Method::GET, Method::HEAD];
    config
        .configure(denied::actix_web::extractor_errors)
        .app_data(web::PayloadConfig::new(demo::BODY_LIMIT))
        .service(resource("/me", get_or_head(), get().to(me)))
        .service(resource(
            "/admin/reports",
            get_or_head(),
            get().to(admin_reports),
        ))
        .service(resource(
            "/reports/export",
            get_or_head(),
            get().to(export_reports),
        ))
        .service(resource("/repos/{name}", get_or_head(), get().to(repo)))
        .service(resource(
            "/orders",
            [Method::POST],
            web::post().to(create_order),
        ))
        .service(resource("/orders/{id}", get_or_head(), get().to(order)))
        .service(resource("/boom", get_or_head(), get().to(boom)))
        .service(resource("/panic", get_or_head(), get().to(panic)))
        .service(resource("/slow-down", get_or_head(), get().to(slow_down)))
        .default_service(web::to(denied::actix_web::not_found));
}

/// Serves the app on `listener` until the process ends, every error in the crate's shape and
/// rendered with `config` and what its request says.
pub(crate) fn serve(listener: std::net::TcpListener, config: Config) -> std::io::Result<()> {
    let error_handling =
        denied::actix_web::ErrorHandling::with_config(config).map_err(std::io::Error::other)?;
    actix_web::rt::System::new().block_on(async {
        HttpServer::new(move || App::new().configure(configure).wrap(error_handling.clone()))
            .workers(2)
            .disable_signals()
            .listen(listener)?
            .run()
            .await
    })
}

fn main() -> std::io::Result<()> {
    let (listener, config) = demo::start("actix-web");
    serve(listener, config)
}
