//! Hostile requests against every framework's demo app over loopback: odd methods, paths,
//! `Authorization`, `Content-Type`, `X-Request-Id`, `Accept` and `Accept-Language` values and
//! bodies. Whatever they are, the app keeps serving, every error it sends is in the crate's
//! shape, every header parses, no request text reaches a header but a valid request id, and
//! the frameworks agree (rocket with what the others answer to the request as rocket sees it:
//! rocket drops header values that are not UTF-8 before any app code runs).
#![cfg(all(
    feature = "axum",
    feature = "actix-web",
    feature = "poem",
    feature = "rocket",
    feature = "salvo",
    feature = "tower",
    feature = "warp"
))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use support::{contract::percent_encode, parse_challenges, Demo, Format, Reply};

/// Marks request text, so that a reply carrying it can be found.
const MARK: &str = "zq7mark";

#[derive(Clone, PartialEq)]
struct HostileRequest {
    method: String,
    target: String,
    authorization: Option<Vec<u8>>,
    content_type: Option<Vec<u8>>,
    request_id: Option<Vec<u8>>,
    accept: Option<Vec<u8>>,
    accept_language: Option<Vec<u8>>,
    body: Option<Vec<u8>>,
}

impl std::fmt::Debug for HostileRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = |bytes: &Option<Vec<u8>>| {
            bytes.as_ref().map(|bytes| {
                let text = String::from_utf8_lossy(bytes);
                text.chars().take(80).collect::<String>() + &format!(" ({} bytes)", bytes.len())
            })
        };
        f.debug_struct("HostileRequest")
            .field("method", &self.method)
            .field("target", &self.target)
            .field("authorization", &text(&self.authorization))
            .field("content_type", &text(&self.content_type))
            .field("request_id", &text(&self.request_id))
            .field("accept", &text(&self.accept))
            .field("accept_language", &text(&self.accept_language))
            .field("body", &text(&self.body))
            .finish()
    }
}

/// The request as a rocket app sees it: rocket 0.5 drops every header whose value is not
/// UTF-8 before any code of the app (or of the crate) runs. rocket must answer it as the
/// others answer the request without those headers.
fn as_rocket_sees_it(request: &HostileRequest) -> HostileRequest {
    let utf8 = |value: &Option<Vec<u8>>| {
        value
            .clone()
            .filter(|bytes| std::str::from_utf8(bytes).is_ok())
    };
    HostileRequest {
        authorization: utf8(&request.authorization),
        content_type: utf8(&request.content_type),
        request_id: utf8(&request.request_id),
        accept: utf8(&request.accept),
        accept_language: utf8(&request.accept_language),
        ..request.clone()
    }
}

/// Header value bytes a client may send: visible ASCII, space, tab and obs-text.
fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(
            prop_oneof![0x21u8..0x7f, Just(b' '), Just(b'\t'), 0x80u8..=0xff],
            0..40
        ),
        "(bearer|Bearer|BEARER|Basic|basic) {0,3}[ -~]{0,20}".prop_map(String::into_bytes),
    ]
    .prop_map(|mut value| {
        // HTTP/1.1 trims a value's surrounding whitespace; what is left must not be empty.
        while value.last().is_some_and(|b| *b == b' ' || *b == b'\t') {
            value.pop();
        }
        while value.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            value.remove(0);
        }
        value.extend_from_slice(MARK.as_bytes());
        value
    })
}

/// `value` without the whitespace HTTP/1.1 trims around a header value.
fn trimmed(mut value: Vec<u8>) -> Vec<u8> {
    while value.last().is_some_and(|b| *b == b' ' || *b == b'\t') {
        value.pop();
    }
    while value.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
        value.remove(0);
    }
    value
}

/// Request ids: valid ones (1 to 128 visible ASCII characters), too long ones, and any bytes a
/// header may carry. Not marked: a valid one comes back.
fn request_id() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[!-~]{1,140}".prop_map(String::into_bytes),
        proptest::collection::vec(
            prop_oneof![0x21u8..0x7f, Just(b' '), Just(b'\t'), 0x80u8..=0xff],
            0..300
        ),
    ]
    .prop_map(trimmed)
}

/// A list header of `names`, with q-values good and bad, up to hundreds of entries.
fn weighted_list(names: Vec<&'static str>) -> impl Strategy<Value = Vec<u8>> {
    let weight = prop::option::of(prop::sample::select(vec![
        "1",
        "0",
        "0.5",
        "0.999",
        "1.000",
        "1.0000001",
        "-1",
        "2",
        "x",
        "",
        "0.0001",
    ]));
    let entry = (prop::sample::select(names), weight).prop_map(|(name, weight)| match weight {
        Some(weight) => format!("{name};q={weight}"),
        None => name.to_owned(),
    });
    prop_oneof![
        proptest::collection::vec(entry.clone(), 0..8),
        proptest::collection::vec(entry, 1000..1100),
    ]
    .prop_map(|entries| entries.join(", ").into_bytes())
}

fn request() -> impl Strategy<Value = HostileRequest> {
    let method = prop::sample::select(vec![
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
    ]);
    let path = prop_oneof![
        prop::sample::select(vec![
            "/me",
            "/orders",
            "/orders/1",
            "/orders/2",
            "/admin/reports",
            "/reports/export",
            "/repos/secret",
            "/panic",
            "/boom",
            "/slow-down",
        ])
        .prop_map(str::to_owned),
        any::<String>().prop_map(|segment| format!("/orders/{}", percent_encode(&segment))),
        any::<String>().prop_map(|segment| format!("/{}", percent_encode(&segment))),
    ];
    let query = prop::option::of(any::<String>().prop_map(|text| percent_encode(&text)));
    (
        method,
        path,
        query,
        // Half the requests get past the credentials, to reach bodies, types and ids.
        prop_oneof![
            Just(Some(b"Bearer good".to_vec())),
            prop::option::of(header_value())
        ],
        prop::option::of(prop_oneof![
            Just(b"application/json".to_vec()),
            header_value()
        ]),
        prop::option::of(prop_oneof![
            Just(br#"{"item":"book","quantity":2}"#.to_vec()),
            proptest::collection::vec(any::<u8>(), 0..6000),
        ]),
        (
            prop::option::of(request_id()),
            prop::option::of(prop_oneof![
                weighted_list(vec![
                    "application/json",
                    "application/problem+json",
                    "APPLICATION/JSON",
                    "*/*",
                    "application/*",
                    "text/html",
                    "application/json;charset=utf-8",
                ]),
                header_value(),
            ]),
            prop::option::of(prop_oneof![
                weighted_list(vec![
                    "de",
                    "de-DE",
                    "DE-at",
                    "en",
                    "en-US",
                    "fr",
                    "*",
                    "x-klingon-zz"
                ]),
                header_value(),
            ]),
        ),
    )
        .prop_map(
            |(
                method,
                path,
                query,
                authorization,
                content_type,
                body,
                (request_id, accept, accept_language),
            )| HostileRequest {
                method: method.to_owned(),
                target: match query {
                    Some(query) => format!("{path}?message={query}&scope={query}&after={query}"),
                    None => path,
                },
                authorization,
                content_type,
                request_id,
                accept: accept.map(trimmed),
                accept_language: accept_language.map(trimmed),
                body,
            },
        )
}

fn send(demo: &Demo, request: &HostileRequest) -> Reply {
    let mut headers: Vec<(&str, &[u8])> = Vec::new();
    if let Some(value) = &request.authorization {
        headers.push(("Authorization", value));
    }
    if let Some(value) = &request.content_type {
        headers.push(("Content-Type", value));
    }
    for (name, value) in [
        ("X-Request-Id", &request.request_id),
        ("Accept", &request.accept),
        ("Accept-Language", &request.accept_language),
    ] {
        if let Some(value) = value {
            headers.push((name, value));
        }
    }
    support::request_with_body(
        demo.address,
        &request.method,
        &request.target,
        &headers,
        request.body.as_deref(),
    )
}

fn check(reply: &Reply, request: &HostileRequest) -> Result<(), TestCaseError> {
    prop_assert!((100..600).contains(&reply.status), "{:?}", reply);
    let valid_id = request
        .request_id
        .as_ref()
        .filter(|id| (1..=128).contains(&id.len()) && id.iter().all(|b| (0x21..=0x7e).contains(b)));
    prop_assert_eq!(
        reply.header("x-request-id").map(str::as_bytes),
        valid_id.map(Vec::as_slice),
        "the request id is echoed when it is valid, and only then: {:?}",
        reply
    );
    for (name, value) in &reply.headers {
        prop_assert!(
            !value.contains(MARK),
            "request text in {}: {:?}",
            name,
            reply
        );
        prop_assert!(
            value
                .bytes()
                .all(|b| b == b'\t' || (b' '..=b'~').contains(&b)),
            "{name} is not visible ASCII: {:?}",
            reply
        );
    }
    for line in reply.headers_named("www-authenticate") {
        prop_assert!(
            parse_challenges(line).is_ok(),
            "malformed challenge {:?}",
            line
        );
    }
    if reply.status >= 400 {
        prop_assert!(
            matches!(
                reply.header("content-type"),
                Some("application/json" | "application/problem+json")
            ),
            "{:?}",
            reply
        );
        if request.method != "HEAD" {
            let body: serde_json::Value = serde_json::from_slice(&reply.body)
                .map_err(|error| TestCaseError::fail(format!("{error}: {reply:?}")))?;
            prop_assert_eq!(body["status"].as_u64(), Some(u64::from(reply.status)));
            let id = valid_id.map(|id| serde_json::Value::from(String::from_utf8_lossy(id)));
            prop_assert_eq!(body.get("request_id"), id.as_ref(), "{:?}", reply);
            for hidden in ["hunter2", "db-primary"] {
                prop_assert!(!String::from_utf8_lossy(&reply.body).contains(hidden));
            }
        }
    }
    Ok(())
}

#[test]
fn hostile_requests_get_correct_answers_in_the_crates_shape_and_the_same_everywhere() {
    let demos: Vec<(&str, Demo)> = support::HTTP_FRAMEWORKS
        .into_iter()
        .map(|name| (name, Demo::start(name, Format::Json)))
        .collect();
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse::<u32>().ok())
        .map_or(300, |cases| cases.min(3_000));
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&request(), |request| {
        let replies: Vec<Reply> = demos.iter().map(|(_, demo)| send(demo, &request)).collect();
        for ((name, demo), reply) in demos.iter().zip(&replies) {
            check(reply, &request)
                .map_err(|error| TestCaseError::fail(format!("{name}: {error}")))?;
            prop_assert_eq!(
                demo.get("/me", Some("good")).status,
                200,
                "{} stopped serving",
                name
            );
        }
        for ((name, _), reply) in demos.iter().zip(&replies).skip(1) {
            let rocket_sees = as_rocket_sees_it(&request);
            let reference = if *name == "rocket" && rocket_sees != request {
                send(&demos[0].1, &rocket_sees)
            } else {
                replies[0].clone()
            };
            prop_assert_eq!(
                reply.status,
                reference.status,
                "axum vs {}: {:?}",
                name,
                request
            );
            prop_assert_eq!(
                reply.comparable_headers(),
                reference.comparable_headers(),
                "axum vs {}: {:?}",
                name,
                request
            );
            prop_assert_eq!(
                &reply.body,
                &reference.body,
                "axum vs {}: {:?}",
                name,
                request
            );
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
