//! What a framework layer rewrites reaches the report hook with its hidden text, and goes out
//! in the app's format: its own test binary, because the settings are process-wide.
#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Mutex;

use axum::body::Body;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use denied::axum::ErrorService;
use denied::{BodyFormat, Config, Report};
use support::{challenges_of, check_body, reply_of, Format, Reply};
use tower::ServiceExt;

static REPORTED: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn remember(report: &Report<'_>) {
    REPORTED.lock().unwrap().push(report.to_string());
}

fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        Config::new()
            .format(BodyFormat::Problem)
            .realm("reports-test")
            .report(remember)
            .install()
            .unwrap();
    });
}

fn reported(part: &str) -> bool {
    reports_of(part) > 0
}

#[allow(clippy::panic)]
async fn panics() -> &'static str {
    panic!("panic text 7f2c (password=hunter2)")
}

fn app() -> ErrorService<Router> {
    ErrorService::new(
        Router::new()
            .route(
                "/plain",
                get(|| async { (StatusCode::BAD_GATEWAY, "upstream text 3e9a") }),
            )
            .route(
                "/plain-401",
                get(|| async { (StatusCode::UNAUTHORIZED, "token check text 81bd") }),
            )
            .route(
                "/own-challenge",
                get(|| async {
                    (
                        StatusCode::UNAUTHORIZED,
                        [("www-authenticate", r#"Basic realm="legacy""#)],
                        "",
                    )
                }),
            )
            .route("/panic", get(panics))
            .route(
                "/trickle",
                get(|| async {
                    (
                        StatusCode::BAD_GATEWAY,
                        Body::from_stream(support::Trickle::<std::io::Error>::default()),
                    )
                }),
            ),
    )
}

async fn send(path: &str) -> Reply {
    let request = http::Request::get(path).body(Body::empty()).unwrap();
    let response = app().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    reply_of(http::Response::from_parts(parts, bytes))
}

#[tokio::test]
async fn a_foreign_body_goes_to_the_report_hook_and_the_client_gets_the_apps_format() {
    install();
    let reply = send("/plain").await;
    assert_eq!(reply.status, 502);
    check_body(&reply, Format::Problem);
    assert!(!String::from_utf8_lossy(&reply.body).contains("3e9a"));
    assert!(
        reported("upstream text 3e9a"),
        "{:?}",
        REPORTED.lock().unwrap()
    );
}

#[tokio::test]
async fn a_panic_text_goes_to_the_report_hook_only() {
    install();
    let reply = send("/panic").await;
    assert_eq!(reply.status, 500);
    assert_eq!(
        check_body(&reply, Format::Problem),
        "An internal error occurred"
    );
    assert!(!String::from_utf8_lossy(&reply.body).contains("7f2c"));
    assert!(
        reported("panic text 7f2c"),
        "{:?}",
        REPORTED.lock().unwrap()
    );
}

#[tokio::test]
async fn a_plain_401_gets_the_apps_challenge_and_one_with_its_own_keeps_it() {
    install();
    let reply = send("/plain-401").await;
    assert_eq!(reply.status, 401);
    check_body(&reply, Format::Problem);
    let challenges = challenges_of(&reply);
    assert_eq!(challenges.len(), 1);
    assert_eq!(challenges[0].scheme, "Bearer");
    assert_eq!(challenges[0].param("realm"), Some("reports-test"));
    assert!(reported("token check text 81bd"));

    let reply = send("/own-challenge").await;
    assert_eq!(reply.status, 401);
    check_body(&reply, Format::Problem);
    let challenges = challenges_of(&reply);
    assert_eq!(challenges.len(), 1, "{reply:?}");
    assert_eq!(challenges[0].scheme, "Basic");
    assert_eq!(challenges[0].param("realm"), Some("legacy"));
}

/// How many reports mention `part`.
fn reports_of(part: &str) -> usize {
    REPORTED
        .lock()
        .unwrap()
        .iter()
        .filter(|line| line.contains(part))
        .count()
}

#[cfg(feature = "warp")]
mod warp_reports {
    use super::*;
    use denied::{Forbidden, Reason};
    use warp::Filter;

    fn refusal(code: &'static str) -> Forbidden {
        Forbidden::new().with_reason(Reason::Custom(code.into()))
    }

    /// A route that turns its reply into a response itself, with a header of its own: the
    /// error is rendered again for its request, keeps the header, and is reported once, with
    /// the request.
    #[tokio::test]
    async fn an_early_rendered_warp_error_is_rendered_again_and_reported_once() {
        install();
        let route = warp::path!("early")
            .map(|| refusal("early_9c1e"))
            .with(warp::reply::with::header("x-route", "kept"))
            .map(warp::Reply::into_response);
        let app = denied::warp::error_handling(route);
        let response = warp::test::request()
            .path("/early")
            .header("x-request-id", "warp-id-1")
            .reply(&app)
            .await;
        let reply = reply_of(response);
        assert_eq!(reply.status, 403);
        check_body(&reply, Format::Problem);
        assert_eq!(reply.header("x-route"), Some("kept"), "{reply:?}");
        assert_eq!(reply.header("x-request-id"), Some("warp-id-1"));
        assert_eq!(reply.json()["request_id"], "warp-id-1");
        assert_eq!(
            reports_of("early_9c1e"),
            1,
            "{:?}",
            REPORTED.lock().unwrap()
        );
        assert_eq!(reports_of("GET /early (request id warp-id-1)"), 1);
    }

    /// Without `error_handling`, the same error is reported once, when its response is done.
    #[tokio::test]
    async fn an_early_rendered_warp_error_without_error_handling_is_reported_once() {
        install();
        let route = warp::path!("alone").map(|| refusal("alone_4b2d"));
        let response = warp::test::request().path("/alone").reply(&route).await;
        assert_eq!(response.status(), 403);
        drop(response);
        assert_eq!(
            reports_of("alone_4b2d"),
            1,
            "{:?}",
            REPORTED.lock().unwrap()
        );
    }
}

/// A foreign error body that trickles does not hold back the response: the head and the
/// crate's body go out, and the note keeps what had arrived.
#[tokio::test]
async fn a_foreign_body_that_stalls_does_not_hold_back_the_response() {
    install();
    // A liveness bound, not a measurement: a layer that waits on the body never answers.
    let reply = tokio::time::timeout(std::time::Duration::from_secs(10), send("/trickle"))
        .await
        .expect("the response goes out without waiting on the body");
    assert_eq!(reply.status, 502);
    check_body(&reply, Format::Problem);
    assert!(reported("upstream 5f0e"), "{:?}", REPORTED.lock().unwrap());
}
