//! `denied::poem::ErrorHandling`, `allow` and the poem extractors, driven with poem's own
//! `TestClient`: what escapes a handler reaches the client in the crate's shape.
#![cfg(feature = "poem")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use denied::http::Method;
use denied::poem::{allow, ErrorHandling, Json, JsonLimit};
use denied::{BodyFormat, Config, Forbidden, HttpError};
use poem::http::StatusCode;
use poem::test::TestClient;
use poem::web::Path;
use poem::{get, handler, post, Endpoint, EndpointExt, Response, Route};
use support::{assert_rewritten_upstream_error, challenges_of, check_body, Format, Reply};

#[handler]
fn refused() -> Result<String, HttpError> {
    Err(Forbidden::missing_role("admin"))?
}

#[handler]
fn plain() -> Response {
    Response::builder()
        .status(StatusCode::BAD_GATEWAY)
        .header("x-upstream", "billing")
        .body("upstream billing-7 said: password=hunter2")
}

/// A foreign 502 whose body sends its first bytes and then stalls.
#[handler]
fn trickle() -> Response {
    Response::builder()
        .status(StatusCode::BAD_GATEWAY)
        .body(poem::Body::from_bytes_stream(support::Trickle::<
            std::io::Error,
        >::default()))
}

#[handler]
#[allow(clippy::panic)]
fn panics() -> String {
    panic!("connection to db-primary refused (password=hunter2)")
}

#[handler]
fn order(Path(id): Path<u32>) -> String {
    id.to_string()
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Order {
    item: String,
}

#[handler]
fn create(Json(placed): Json<Order>) -> String {
    placed.item
}

#[handler]
fn me(_token: denied::BearerToken) -> &'static str {
    "alice"
}

fn app() -> impl Endpoint {
    Route::new()
        .at("/refused", get(refused))
        .at("/plain", get(plain))
        .at("/trickle", get(trickle))
        .at("/panic", get(panics))
        .at(
            "/orders/:id",
            get(order).with(allow([Method::GET, Method::HEAD])),
        )
        .at("/orders", post(create))
        .at("/me", get(me))
        .data(JsonLimit(16))
}

async fn read(response: poem::test::TestResponse) -> Reply {
    support::poem_reply(response).await
}

async fn get_reply(path: &str) -> Reply {
    let client = TestClient::new(app().with(ErrorHandling::new()));
    read(client.get(path).send().await).await
}

#[tokio::test]
async fn a_handlers_refusal_is_the_crates() {
    let reply = get_reply("/refused").await;
    assert_eq!(reply.status, 403);
    assert_eq!(
        check_body(&reply, Format::Json),
        "You do not have permission to access this resource"
    );
    assert_eq!(reply.json()["reason"], "missing_role");
}

#[tokio::test]
async fn poems_own_errors_get_the_crates_shape() {
    let reply = get_reply("/nowhere").await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        check_body(&reply, Format::Json),
        "The requested resource was not found"
    );
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let reply = get_reply("/orders/abc").await;
    assert_eq!(reply.status, 400);
    check_body(&reply, Format::Json);
    let reply = get_reply("/plain").await;
    assert_rewritten_upstream_error(&reply);
}

#[tokio::test]
async fn a_routes_405_names_its_methods() {
    let client = TestClient::new(app().with(ErrorHandling::new()));
    let reply = read(client.delete("/orders/1").send().await).await;
    assert_eq!(reply.status, 405);
    let mut allowed: Vec<&str> = reply
        .header("allow")
        .expect("a 405 with allow carries Allow")
        .split(',')
        .map(str::trim)
        .collect();
    allowed.sort_unstable();
    assert_eq!(allowed, ["GET", "HEAD"]);
    check_body(&reply, Format::Json);
    // A route without `allow`: poem's 405 in the crate's shape, with an empty `Allow`: poem
    // does not say which methods the path has.
    let reply = read(client.delete("/refused").send().await).await;
    assert_eq!(reply.status, 405);
    let allow: Vec<&str> = reply.headers_named("allow").collect();
    assert_eq!(allow, [""], "{reply:?}");
    check_body(&reply, Format::Json);
}

#[handler]
fn json_401() -> Response {
    Response::builder()
        .status(StatusCode::UNAUTHORIZED)
        .content_type("application/json")
        .body(r#"{"error":"Unauthorized"}"#)
}

#[tokio::test]
async fn a_json_401_without_a_challenge_gets_the_apps() {
    let app = Route::new()
        .at("/json-401", get(json_401))
        .with(ErrorHandling::with_config(Config::new().realm("poem-json")).unwrap());
    let reply = read(TestClient::new(app).get("/json-401").send().await).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body, br#"{"error":"Unauthorized"}"#,
        "a JSON body stays"
    );
    assert_eq!(challenges_of(&reply)[0].param("realm"), Some("poem-json"));
}

#[tokio::test]
async fn a_panic_is_the_generic_500_and_nothing_of_its_text() {
    let reply = get_reply("/panic").await;
    assert_eq!(reply.status, 500);
    assert_eq!(
        check_body(&reply, Format::Json),
        "An internal error occurred"
    );
    assert!(!String::from_utf8_lossy(&reply.body).contains("hunter2"));
}

#[tokio::test]
async fn json_bodies_are_refused_in_the_order_a_client_fixes_them() {
    let client = TestClient::new(app().with(ErrorHandling::new()));
    for (content_type, body, status) in [
        (Some("application/json"), &br#"{"item":"book"}"#[..], 200),
        (None, br#"{"item":"book"}"#, 415),
        (Some("text/plain"), b"{", 415),
        (
            Some("application/json"),
            br#"{"item":"a longer book"}"#,
            413,
        ),
        (Some("application/json"), br#"{"item":"#, 400),
        (Some("application/json"), br#"{"item":1}"#, 422),
    ] {
        let mut request = client.post("/orders").body(body.to_vec());
        if let Some(content_type) = content_type {
            request = request.content_type(content_type);
        }
        let reply = read(request.send().await).await;
        assert_eq!(reply.status, status, "{content_type:?} {body:?}: {reply:?}");
        if status != 200 {
            check_body(&reply, Format::Json);
        }
    }
}

#[tokio::test]
async fn credentials_and_the_apps_own_settings() {
    let config = Config::new()
        .format(BodyFormat::Problem)
        .realm("poem-app")
        .instance_from_path(true);
    let client = TestClient::new(app().with(ErrorHandling::with_config(config).unwrap()));
    let reply = read(
        client
            .get("/me")
            .header("x-request-id", "poem-1")
            .send()
            .await,
    )
    .await;
    assert_eq!(reply.status, 401);
    check_body(&reply, Format::Problem);
    assert_eq!(challenges_of(&reply)[0].param("realm"), Some("poem-app"));
    assert_eq!(reply.json()["instance"], "/me");
    assert_eq!(reply.json()["request_id"], "poem-1");
    assert_eq!(reply.header("x-request-id"), Some("poem-1"));
    let reply = read(
        client
            .get("/me")
            .header("authorization", "Bearer good")
            .header("x-request-id", "poem-2")
            .send()
            .await,
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-request-id"), Some("poem-2"));
}

/// A foreign error body that trickles does not hold back the response.
#[tokio::test]
async fn a_foreign_body_that_stalls_does_not_hold_back_the_response() {
    // A liveness bound, not a measurement: a middleware that waits on the body never answers.
    let reply = tokio::time::timeout(std::time::Duration::from_secs(10), get_reply("/trickle"))
        .await
        .expect("the response goes out without waiting on the body");
    assert_eq!(reply.status, 502);
    check_body(&reply, Format::Json);
}
