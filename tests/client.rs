//! Client-side guidance, fed with what the axum demo app really sends over a loopback socket.
#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use denied::client::{Advice, Guidance, ReadBody};
use denied::BodyError;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use support::{Demo, Format, Reply};

fn guidance(reply: &Reply) -> Guidance {
    let mut headers = HeaderMap::new();
    for (name, value) in &reply.headers {
        headers.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    let status = StatusCode::from_u16(reply.status).unwrap();
    Guidance::read(status, &headers, Some(&reply.body))
}

#[test]
fn the_demo_apps_refusals_tell_the_client_what_to_do() {
    for format in Format::ALL {
        let demo = Demo::start("axum", format);
        let cases = [
            ("/me", None, Advice::Reauthenticate),
            ("/me", Some("expired"), Advice::Reauthenticate),
            ("/me", Some("good"), Advice::Proceed),
            ("/admin/reports", Some("good"), Advice::Stop),
            ("/reports/export", Some("good"), Advice::Stop),
            ("/repos/secret", Some("good"), Advice::NotFound),
            ("/boom", None, Advice::RetryLater),
            (
                "/slow-down?after=7",
                None,
                Advice::RetryAfter(Duration::from_secs(7)),
            ),
            (
                "/slow-down?after=0",
                None,
                Advice::RetryAfter(Duration::ZERO),
            ),
            ("/slow-down?after=x", None, Advice::FixRequest),
        ];
        for (target, token, advice) in cases {
            let guidance = guidance(&demo.get(target, token));
            assert_eq!(guidance.advice(), advice, "{target} {format:?}");
            if advice != Advice::Proceed {
                assert!(guidance.message().is_some(), "{target} {format:?}");
                assert!(guidance.body_error().is_none());
            }
        }
        let stop = guidance(&demo.get("/admin/reports", Some("good")));
        assert!(!stop.advice().may_retry());
        assert!(!stop.advice().refresh_credentials());
        assert_eq!(stop.reason(), Some("missing_role"));
        let body_matches_format = matches!(
            (stop.body(), format),
            (Some(ReadBody::Json(_)), Format::Json) | (Some(ReadBody::Problem(_)), Format::Problem)
        );
        assert!(body_matches_format);
        assert!(guidance(&demo.get("/me", None))
            .advice()
            .refresh_credentials());
    }
}

#[test]
fn hostile_bodies_give_a_clear_error_and_keep_the_advice() {
    let headers = HeaderMap::new();
    let oversized = vec![b' '; denied::MAX_BODY_LEN + 1];
    let deep = "[".repeat(100_000);
    let bodies: [&[u8]; 5] = [
        &oversized,
        deep.as_bytes(),
        b"\xff\xfe not utf-8",
        br#"{"error":"Forbidden","status":"403"}"#,
        b"<html>403 Forbidden</html>",
    ];
    for body in bodies {
        let guidance = Guidance::read(StatusCode::FORBIDDEN, &headers, Some(body));
        assert_eq!(guidance.advice(), Advice::Stop);
        assert!(guidance.body().is_none());
        assert!(guidance.body_error().is_some());
        assert!(!guidance.body_error().unwrap().to_string().is_empty());
    }
    let guidance = Guidance::read(StatusCode::FORBIDDEN, &headers, Some(&oversized));
    assert!(matches!(guidance.body_error(), Some(BodyError::TooLong(_))));
}

#[test]
fn the_demo_apps_challenges_tell_no_token_bad_token_and_missing_scope_apart() {
    let demo = Demo::start("axum", Format::Json);
    let none = guidance(&demo.get("/me", None));
    assert_eq!(none.challenges().len(), 1);
    assert!(none.challenges()[0].is_bearer());
    assert_eq!(none.challenges()[0].realm(), Some("example"));
    assert_eq!(none.bearer_error(), None);

    let expired = guidance(&demo.get("/me", Some("expired")));
    assert_eq!(
        expired.bearer_error(),
        Some(denied::BearerError::InvalidToken)
    );
    assert_eq!(
        expired.challenges()[0].error_description(),
        Some("the token expired")
    );

    let scope = guidance(&demo.get("/reports/export?scope=reports:export%20audit", Some("good")));
    assert_eq!(scope.advice(), Advice::Stop);
    assert_eq!(
        scope.bearer_error(),
        Some(denied::BearerError::InsufficientScope)
    );
    assert_eq!(
        scope.challenges()[0].scopes().collect::<Vec<_>>(),
        ["reports:export", "audit"]
    );
}

#[test]
fn a_success_body_is_not_read_as_an_error() {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    let guidance = Guidance::read(StatusCode::OK, &headers, Some(br#"{"user":"alice"}"#));
    assert_eq!(guidance.advice(), Advice::Proceed);
    assert!(guidance.body().is_none());
    assert!(guidance.body_error().is_none());
}

#[test]
fn a_frameworks_plain_text_error_gives_its_text_as_the_message() {
    let mut headers = HeaderMap::new();
    headers.insert(
        "content-type",
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    let body = b"Failed to parse the request body as JSON: expected value at line 1 column 1\n";
    let guidance = Guidance::read(StatusCode::BAD_REQUEST, &headers, Some(body));
    assert_eq!(guidance.advice(), Advice::FixRequest);
    assert!(matches!(guidance.body(), Some(ReadBody::Text(_))));
    assert_eq!(
        guidance.message(),
        Some("Failed to parse the request body as JSON: expected value at line 1 column 1")
    );
    assert_eq!(guidance.reason(), None);
    assert_eq!(
        guidance.to_string(),
        "the server answered 400 Bad Request: Failed to parse the request body as JSON: \
         expected value at line 1 column 1"
    );
}

#[test]
fn a_servers_text_cannot_forge_a_log_line_through_display() {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("text/plain"));
    let body = format!("denied\nFAKE LOG LINE \u{1b}[31m{}", "x".repeat(1000));
    let guidance = Guidance::read(StatusCode::FORBIDDEN, &headers, Some(body.as_bytes()));
    let shown = guidance.to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert!(shown.ends_with("..."), "{shown:?}");
    assert!(shown.len() < 300, "{}", shown.len());
}
