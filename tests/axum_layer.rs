//! `denied::axum::ErrorLayer` and the axum extractors, driven with `tower::ServiceExt::oneshot`:
//! what escapes a handler (a plain-text error, a JSON 401 without a challenge, axum's own
//! rejections and 405, a panic) reaches the client in the crate's shape.
#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::body::Body;
use axum::extract::rejection::JsonRejection;
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use denied::axum::ErrorLayer;
use denied::{Forbidden, HttpError};
use support::{challenges_of, check_body, reply_of, Format, Reply};
use tower::{Layer, ServiceExt};

async fn send(app: Router, request: Request<Body>) -> Reply {
    let response = app.oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    reply_of(http::Response::from_parts(parts, bytes))
}

fn get_request(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

#[allow(clippy::panic)]
async fn panics() -> &'static str {
    panic!("connection to db-primary refused (password=hunter2)")
}

fn app() -> Router {
    Router::new()
        .route("/ok", get(|| async { "fine" }))
        .route(
            "/refused",
            get(|| async { Forbidden::missing_role("admin") }),
        )
        .route(
            "/plain",
            get(|| async {
                (
                    StatusCode::BAD_GATEWAY,
                    [("x-upstream", "billing")],
                    "upstream billing-7 said: password=hunter2",
                )
            }),
        )
        .route(
            "/json-401",
            get(|| async {
                (
                    StatusCode::UNAUTHORIZED,
                    axum::Json(serde_json::json!({"oops": true})),
                )
            }),
        )
        .route(
            "/raw-json",
            post(
                |payload: Result<axum::Json<serde_json::Value>, JsonRejection>| async {
                    let axum::Json(value) = payload?;
                    Ok::<_, HttpError>(axum::Json(value))
                },
            ),
        )
        .route("/panic", get(panics))
        .layer(ErrorLayer::new())
}

#[tokio::test]
async fn a_success_and_the_crates_refusals_pass_untouched() {
    let ok = send(app(), get_request("/ok")).await;
    assert_eq!((ok.status, ok.body.as_slice()), (200, &b"fine"[..]));
    // The router adds `Content-Length`; everything else is the crate's own response.
    let mut refused = send(app(), get_request("/refused")).await;
    refused.headers.retain(|(name, _)| name != "content-length");
    refused.assert_same_as(
        &reply_of(Forbidden::missing_role("admin").render()),
        "refused",
    );
}

#[tokio::test]
async fn a_plain_text_error_is_rendered_again_keeping_its_other_headers() {
    let reply = send(app(), get_request("/plain")).await;
    support::assert_rewritten_upstream_error(&reply);
    assert_eq!(
        reply.body.len().to_string(),
        reply.header("content-length").unwrap()
    );
}

#[tokio::test]
async fn a_json_401_without_a_challenge_gets_the_apps() {
    let reply = send(app(), get_request("/json-401")).await;
    assert_eq!(reply.status, 401);
    let challenges = challenges_of(&reply);
    assert_eq!(challenges.len(), 1);
    assert_eq!(challenges[0].scheme, "Bearer");
    assert_eq!(challenges[0].param("realm"), Some("api"));
    assert_eq!(
        reply.json(),
        serde_json::json!({"oops": true}),
        "JSON is left as it is"
    );
}

#[tokio::test]
async fn axums_rejections_convert_with_their_status_and_no_text() {
    let request = Request::post("/raw-json")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"secret": hunter2"#))
        .unwrap();
    let reply = send(app(), request).await;
    assert_eq!(reply.status, 400);
    assert_eq!(check_body(&reply, Format::Json), "The request is invalid");
    assert!(!String::from_utf8_lossy(&reply.body).contains("hunter2"));
}

#[tokio::test]
async fn axums_own_405_and_404_get_the_crates_shape() {
    let request = Request::delete("/ok").body(Body::empty()).unwrap();
    let reply = send(app(), request).await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("GET,HEAD"));
    check_body(&reply, Format::Json);
    let mut missing = send(app(), get_request("/nowhere")).await;
    missing.headers.retain(|(name, _)| name != "content-length");
    missing.assert_same_as(&reply_of(HttpError::not_found().render()), "unknown route");
}

/// axum names a path's methods on its own 405: under `Router::layer` after the layer, which
/// leaves every 405 to it and reports nothing amiss; around the whole router before it. There,
/// a handler's 405 that names no methods gets an empty `Allow` (RFC 9110 §10.2.1) and a report
/// that says so.
#[tokio::test]
async fn a_405_gets_the_routers_allow_or_an_empty_one_that_is_reported() {
    let reports = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&reports);
    let config = denied::Config::new().report(move |report| {
        seen.lock().unwrap().push(report.to_string());
    });
    let routes = || {
        Router::new().route("/ok", get(|| async { "fine" })).route(
            "/no-allow",
            get(|| async { StatusCode::METHOD_NOT_ALLOWED }),
        )
    };
    let inside = routes().layer(ErrorLayer::with_config(config.clone()).unwrap());
    let around = ErrorLayer::with_config(config).unwrap().layer(routes());
    let allow = |reply: &Reply| -> Vec<String> {
        reply.headers_named("allow").map(str::to_owned).collect()
    };

    let wrong_method = || Request::delete("/ok").body(Body::empty()).unwrap();
    let routers = send(inside, wrong_method()).await;
    assert_eq!(routers.status, 405);
    assert_eq!(allow(&routers), ["GET,HEAD"], "{routers:?}");
    check_body(&routers, Format::Json);
    let response = around.clone().oneshot(wrong_method()).await.unwrap();
    let routers_around = support::axum_reply(response).await;
    assert_eq!(allow(&routers_around), ["GET,HEAD"], "{routers_around:?}");

    let response = around.oneshot(get_request("/no-allow")).await.unwrap();
    let handlers = support::axum_reply(response).await;
    assert_eq!(handlers.status, 405);
    assert_eq!(allow(&handlers), [""], "{handlers:?}");
    check_body(&handlers, Format::Json);

    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 3, "{reports:?}");
    assert!(!reports[0].contains("without Allow"), "{}", reports[0]);
    assert!(!reports[1].contains("without Allow"), "{}", reports[1]);
    assert!(reports[2].contains("a 405 without Allow"), "{}", reports[2]);
}

#[tokio::test]
async fn a_panic_is_the_generic_500_and_the_app_keeps_serving() {
    let app = app();
    let reply = send(app.clone(), get_request("/panic")).await;
    assert_eq!(reply.status, 500);
    assert_eq!(
        check_body(&reply, Format::Json),
        "An internal error occurred"
    );
    assert!(!String::from_utf8_lossy(&reply.body).contains("hunter2"));
    assert_eq!(send(app, get_request("/ok")).await.status, 200);
}
