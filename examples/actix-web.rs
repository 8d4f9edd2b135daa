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
use actix_web::http::header::AUTHORIZATION;
use actix_web::{guard, web, App, FromRequest, HttpRequest, HttpServer, Route};
use demo::{Caller, User};
use denied::{HttpError, Unauthorized};
use serde_json::Value;

type Params = web::Query<HashMap<String, String>>;

fn authorization(request: &HttpRequest) -> Option<&[u8]> {
    request
        .headers()
        .get(AUTHORIZATION)
        .map(|value| value.as_bytes())
}

impl FromRequest for Caller {
    type Error = Unauthorized;
    type Future = Ready<Result<Self, Unauthorized>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(demo::caller(authorization(request)))
    }
}

impl FromRequest for User {
    type Error = Unauthorized;
    type Future = Ready<Result<Self, Unauthorized>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(demo::user(authorization(request)))
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

async fn repo(caller: Caller, name: web::Path<String>) -> Result<web::Json<Value>, HttpError> {
    Ok(web::Json(demo::repo(&caller, &name)?))
}

async fn boom() -> Result<web::Json<Value>, HttpError> {
    Ok(web::Json(demo::boom()?))
}

async fn slow_down(params: Params) -> HttpError {
    demo::slow_down(params.get("after").map(String::as_str))
}

/// GET, and HEAD with the same answer (actix-web sends HEAD responses without their body).
fn get() -> Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config
        .app_data(
            web::QueryConfig::default().error_handler(|error, _| demo::bad_query(error).into()),
        )
        .app_data(
            web::PathConfig::default().error_handler(|error, _| demo::bad_query(error).into()),
        )
        .route("/me", get().to(me))
        .route("/admin/reports", get().to(admin_reports))
        .route("/reports/export", get().to(export_reports))
        .route("/repos/{name}", get().to(repo))
        .route("/boom", get().to(boom))
        .route("/slow-down", get().to(slow_down))
        .default_service(web::to(denied::actix_web::not_found));
}

/// Serves the app on `listener` until the process ends.
pub(crate) fn serve(listener: std::net::TcpListener) -> std::io::Result<()> {
    actix_web::rt::System::new().block_on(async {
        HttpServer::new(|| App::new().configure(configure))
            .workers(2)
            .disable_signals()
            .listen(listener)?
            .run()
            .await
    })
}

fn main() -> std::io::Result<()> {
    serve(demo::start("actix-web"))
}
