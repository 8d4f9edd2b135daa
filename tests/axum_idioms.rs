//! An axum app written the way axum's guide writes one: `Router::layer` and axum's own `Json`
//! extractor. Its answers keep the contract: the extractor's rejections in the crate's shape
//! with their statuses (415, 400, 422) and the parser's text hidden, a wrong method 405 with
//! the path's `Allow`, `HEAD` answered as `GET` without a body.

#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use denied::axum::ErrorLayer;
use denied::{BearerToken, Forbidden, HttpError};
use support::{check_body, Format, Reply};
use tower::ServiceExt;

#[derive(serde::Deserialize)]
struct Order {
    item: String,
}

async fn create(Json(order): Json<Order>) -> String {
    order.item
}

async fn me(_token: BearerToken) -> Result<&'static str, HttpError> {
    Err(Forbidden::missing_role("admin"))?
}

fn app() -> Router {
    Router::new()
        .route("/orders", post(create))
        .route("/me", get(me))
        .layer(ErrorLayer::new())
}

async fn send(request: Request<Body>) -> Reply {
    support::axum_reply(app().oneshot(request).await.unwrap()).await
}

fn order(content_type: &str, body: &'static str) -> Request<Body> {
    Request::post("/orders")
        .header("content-type", content_type)
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn axums_own_json_extractor_refuses_in_the_crates_shape() {
    let good = send(order("application/json", r#"{"item":"tea"}"#)).await;
    assert_eq!((good.status, good.body.as_slice()), (200, &b"tea"[..]));
    for (request, status) in [
        (order("text/plain", r#"{"item":"tea"}"#), 415),
        (order("application/json", r#"{"item":"#), 400),
        (order("application/json", r#"{"item":7}"#), 422),
    ] {
        let reply = send(request).await;
        assert_eq!(reply.status, status, "{reply:?}");
        check_body(&reply, Format::Json);
        let body = String::from_utf8_lossy(&reply.body);
        assert!(
            !body.contains("invalid type"),
            "the parser's text stays hidden: {body}"
        );
    }
}

#[tokio::test]
async fn routing_answers_405_with_allow_and_head_as_get() {
    let wrong = send(Request::delete("/me").body(Body::empty()).unwrap()).await;
    assert_eq!(wrong.status, 405, "{wrong:?}");
    let allow: Vec<&str> = wrong.headers_named("allow").collect();
    assert_eq!(allow, ["GET,HEAD"], "{wrong:?}");
    check_body(&wrong, Format::Json);

    let token = ("authorization", "Bearer abc");
    let get = send(
        Request::get("/me")
            .header(token.0, token.1)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let head = send(
        Request::head("/me")
            .header(token.0, token.1)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(get.status, StatusCode::FORBIDDEN.as_u16(), "{get:?}");
    assert_eq!(head.status, get.status, "{head:?}");
    assert!(head.body.is_empty(), "{head:?}");
    assert_eq!(head.header("content-type"), get.header("content-type"));
}
