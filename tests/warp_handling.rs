//! `denied::warp::error_handling`, `catching` and the warp filters, driven with warp's own test
//! client: what escapes a handler reaches the client in the crate's shape.
#![cfg(feature = "warp")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use denied::http::Method;
use denied::{Forbidden, HttpError};
use support::{challenges_of, check_body, reply_of, Format};
use warp::http::StatusCode;
use warp::{Filter, Rejection, Reply};

#[allow(clippy::panic)]
async fn panics() -> Result<String, Rejection> {
    panic!("connection to db-primary refused (password=hunter2)")
}

fn app() -> impl Filter<Extract = (warp::reply::Response,), Error = std::convert::Infallible> + Clone
{
    let ok = warp::path!("ok").map(|| "fine".into_response());
    let refused = warp::path!("refused").map(|| Forbidden::missing_role("admin").into_response());
    let plain = warp::path!("plain").map(|| {
        let reply =
            warp::reply::with_status("upstream said: password=hunter2", StatusCode::BAD_GATEWAY);
        warp::reply::with_header(reply, "x-upstream", "billing").into_response()
    });
    let json_401 = warp::path!("json-401").map(|| {
        let body = warp::reply::json(&serde_json::json!({"oops": true}));
        warp::reply::with_status(body, StatusCode::UNAUTHORIZED).into_response()
    });
    let methods = warp::path!("methods")
        .and(denied::warp::allow([Method::GET, Method::HEAD]))
        .map(|| "fine".into_response());
    let panic = warp::path!("panic")
        .and_then(|| denied::warp::catching(panics()))
        .map(Reply::into_response);
    let routes = ok
        .or(refused)
        .unify()
        .or(plain)
        .unify()
        .or(json_401)
        .unify()
        .or(methods)
        .unify()
        .or(panic)
        .unify();
    denied::warp::error_handling(routes)
}

async fn get(path: &str) -> support::Reply {
    reply_of(warp::test::request().path(path).reply(&app()).await)
}

#[tokio::test]
async fn a_success_and_the_crates_refusals_pass_untouched() {
    let ok = get("/ok").await;
    assert_eq!((ok.status, ok.body.as_slice()), (200, &b"fine"[..]));
    get("/refused").await.assert_same_as(
        &reply_of(Forbidden::missing_role("admin").render()),
        "refused",
    );
}

#[tokio::test]
async fn a_plain_text_error_is_rendered_again_keeping_its_other_headers() {
    let reply = get("/plain").await;
    support::assert_rewritten_upstream_error(&reply);
}

#[tokio::test]
async fn a_json_401_without_a_challenge_gets_the_apps() {
    let reply = get("/json-401").await;
    assert_eq!(reply.status, 401);
    assert_eq!(challenges_of(&reply)[0].param("realm"), Some("api"));
}

#[tokio::test]
async fn a_wrong_method_is_the_crates_405_with_allow() {
    let response = warp::test::request()
        .method("DELETE")
        .path("/methods")
        .reply(&app())
        .await;
    let reply = reply_of(response);
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("GET,HEAD"));
    check_body(&reply, Format::Json);
    get("/nowhere")
        .await
        .assert_same_as(&reply_of(HttpError::not_found().render()), "unknown route");
}

#[tokio::test]
async fn a_panic_in_a_caught_handler_is_the_generic_500() {
    let reply = get("/panic").await;
    assert_eq!(reply.status, 500);
    assert_eq!(
        check_body(&reply, Format::Json),
        "An internal error occurred"
    );
    assert!(!String::from_utf8_lossy(&reply.body).contains("hunter2"));
    assert_eq!(get("/ok").await.status, 200);
}
