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
