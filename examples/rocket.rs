//! The demo app of `denied`, served with rocket.
//!
//! ```sh
//! cargo run --example rocket --features rocket
//! PORT=8080 DENIED_FORMAT=problem cargo run --example rocket --features rocket
//! ```

pub(crate) mod demo;

use std::net::{IpAddr, Ipv4Addr};

use demo::{Order, User};
use denied::rocket::{optional_bearer_token, refuse, ErrorHandling, Json};
use denied::{BearerToken, Config, HttpError};
use rocket::data::{Limits, ToByteUnit};
use rocket::fairing::AdHoc;
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::content::RawJson;
use rocket::shield::Shield;
use rocket::{get, post, routes};
use serde_json::Value;

/// rocket routes `/me/` and `//me` as `/me`; the other frameworks' routers do not, so every
/// route of this app forwards such a path, to the genuine 404.
pub(crate) struct ExactPath;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ExactPath {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let path = req.uri().path().as_str();
        if path.len() > 1 && (path.ends_with('/') || path.contains("//")) {
            return Outcome::Forward(Status::NotFound);
        }
        Outcome::Success(ExactPath)
    }
}

/// The caller, known from a valid bearer token; the `BearerToken` guard answers a missing or
/// malformed `Authorization` header.
#[rocket::async_trait]
impl<'r> FromRequest<'r> for User {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let token = match req.guard::<BearerToken>().await {
            Outcome::Success(token) => token,
            Outcome::Error(failed) => return Outcome::Error(failed),
            Outcome::Forward(status) => return Outcome::Forward(status),
        };
        match demo::verify(&token) {
            Ok(user) => Outcome::Success(user),
            Err(refusal) => refuse(req, refusal),
        }
    }
}

/// The caller if the request has a token, else nobody; a token that is not valid is refused.
pub(crate) struct Caller(Option<User>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Caller {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let token = match optional_bearer_token(req) {
            Ok(token) => token,
            Err(refusal) => return refuse(req, refusal),
        };
        match token.map(|token| demo::verify(&token)).transpose() {
            Ok(user) => Outcome::Success(Caller(user)),
            Err(refusal) => refuse(req, refusal),
        }
    }
}

fn json(value: &impl serde::Serialize) -> RawJson<String> {
    RawJson(serde_json::to_string(value).unwrap_or_default())
}

#[get("/me")]
fn me(_exact: ExactPath, user: User) -> RawJson<String> {
    json(&demo::me(&user))
}

#[get("/admin/reports?<message>")]
fn admin_reports(
    _exact: ExactPath,
    user: User,
    message: Option<&str>,
) -> Result<RawJson<String>, HttpError> {
    Ok(json(&demo::admin_reports(&user, message)?))
}

#[get("/reports/export?<scope>")]
fn export_reports(
    _exact: ExactPath,
    user: User,
    scope: Option<&str>,
) -> Result<RawJson<String>, HttpError> {
    Ok(json(&demo::export_reports(&user, scope)?))
}

#[get("/repos/<name>")]
fn repo(_exact: ExactPath, caller: Caller, name: &str) -> Result<RawJson<String>, HttpError> {
    Ok(json(&demo::repo(caller.0.as_ref(), name)?))
}

#[post("/orders", data = "<placed>")]
fn create_order(_exact: ExactPath, user: User, placed: Json<Order>) -> (Status, RawJson<String>) {
    (Status::Created, json(&demo::create_order(&user, placed.0)))
}

#[get("/orders/<id>")]
fn order(
    _exact: ExactPath,
    user: User,
    id: Result<u32, &str>,
) -> Result<RawJson<String>, HttpError> {
    let id = id.map_err(|text| HttpError::bad_request().with_note(format!("order id {text:?}")))?;
    Ok(json(&demo::order(&user, id)?))
}

#[get("/boom")]
fn boom(_exact: ExactPath) -> Result<RawJson<String>, HttpError> {
    Ok(json(&demo::boom()?))
}

#[get("/panic")]
fn panic(_exact: ExactPath) -> RawJson<String> {
    let value: Value = demo::panic();
    json(&value)
}

#[get("/slow-down?<after>")]
fn slow_down(_exact: ExactPath, after: Option<&str>) -> HttpError {
    demo::slow_down(after)
}

/// The app on `127.0.0.1:port`: no `Server` header and no security headers of rocket's own,
/// so that it sends what every other framework's demo sends.
fn app(port: u16, config: Config) -> Result<rocket::Rocket<rocket::Build>, denied::ConfigError> {
    let settings = rocket::Config {
        address: IpAddr::V4(Ipv4Addr::LOCALHOST),
        port,
        ident: rocket::config::Ident::none(),
        log_level: rocket::config::LogLevel::Off,
        limits: Limits::default().limit("json", demo::BODY_LIMIT.bytes()),
        ..rocket::Config::default()
    };
    Ok(rocket::custom(settings)
        .mount(
            "/",
            routes![
                me,
                admin_reports,
                export_reports,
                repo,
                create_order,
                order,
                boom,
                panic,
                slow_down
            ],
        )
        .attach(Shield::new())
        .attach(ErrorHandling::with_config(config)?))
}

/// Serves the app on `listener`'s port until the process ends, for the showcase. rocket binds
/// its own socket: the listener only reserved the port.
#[allow(dead_code)] // The showcase's entry; `main` says where it listens once rocket does.
pub(crate) fn serve(listener: std::net::TcpListener, config: Config) -> std::io::Result<()> {
    let port = listener.local_addr()?.port();
    drop(listener);
    let app = app(port, config).map_err(std::io::Error::other)?;
    rocket::execute(app.launch())
        .map(drop)
        .map_err(std::io::Error::other)
}

fn main() -> std::io::Result<()> {
    let config = demo::config_from_env(true);
    let app = app(demo::port(), config).map_err(std::io::Error::other)?;
    let app = app.attach(AdHoc::on_liftoff("say where", |rocket| {
        Box::pin(async move {
            let config = rocket.config();
            println!(
                "rocket demo listening on http://{}:{}",
                config.address, config.port
            );
        })
    }));
    rocket::execute(app.launch())
        .map(drop)
        .map_err(std::io::Error::other)
}
