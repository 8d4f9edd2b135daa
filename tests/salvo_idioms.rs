//! A salvo app written the way salvo's guide writes one: the credentials and the JSON body as
//! the handlers' arguments, a hoop that sets the JSON limit. Driven with salvo's own test
//! client; the refusals are the contract's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use denied::salvo::{Json, JsonLimit};
use denied::{BasicCredentials, BearerToken};
use salvo::prelude::*;
use salvo::test::{RequestBuilder, TestClient};
use support::{challenges_of, check_body, Format, Reply};

#[derive(serde::Deserialize)]
struct Order {
    item: String,
    quantity: u32,
}

#[handler]
async fn me(token: BearerToken) -> String {
    format!("token of {} characters", token.token().len())
}

#[handler]
async fn login(credentials: BasicCredentials) -> String {
    credentials.user_id().to_owned()
}

#[handler]
async fn create(order: Json<Order>, res: &mut Response) {
    let order = order.into_inner();
    res.status_code(StatusCode::CREATED);
    res.render(Json(
        serde_json::json!({ "item": order.item, "quantity": order.quantity }),
    ));
}

#[handler]
async fn small_json(depot: &mut Depot) {
    depot.insert_typed(JsonLimit(64));
}

fn service() -> Service {
    let router = Router::new()
        .hoop(small_json)
        .push(Router::with_path("me").get(me))
        .push(Router::with_path("login").post(login))
        .push(Router::with_path("orders").post(create));
    let config = denied::Config::new().realm("shop");
    Service::new(router).hoop(denied::salvo::ErrorHandling::with_config(config).unwrap())
}

async fn send(request: RequestBuilder) -> Reply {
    support::salvo_reply(request.send(&service()).await).await
}

fn url(path: &str) -> String {
    format!("http://127.0.0.1{path}")
}

#[tokio::test]
async fn the_credentials_as_arguments_refuse_as_the_extractors_do() {
    let missing = send(TestClient::get(url("/me"))).await;
    assert_eq!(missing.status, 401, "{missing:?}");
    check_body(&missing, Format::Json);
    let challenges = challenges_of(&missing);
    assert_eq!(challenges.len(), 1, "{missing:?}");
    assert!(challenges[0].scheme.eq_ignore_ascii_case("bearer"));
    assert_eq!(challenges[0].param("realm"), Some("shop"));

    let malformed =
        send(TestClient::get(url("/me")).add_header("authorization", "Bearer a b", true)).await;
    assert_eq!(malformed.status, 400, "{malformed:?}");
    check_body(&malformed, Format::Json);

    let token =
        send(TestClient::get(url("/me")).add_header("authorization", "Bearer abc", true)).await;
    assert_eq!(token.status, 200, "{token:?}");
    assert_eq!(token.body, b"token of 3 characters");

    let no_basic = send(TestClient::post(url("/login"))).await;
    assert_eq!(no_basic.status, 401, "{no_basic:?}");
    let challenges = challenges_of(&no_basic);
    assert!(
        challenges[0].scheme.eq_ignore_ascii_case("basic"),
        "{no_basic:?}"
    );
    assert_eq!(challenges[0].param("realm"), Some("shop"));

    // "alice:secret"
    let basic =
        TestClient::post(url("/login")).add_header("authorization", "Basic YWxpY2U6c2VjcmV0", true);
    let basic = send(basic).await;
    assert_eq!((basic.status, basic.body.as_slice()), (200, &b"alice"[..]));
}

#[tokio::test]
async fn the_json_argument_answers_415_413_400_and_422_as_the_extractors_do() {
    let order = |content_type: &str, body: &str| {
        TestClient::post(url("/orders"))
            .add_header("content-type", content_type, true)
            .raw_json(body.to_owned())
    };
    let good = send(order("application/json", r#"{"item":"tea","quantity":2}"#)).await;
    assert_eq!(good.status, 201, "{good:?}");
    assert_eq!(good.header("content-type"), Some("application/json"));
    assert_eq!(
        good.json(),
        serde_json::json!({ "item": "tea", "quantity": 2 })
    );
    for (request, status) in [
        (order("text/plain", r#"{"item":"tea","quantity":2}"#), 415),
        (
            order(
                "application/json",
                &format!(r#"{{"item":"{}","quantity":2}}"#, "t".repeat(80)),
            ),
            413,
        ),
        (order("application/json", r#"{"item":"tea","#), 400),
        (
            order("application/json", r#"{"item":"tea","quantity":-1}"#),
            422,
        ),
    ] {
        let reply = send(request).await;
        assert_eq!(reply.status, status, "{reply:?}");
        check_body(&reply, Format::Json);
    }
}
