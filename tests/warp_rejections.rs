//! `denied::warp::recover` rewrites each of warp's own rejections, and the crate's, into the
//! crate's body shape; driven with warp's own test client.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use denied::{Forbidden, HttpError, Unauthorized};
use serde::Deserialize;
use support::{check_body, reply_of, Format, Reply};
use warp::test::RequestBuilder;
use warp::{Filter, Rejection, Reply as _};

#[derive(Debug, Deserialize)]
struct Count {
    #[allow(dead_code)]
    n: u32,
}

async fn answer<F>(filter: F, request: RequestBuilder) -> Reply
where
    F: Filter<Error = Rejection> + Clone + Send + Sync + 'static,
    F::Extract: warp::Reply + Send,
{
    let app = filter.recover(denied::warp::recover);
    reply_of(request.reply(&app).await)
}

fn ok() -> &'static str {
    "ok"
}

#[tokio::test]
async fn an_unknown_route_is_the_crates_404() {
    let reply = answer(
        warp::path("known").map(ok),
        warp::test::request().path("/unknown"),
    )
    .await;
    assert_eq!(reply.status, 404);
    check_body(&reply, Format::Json);
    reply.assert_same_as(&reply_of(HttpError::not_found().render()), "unknown route");
}

/// warp does not say which methods a path has: its 405 gets an empty `Allow` (RFC 9110
/// §10.2.1), never none (§15.5.6). `denied::warp::allow` names them.
#[tokio::test]
async fn a_wrong_method_is_405_with_an_empty_allow() {
    let reply = answer(
        warp::post().map(ok),
        warp::test::request().method("GET").path("/"),
    )
    .await;
    assert_eq!(reply.status, 405);
    let allow: Vec<&str> = reply.headers_named("allow").collect();
    assert_eq!(allow, [""], "{reply:?}");
    check_body(&reply, Format::Json);
}

#[tokio::test]
async fn a_missing_or_invalid_header_is_400() {
    let missing = answer(
        warp::header::<String>("x-api-key").map(|_| "ok"),
        warp::test::request(),
    )
    .await;
    let invalid = answer(
        warp::header::<u32>("x-count").map(|_| "ok"),
        warp::test::request().header("x-count", "many"),
    )
    .await;
    for reply in [missing, invalid] {
        assert_eq!(reply.status, 400);
        check_body(&reply, Format::Json);
        assert!(!String::from_utf8_lossy(&reply.body).contains("x-"));
    }
}

#[tokio::test]
async fn a_missing_cookie_is_400() {
    let reply = answer(
        warp::cookie::<String>("session").map(|_| "ok"),
        warp::test::request(),
    )
    .await;
    assert_eq!(reply.status, 400);
    check_body(&reply, Format::Json);
}

#[tokio::test]
async fn a_bad_query_is_400() {
    let reply = answer(
        warp::query::<Count>().map(|_| "ok"),
        warp::test::request().path("/?n=many"),
    )
    .await;
    assert_eq!(reply.status, 400);
    check_body(&reply, Format::Json);
}

#[tokio::test]
async fn a_bad_body_is_400_and_a_wrong_content_type_415() {
    let body_filter = || warp::body::json::<Count>().map(|_| "ok");
    let malformed = answer(
        body_filter(),
        warp::test::request()
            .method("POST")
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await;
    assert_eq!(malformed.status, 400);
    check_body(&malformed, Format::Json);
    let wrong_type = answer(
        body_filter(),
        warp::test::request()
            .method("POST")
            .header("content-type", "text/plain")
            .body("{}"),
    )
    .await;
    assert_eq!(wrong_type.status, 415);
    check_body(&wrong_type, Format::Json);
}

#[tokio::test]
async fn a_body_without_length_is_411_and_a_large_one_413() {
    let limited = || warp::body::content_length_limit(4).map(ok);
    let large = answer(
        limited(),
        warp::test::request().method("POST").body("far too long"),
    )
    .await;
    assert_eq!(large.status, 413);
    check_body(&large, Format::Json);
    let mut request = warp::test::request().method("POST");
    request = request.header("transfer-encoding", "chunked");
    let unknown_length = answer(limited(), request).await;
    assert_eq!(unknown_length.status, 411);
    check_body(&unknown_length, Format::Json);
}

#[derive(Debug)]
struct Unhandled(#[allow(dead_code)] &'static str);
impl warp::reject::Reject for Unhandled {}

#[tokio::test]
async fn an_unknown_custom_rejection_is_a_generic_500() {
    let reply = answer(
        warp::any().and_then(|| async {
            Err::<&str, _>(warp::reject::custom(Unhandled("secret internals")))
        }),
        warp::test::request(),
    )
    .await;
    assert_eq!(reply.status, 500);
    check_body(&reply, Format::Json);
    assert!(!String::from_utf8_lossy(&reply.body).contains("secret"));
}

#[tokio::test]
async fn the_crates_rejections_answer_as_they_would_as_replies() {
    let forbidden = answer(
        warp::any().and_then(|| async {
            Err::<&str, _>(warp::reject::custom(Forbidden::missing_role("admin")))
        }),
        warp::test::request(),
    )
    .await;
    let as_reply = reply_of(Forbidden::missing_role("admin").render());
    assert_eq!(forbidden.status, 403);
    assert_eq!(forbidden.body, as_reply.body);

    let unauthorized = answer(
        warp::any().and_then(|| async {
            Err::<&str, _>(warp::reject::custom(
                Unauthorized::bearer().with_realm("api"),
            ))
        }),
        warp::test::request(),
    )
    .await;
    assert_eq!(unauthorized.status, 401);
    assert_eq!(
        unauthorized.header("www-authenticate"),
        Some(r#"Bearer realm="api""#)
    );

    let concealed = answer(
        warp::any().and_then(|| async {
            Err::<&str, _>(warp::reject::custom(Forbidden::not_owner().conceal()))
        }),
        warp::test::request(),
    )
    .await;
    assert_eq!(
        concealed.body,
        reply_of(HttpError::not_found().render()).body
    );
}

#[tokio::test]
async fn a_refusal_is_also_a_reply() {
    let app = warp::any().map(|| Forbidden::new().into_response());
    let response = warp::test::request().reply(&app).await;
    let reply = reply_of(response);
    assert_eq!(reply.status, 403);
    check_body(&reply, Format::Json);
}
