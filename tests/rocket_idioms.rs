//! A rocket app written the way rocket's guide writes one: its own guard refusing through
//! `refuse`, its own catchers for 401 and 404 (`#[catch]`). Whatever catcher rocket calls, the
//! refusal the crate made reaches the client, the catcher's text only the report; a path routed
//! for other methods still answers 405 with `Allow`. Driven with rocket's local client.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::{Arc, Mutex};

use denied::{BearerToken, Challenge, Config, Forbidden, HttpError, Unauthorized};
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::Client;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{catch, catchers, get, routes};
use support::{challenges_of, check_body, reply_of, Format, Reply};

/// The user a valid token names, as rocket's guide writes a guard.
struct User;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for User {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let token = match req.guard::<BearerToken>().await {
            Outcome::Success(token) => token,
            Outcome::Error(failed) => return Outcome::Error(failed),
            Outcome::Forward(status) => return Outcome::Forward(status),
        };
        match token.token() {
            "good" => Outcome::Success(User),
            _ => denied::rocket::refuse(req, Unauthorized::invalid_token("unknown token")),
        }
    }
}

/// An API key, as rocket's guide writes the guard: an error type of its own.
struct ApiKey;

#[derive(Debug)]
enum ApiKeyError {
    Missing,
    Invalid,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ApiKey {
    type Error = ApiKeyError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ApiKeyError> {
        let refusal = || Unauthorized::new(Challenge::new("ApiKey"));
        match req.headers().get_one("x-api-key") {
            None => denied::rocket::refuse_with(req, refusal(), ApiKeyError::Missing),
            Some("valid") => Outcome::Success(ApiKey),
            Some(_) => denied::rocket::refuse_with(req, refusal(), ApiKeyError::Invalid),
        }
    }
}

#[get("/me")]
fn me(_user: User) -> &'static str {
    "alice"
}

#[get("/reports")]
fn reports(_key: ApiKey) -> &'static str {
    "reports"
}

/// A handler that takes the guard's outcome and answers a refused one with its own JSON 401.
#[get("/mine")]
fn mine(user: Result<User, ()>) -> (Status, (ContentType, &'static str)) {
    match user {
        Ok(User) => (Status::Ok, (ContentType::Plain, "mine")),
        Err(()) => (Status::Unauthorized, (ContentType::JSON, OWN_401)),
    }
}

const OWN_401: &str = r#"{"error":"sign in at /login"}"#;

#[get("/report", format = "json")]
fn report() -> &'static str {
    "{}"
}

#[get("/secret")]
fn secret(_user: User) -> HttpError {
    Forbidden::not_owner().conceal()
}

#[catch(401)]
fn please_log_in() -> &'static str {
    "please log in"
}

#[catch(404)]
fn not_here() -> &'static str {
    "nothing here"
}

async fn client(seen: &Arc<Mutex<Vec<String>>>) -> Client {
    let settings = rocket::Config {
        log_level: rocket::config::LogLevel::Off,
        ..rocket::Config::debug_default()
    };
    let sink = Arc::clone(seen);
    let config = Config::new()
        .realm("shop")
        .report(move |report| sink.lock().unwrap().push(report.to_string()));
    let app = rocket::custom(settings)
        .mount("/", routes![me, secret, reports, mine, report])
        .register("/", catchers![please_log_in, not_here])
        .attach(denied::rocket::ErrorHandling::with_config(config).unwrap());
    Client::untracked(app).await.unwrap()
}

async fn send(
    client: &Client,
    method: rocket::http::Method,
    path: &str,
    token: Option<&str>,
) -> Reply {
    let mut request = client.req(method, path.to_owned());
    if let Some(token) = token {
        request.add_header(Header::new("Authorization", format!("Bearer {token}")));
    }
    let response = request.dispatch().await;
    let mut http_response = http::Response::new(bytes::Bytes::new());
    *http_response.status_mut() = http::StatusCode::from_u16(response.status().code).unwrap();
    for header in response.headers().iter() {
        http_response.headers_mut().append(
            http::HeaderName::from_bytes(header.name().as_str().as_bytes()).unwrap(),
            header.value().parse().unwrap(),
        );
    }
    let body = response.into_bytes().await.unwrap_or_default();
    *http_response.body_mut() = bytes::Bytes::from(body);
    reply_of(http_response)
}

#[rocket::async_test]
async fn the_crates_refusal_reaches_the_client_past_the_apps_catchers() {
    use rocket::http::Method::{Delete, Get};
    let seen = Arc::default();
    let client = client(&seen).await;

    let unknown = send(&client, Get, "/me", Some("nope")).await;
    assert_eq!(unknown.status, 401, "{unknown:?}");
    check_body(&unknown, Format::Json);
    let challenges = challenges_of(&unknown);
    assert_eq!(challenges.len(), 1, "{unknown:?}");
    assert_eq!(challenges[0].param("error"), Some("invalid_token"));
    assert_eq!(challenges[0].param("realm"), Some("shop"));
    assert!(!String::from_utf8_lossy(&unknown.body).contains("log in"));

    let concealed = send(&client, Get, "/secret", Some("good")).await;
    let unrouted = send(&client, Get, "/nowhere", None).await;
    assert_eq!(concealed.status, 404, "{concealed:?}");
    concealed.assert_same_as(&unrouted, "concealed vs no route");

    let wrong_method = send(&client, Delete, "/me", Some("good")).await;
    assert_eq!(wrong_method.status, 405, "{wrong_method:?}");
    assert_eq!(wrong_method.header("allow"), Some("GET,HEAD"));
    check_body(&wrong_method, Format::Json);

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert!(seen[0].contains("invalid_token"), "{}", seen[0]);
    assert!(
        seen[0].contains("the app's catcher answered 401: please log in"),
        "{}",
        seen[0]
    );
    assert!(seen[1].contains("concealed"), "{}", seen[1]);
    assert!(
        seen[3].contains("rocket routes no DELETE for this path"),
        "{}",
        seen[3]
    );
}

/// A guard with an error type of its own refuses with its own challenge, not the app's Bearer
/// one, past the app's 401 catcher too.
#[rocket::async_test]
async fn a_guard_with_its_own_error_type_refuses_with_its_own_challenge() {
    let seen = Arc::default();
    let client = client(&seen).await;
    let reply = send(&client, rocket::http::Method::Get, "/reports", None).await;
    assert_eq!(reply.status, 401, "{reply:?}");
    check_body(&reply, Format::Json);
    let challenges = challenges_of(&reply);
    assert_eq!(challenges.len(), 1, "{reply:?}");
    assert!(
        challenges[0].scheme.eq_ignore_ascii_case("apikey"),
        "{reply:?}"
    );
    let mut keyed = client.get("/reports");
    keyed.add_header(Header::new("x-api-key", "valid"));
    assert_eq!(
        keyed.dispatch().await.into_string().await.as_deref(),
        Some("reports")
    );
}

/// A JSON 401 a handler wrote on purpose passes as written, given the app's challenge, though a
/// guard left its own refusal; a `format = "json"` route answers 406 to a request that accepts
/// no JSON, where rocket says 404.
#[rocket::async_test]
async fn the_apps_own_json_error_passes_and_a_format_route_refuses_with_406() {
    let seen = Arc::default();
    let client = client(&seen).await;
    let own = send(&client, rocket::http::Method::Get, "/mine", Some("nope")).await;
    assert_eq!(own.status, 401, "{own:?}");
    assert_eq!(own.body, OWN_401.as_bytes(), "{own:?}");
    let challenges = challenges_of(&own);
    assert_eq!(challenges.len(), 1, "{own:?}");
    assert_eq!(challenges[0].param("error"), None, "{own:?}");

    let mut html = client.get("/report");
    html.add_header(Header::new("Accept", "text/html"));
    let response = html.dispatch().await;
    assert_eq!(response.status().code, 406);
    let body = response.into_string().await.unwrap_or_default();
    assert!(body.contains("\"status\":406"), "{body}");
    let mut json = client.get("/report");
    json.add_header(Header::new("Accept", "application/json"));
    assert_eq!(json.dispatch().await.status().code, 200);
}
