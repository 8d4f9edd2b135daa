//! Heap allocations of the error path, counted (they are deterministic; speed is measured by
//! `benches/render.rs`, never in tests).
#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use allocation_counter::measure;
use axum::response::IntoResponse;
use axum::Json;
use bytes::Bytes;
use denied::{Forbidden, HttpError, Unauthorized};
use http::header::CONTENT_TYPE;
use http::{HeaderValue, StatusCode};

const FLOOR_BODY: &[u8] =
    br#"{"error":"Forbidden","message":"You do not have permission to access this resource","status":403}"#;

fn allocations(render: impl Fn() -> axum::response::Response) -> u64 {
    // The first call fixes the settings; count a later one.
    drop(render());
    measure(|| drop(render())).count_total
}

/// The cheapest a handler can answer: a response built directly from static bytes, its
/// status set and a `const` content type inserted (the floor of `benches/render.rs`).
fn floor() -> axum::response::Response {
    let mut response =
        axum::response::Response::new(axum::body::Body::from(Bytes::from_static(FLOOR_BODY)));
    *response.status_mut() = StatusCode::FORBIDDEN;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The 401 a handler writes by hand: a `const` challenge and `Json(struct)`.
fn hand_written_401() -> axum::response::Response {
    #[derive(serde::Serialize)]
    struct Body {
        error: &'static str,
        message: &'static str,
        status: u16,
    }
    (
        StatusCode::UNAUTHORIZED,
        [(
            http::header::WWW_AUTHENTICATE,
            HeaderValue::from_static(
                r#"Bearer realm="example", error="invalid_token", error_description="the token expired""#,
            ),
        )],
        Json(Body {
            error: "Unauthorized",
            message: "Authentication is required to access this resource",
            status: 401,
        }),
    )
        .into_response()
}

#[test]
fn the_error_paths_allocations_against_the_floor() {
    let floor = allocations(floor);
    let counts = [
        (
            "default 403",
            allocations(|| Forbidden::new().into_response()),
        ),
        (
            "403 own message",
            allocations(|| {
                Forbidden::new()
                    .with_message("Only the owner of this repository may archive it")
                    .into_response()
            }),
        ),
        (
            "concealed 404",
            allocations(|| Forbidden::not_owner().conceal().into_response()),
        ),
        (
            "401 invalid_token with description",
            allocations(|| {
                Unauthorized::invalid_token("the token expired")
                    .with_realm("example")
                    .into_response()
            }),
        ),
        ("401 written by hand", allocations(hand_written_401)),
    ];
    println!("floor: {floor}");
    for (case, count) in counts {
        println!("{case}: {count}");
    }
    // The floor is what the targets below count from: three allocations (the header
    // map's two tables and the boxed body).
    assert_eq!(floor, 3);
    // The targets: the default 403 at the floor, its own message at most one
    // more, the concealed 404 at the floor (a refusal with no text of its own is kept as which
    // one it is, not boxed), the 401 at most one more, fewer than the 401 written by hand. An
    // own message of `'static` text has its body rendered once and kept by the settings, and
    // the 401's challenge, of `'static` text, is interned for the process with its encoded
    // value: both are at the floor.
    assert_eq!(counts[0].1, floor);
    assert_eq!(counts[1].1, floor);
    assert_eq!(counts[2].1, floor);
    assert_eq!(counts[3].1, floor);
    assert!(counts[3].1 < counts[4].1);
}

/// A challenge of text built per request is not interned: its error boxes its headers, one
/// allocation, and its text is encoded per response, one more (the text itself is the
/// caller's).
#[test]
fn a_401_whose_text_is_built_per_request_allocates_its_headers_and_their_value() {
    let floor = allocations(floor);
    let description = String::from("the token expired");
    let owned = allocations(|| {
        Unauthorized::invalid_token(description.clone())
            .with_realm("example")
            .into_response()
    });
    let owned_text = measure(|| drop(description.clone())).count_total;
    assert_eq!(
        owned - owned_text,
        floor + 2,
        "owned: {owned}, its text: {owned_text}"
    );
}

/// A rate limiter's 429 allocates one more than the floor, the box for its headers: its
/// `Retry-After` is static text below 1,000 seconds, and allocated above.
#[test]
fn a_429_with_retry_after_costs_one_allocation_more_its_headers() {
    let floor = allocations(floor);
    let too_many_requests = |seconds| {
        allocations(move || {
            HttpError::too_many_requests()
                .with_retry_after(Duration::from_secs(seconds))
                .into_response()
        })
    };
    for seconds in [0, 30, 999] {
        let count = too_many_requests(seconds);
        assert_eq!(count, floor + 1, "Retry-After: {seconds}");
    }
    assert_eq!(too_many_requests(1_000), floor + 2, "Retry-After: 1000");
}

#[test]
fn a_403_with_a_reason_costs_one_allocation_more_its_body() {
    let floor = allocations(floor);
    let with_reason = allocations(|| Forbidden::missing_role("admin").into_response());
    assert_eq!(
        with_reason,
        floor + 1,
        "403 missing_role: {with_reason} allocations, floor: {floor}"
    );
}

#[test]
fn the_default_403_allocates_no_more_than_a_static_response() {
    let floor = allocations(floor);
    let default = allocations(|| Forbidden::new().into_response());
    assert!(
        default <= floor,
        "default 403: {default} allocations, floor: {floor}"
    );
}

/// A message built per request is not kept: its body is rendered for each response, one
/// allocation (the message itself is the caller's, made before the count starts). The same
/// text as `'static` text costs what the floor does.
#[test]
fn a_message_built_per_request_costs_one_allocation_more_its_body() {
    let floor = allocations(floor);
    let owner = "bob";
    let refusal = || Forbidden::new().with_message(format!("Only {owner} may archive it"));
    drop(refusal().into_response());
    let refusal = refusal();
    let built = measure(|| drop(refusal.into_response())).count_total;
    assert_eq!(built, floor + 1, "403 with a message built per request");
    let literal = allocations(|| {
        Forbidden::new()
            .with_message("Only bob may archive it")
            .into_response()
    });
    assert_eq!(literal, floor, "403 with a message of 'static text");
}

#[test]
fn a_concealed_404_costs_what_the_genuine_one_costs_unless_its_refusal_has_text() {
    let genuine = allocations(|| HttpError::not_found().into_response());
    // A refusal with no text of its own is kept as which one it is: nothing to allocate.
    for (case, concealed) in [
        (
            "bare",
            allocations(|| Forbidden::new().conceal().into_response()),
        ),
        (
            "not_owner",
            allocations(|| Forbidden::not_owner().conceal().into_response()),
        ),
        (
            "blocked_by_policy",
            allocations(|| Forbidden::blocked_by_policy().conceal().into_response()),
        ),
    ] {
        assert_eq!(concealed, genuine, "concealed {case}, genuine: {genuine}");
    }
    // Any other refusal is boxed to be kept for logs: one allocation.
    let with_text = allocations(|| Forbidden::missing_role("admin").conceal().into_response());
    assert_eq!(with_text, genuine + 1, "concealed missing_role");
}

#[test]
fn a_bearer_401_allocates_no_more_than_a_json_macro_body() {
    let json_macro = allocations(|| {
        (
            StatusCode::FORBIDDEN,
            Json(serde_json::json!({
                "error": "Forbidden",
                "message": "You do not have permission to access this resource",
                "status": 403
            })),
        )
            .into_response()
    });
    let bearer = allocations(|| Unauthorized::bearer().with_realm("example").into_response());
    assert!(
        bearer <= json_macro,
        "401 bearer: {bearer}, json!: {json_macro}"
    );
}

/// Polls a future that needs no I/O to completion, without a runtime that allocates.
fn run<F: std::future::Future>(future: F) -> F::Output {
    struct Noop;
    impl std::task::Wake for Noop {
        fn wake(self: std::sync::Arc<Self>) {}
    }
    let waker = std::task::Waker::from(std::sync::Arc::new(Noop));
    let mut context = std::task::Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

/// Allocations of one request with `headers` through `service`, counted after a first request
/// warmed it up.
fn through<S>(service: S, path: &'static str, headers: &[(&'static str, &'static str)]) -> u64
where
    S: tower::Service<
            http::Request<axum::body::Body>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone,
{
    use tower::ServiceExt;
    let call = || {
        let mut request = http::Request::get(path);
        for (name, value) in headers {
            // Static, as hyper's are slices of the buffer it read: cloning one costs nothing.
            request = request.header(*name, HeaderValue::from_static(value));
        }
        let request = request.body(axum::body::Body::empty()).unwrap();
        drop(run(service.clone().oneshot(request)).unwrap());
    };
    call();
    measure(call).count_total
}

#[test]
fn the_error_layer_adds_no_allocation_to_a_success_or_the_crates_refusals() {
    use axum::routing::get;
    use tower::Layer;
    let router = || {
        axum::Router::new()
            .route("/ok", get(|| async { "fine" }))
            .route("/refused", get(|| async { Forbidden::new() }))
            .route("/concealed", get(|| async { Forbidden::new().conceal() }))
    };
    for path in ["/ok", "/refused", "/concealed"] {
        let without = through(router(), path, &[]);
        // Around the whole router: the layer's own cost. (`Router::layer` adds axum's boxing
        // of each layered route, which any layer costs; BENCHMARKS.md measures that too.)
        let with = through(denied::axum::ErrorLayer::new().layer(router()), path, &[]);
        assert_eq!(
            with, without,
            "{path}: {with} allocations through the layer, {without} without"
        );
    }
}

fn context_router() -> axum::Router {
    use axum::routing::get;
    axum::Router::new()
        .route("/ok", get(|| async { "fine" }))
        .route("/refused", get(|| async { Forbidden::new() }))
}

fn layer(config: denied::Config) -> denied::axum::ErrorLayer {
    denied::axum::ErrorLayer::with_config(config).unwrap()
}

#[test]
fn a_request_id_costs_a_refusal_at_most_one_allocation_and_a_success_none() {
    use tower::Layer;
    let id = [("x-request-id", "req-7f3a9c")];
    for (path, extra) in [("/ok", 0), ("/refused", 1)] {
        let without = through(
            layer(denied::Config::new().without_request_id()).layer(context_router()),
            path,
            &id,
        );
        let with = through(
            layer(denied::Config::new()).layer(context_router()),
            path,
            &id,
        );
        assert!(
            with <= without + extra,
            "{path}: {with} allocations echoing the id, {without} without"
        );
    }
}

#[test]
fn negotiation_and_language_choice_allocate_nothing() {
    use denied::http::StatusCode;
    use tower::Layer;
    let headers = [
        (
            "accept",
            "text/html, application/problem+json;q=0.9, application/json;q=0.8, */*;q=0.1",
        ),
        (
            "accept-language",
            "fr-CH, fr;q=0.9, de;q=0.8, en;q=0.7, *;q=0.5",
        ),
    ];
    let negotiating = || {
        let german = denied::Catalog::new().message(StatusCode::FORBIDDEN, "Nein");
        denied::Config::new()
            .without_request_id()
            .negotiate(true)
            .language("de", german)
    };
    for path in ["/ok", "/refused"] {
        let plain = through(
            layer(denied::Config::new().without_request_id()).layer(context_router()),
            path,
            &headers,
        );
        let chosen = through(layer(negotiating()).layer(context_router()), path, &headers);
        assert!(
            chosen <= plain,
            "{path}: {chosen} allocations negotiating, {plain} without"
        );
    }
}

#[cfg(feature = "tower")]
#[test]
fn the_tower_layer_adds_no_allocation_to_a_success_or_the_services_refusal() {
    use http_body_util::Full;
    use tower::{service_fn, Layer, ServiceExt};
    type Body = Full<Bytes>;
    let service = || {
        service_fn(|request: http::Request<Body>| async move {
            match request.uri().path() {
                "/ok" => Ok(http::Response::new(Full::new(Bytes::from_static(b"fine")))),
                _ => Err(HttpError::from(Forbidden::new())),
            }
        })
    };
    let count = |call: &dyn Fn()| {
        call();
        measure(call).count_total
    };
    for path in ["/ok", "/refused"] {
        let request = || http::Request::get(path).body(Body::default()).unwrap();
        // Without the layer, the service's refusal is rendered by hand, as a service would.
        let without = count(&|| {
            let response = run(service().oneshot(request())).map(|response| response.map(|_| ()));
            drop(response.unwrap_or_else(|error| error.render().map(|_| ())));
        });
        let with = count(&|| {
            let layered = denied::tower::ErrorLayer::new().layer(service());
            drop(run(layered.oneshot(request())));
        });
        assert!(
            with <= without,
            "{path}: {with} allocations through the layer, {without} without"
        );
    }
}
