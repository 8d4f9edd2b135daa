//! The demo app's rules, shared by every framework's example: who is asking, and what each
//! route answers. Each example only routes requests here in its framework's own way.
#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::time::Duration;

use denied::http::StatusCode;
use denied::prelude::*;
use denied::{
    BearerToken, BodyFormat, Catalog, Config, Forbidden, HttpError, Report, Unauthorized,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub(crate) const REALM: &str = "example";

/// The caller, known from a valid bearer token.
pub(crate) struct User {
    pub(crate) name: &'static str,
    roles: &'static [&'static str],
}

impl User {
    fn has_role(&self, role: &str) -> bool {
        self.roles.contains(&role)
    }
}

/// The user a bearer token stands for; reading the token itself is the crate's job.
pub(crate) fn verify(token: &BearerToken) -> Result<User, Unauthorized> {
    match token.token() {
        "good" => Ok(User {
            name: "alice",
            roles: &["user"],
        }),
        "expired" => Err(Unauthorized::invalid_token("the token expired")),
        _ => Err(Unauthorized::invalid_token("the token is not valid")),
    }
}

pub(crate) fn me(user: &User) -> Value {
    json!({ "user": user.name })
}

pub(crate) fn admin_reports(user: &User, message: Option<&str>) -> Result<Value, HttpError> {
    if !user.has_role("admin") {
        let refusal = Forbidden::missing_role("admin");
        return Err(match message {
            Some(message) => refusal.with_message(message.to_owned()),
            None => refusal,
        }
        .into());
    }
    Ok(json!({ "reports": [] }))
}

pub(crate) fn export_reports(user: &User, scope: Option<&str>) -> Result<Value, HttpError> {
    let scope = scope.unwrap_or("reports:export").to_owned();
    user.has_role("exporter")
        .or_deny_with(|| Forbidden::missing_scope(scope).with_realm(REALM))?;
    Ok(json!({ "export": "started" }))
}

/// A repository exists, but only its owner may know: everyone else, signed in or not, gets
/// the genuine 404.
pub(crate) fn repo(caller: Option<&User>, name: &str) -> Result<Value, HttpError> {
    const REPOS: &[(&str, &str)] = &[("secret", "bob")];
    let (name, owner) = REPOS
        .iter()
        .find(|(known, _)| *known == name)
        .or_not_found()?;
    match caller {
        Some(user) if user.name == *owner => Ok(json!({ "repo": name })),
        _ => Err(Forbidden::not_owner().conceal()),
    }
}

/// The body of `POST /orders`.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct Order {
    item: String,
    quantity: u32,
}

/// The largest request body the app reads.
pub(crate) const BODY_LIMIT: usize = 4096;

/// `POST /orders`: the order as it was stored.
pub(crate) fn create_order(_user: &User, order: Order) -> Order {
    order
}

/// `GET /orders/{id}`: order 1 exists; every other id is the genuine 404.
pub(crate) fn order(_user: &User, id: u32) -> Result<Value, HttpError> {
    (id == 1).or_not_found()?;
    Ok(json!({ "id": 1, "item": "book", "quantity": 2 }))
}

/// `GET /panic`: a handler that panics with a secret in its message.
#[allow(clippy::panic)] // The point of the route.
pub(crate) fn panic() -> Value {
    panic!("connection to db-primary refused (password=hunter2)")
}

pub(crate) fn boom() -> Result<Value, HttpError> {
    let rows = query_database().or_internal()?;
    Ok(json!({ "rows": rows }))
}

fn query_database() -> Result<u64, std::io::Error> {
    Err(std::io::Error::other(
        "connection to db-primary refused (password=hunter2)",
    ))
}

pub(crate) fn slow_down(after: Option<&str>) -> HttpError {
    let too_many = |seconds: u64| {
        HttpError::too_many_requests()
            .with_retry_after(Duration::from_secs(seconds))
            .with_member("retry_after", seconds)
    };
    match after.map(str::parse::<u64>) {
        None => too_many(30),
        Some(Ok(seconds)) => too_many(seconds),
        Some(Err(_)) => {
            HttpError::bad_request().with_message("`after` must be a whole number of seconds")
        }
    }
}

/// Runs `serve` on a tokio runtime of its own with `listener`, until the process ends.
pub(crate) fn serve_on_tokio<F>(
    listener: TcpListener,
    serve: impl FnOnce(tokio::net::TcpListener) -> F,
) -> std::io::Result<()>
where
    F: std::future::Future<Output = std::io::Result<()>>,
{
    listener.set_nonblocking(true)?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async { serve(tokio::net::TcpListener::from_std(listener)?).await })
}

/// Logs every refusal, with its request and the causes the client never sees.
pub(crate) fn log_refusal(report: &Report<'_>) {
    let mut line = format!("refused: {report}");
    let mut source = std::error::Error::source(report.error());
    while let Some(cause) = source {
        line.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    eprintln!("{line}");
}

/// The app's settings: the body format `DENIED_FORMAT` names (`json`, the default, or
/// `problem`), what a request may choose, German sentences, and, with `log`, a report hook that
/// logs every refusal to stderr.
pub(crate) fn config_from_env(log: bool) -> Config {
    let format = match std::env::var("DENIED_FORMAT") {
        Ok(name) => name
            .parse()
            .unwrap_or_else(|error| exit(format!("DENIED_FORMAT: {error}"))),
        Err(_) => BodyFormat::Json,
    };
    let german = Catalog::new()
        .message(
            StatusCode::UNAUTHORIZED,
            "Für diese Ressource ist eine Anmeldung erforderlich",
        )
        .message(
            StatusCode::FORBIDDEN,
            "Sie haben keine Berechtigung für diese Ressource",
        )
        .message(
            StatusCode::NOT_FOUND,
            "Die angeforderte Ressource wurde nicht gefunden",
        );
    let config = Config::new()
        .format(format)
        .realm(REALM)
        .problem_type_base("https://example.com/problems/")
        .instance_from_path(true)
        .negotiate(true)
        .language("de", german);
    if log {
        config.report(log_refusal)
    } else {
        config
    }
}

/// The app's settings, and `127.0.0.1:$PORT` (3000 by default) bound, saying where it listens.
pub(crate) fn start(framework: &str) -> (TcpListener, Config) {
    let config = config_from_env(true);
    let port = port();
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .unwrap_or_else(|error| exit(format!("cannot listen on port {port}: {error}")));
    let address = listener
        .local_addr()
        .unwrap_or_else(|error| exit(error.to_string()));
    println!("{framework} demo listening on http://{address}");
    (listener, config)
}

/// The port `PORT` names, 3000 by default.
pub(crate) fn port() -> u16 {
    match std::env::var("PORT") {
        Ok(port) => port
            .parse()
            .unwrap_or_else(|_| exit(format!("PORT={port:?} is not a port number"))),
        Err(_) => 3000,
    }
}

pub(crate) fn exit(message: String) -> ! {
    eprintln!("{message}");
    std::process::exit(2)
}

/// A request of the demo contract, as the showcase sends it.
pub(crate) struct ShowcaseRequest {
    pub(crate) label: &'static str,
    pub(crate) method: &'static str,
    pub(crate) target: &'static str,
    pub(crate) headers: &'static [(&'static str, &'static [u8])],
    pub(crate) body: Option<&'static [u8]>,
}

const fn get(
    label: &'static str,
    target: &'static str,
    headers: &'static [(&'static str, &'static [u8])],
) -> ShowcaseRequest {
    ShowcaseRequest {
        label,
        method: "GET",
        target,
        headers,
        body: None,
    }
}

const fn with_headers(
    label: &'static str,
    method: &'static str,
    target: &'static str,
    headers: &'static [(&'static str, &'static [u8])],
    body: Option<&'static [u8]>,
) -> ShowcaseRequest {
    ShowcaseRequest {
        label,
        method,
        target,
        headers,
        body,
    }
}

const GOOD: (&str, &[u8]) = ("Authorization", b"Bearer good");
const EXPIRED: (&str, &[u8]) = ("Authorization", b"Bearer expired");
const JSON: (&str, &[u8]) = ("Content-Type", b"application/json");
const TEXT: (&str, &[u8]) = ("Content-Type", b"text/plain");

/// The requests of the demo contract, as the showcase sends them.
pub(crate) const REQUESTS: &[ShowcaseRequest] = &[
    get("no credentials", "/me", &[]),
    with_headers("expired token", "GET", "/me", &[EXPIRED], None),
    get("valid token", "/me", &[GOOD]),
    get("no credentials", "/admin/reports", &[]),
    get("not an admin", "/admin/reports", &[GOOD]),
    get(
        "own message",
        "/admin/reports?message=Nur%20f%C3%BCr%20Admins",
        &[GOOD],
    ),
    get("missing scope", "/reports/export", &[GOOD]),
    get(
        "scope RFC 6750 cannot carry",
        "/reports/export?scope=a%22b",
        &[GOOD],
    ),
    get("concealed", "/repos/secret", &[GOOD]),
    get("no route", "/anything/else", &[]),
    get("hidden cause", "/boom", &[]),
    get("rate limited", "/slow-down?after=0", &[]),
    with_headers(
        "new order",
        "POST",
        "/orders",
        &[GOOD, JSON],
        Some(br#"{"item":"book","quantity":2}"#),
    ),
    with_headers("no credentials", "POST", "/orders", &[JSON], Some(b"{")),
    with_headers(
        "not JSON",
        "POST",
        "/orders",
        &[GOOD, JSON],
        Some(br#"{"item":"#),
    ),
    with_headers(
        "wrong shape",
        "POST",
        "/orders",
        &[GOOD, JSON],
        Some(br#"{"item":1}"#),
    ),
    with_headers(
        "plain text",
        "POST",
        "/orders",
        &[GOOD, TEXT],
        Some(b"book"),
    ),
    with_headers("no Content-Type", "POST", "/orders", &[GOOD], Some(b"{}")),
    with_headers(
        "over 4096 bytes",
        "POST",
        "/orders",
        &[GOOD, JSON],
        Some(&[b' '; 5000]),
    ),
    get("an order", "/orders/1", &[GOOD]),
    get("no such order", "/orders/2", &[GOOD]),
    get("not a number", "/orders/abc", &[GOOD]),
    with_headers("wrong method", "DELETE", "/me", &[GOOD], None),
    get("wrong method", "/orders", &[GOOD]),
    with_headers("wrong method", "PUT", "/orders/1", &[], None),
    get("panicking handler", "/panic", &[]),
    with_headers(
        "scheme in lower case",
        "GET",
        "/me",
        &[("Authorization", b"bearer good")],
        None,
    ),
    with_headers(
        "no token",
        "GET",
        "/me",
        &[("Authorization", b"Bearer")],
        None,
    ),
    with_headers(
        "token with a space",
        "GET",
        "/me",
        &[("Authorization", b"Bearer a b")],
        None,
    ),
    with_headers(
        "two Authorization headers",
        "GET",
        "/me",
        &[GOOD, GOOD],
        None,
    ),
    with_headers(
        "another scheme",
        "GET",
        "/me",
        &[("Authorization", b"Basic dXNlcjpwYXNz")],
        None,
    ),
    get(
        "with a request id",
        "/admin/reports",
        &[GOOD, ("X-Request-Id", b"req-42")],
    ),
    get(
        "asks for problem details",
        "/me",
        &[("Accept", b"application/problem+json")],
    ),
    get(
        "asks for plain JSON",
        "/anything/else",
        &[("Accept", b"application/json")],
    ),
    get(
        "in German",
        "/admin/reports",
        &[GOOD, ("Accept-Language", b"de-DE, en;q=0.5")],
    ),
    get(
        "concealed, in German",
        "/repos/secret",
        &[GOOD, ("Accept-Language", b"de")],
    ),
];
