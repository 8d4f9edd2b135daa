//! Two apps in one process, each with its own `Config` through its framework's layer: each
//! answers with its own format, sentences, realm and request-id header, and its report hook (a
//! closure) sees its own requests. The process-wide settings stay untouched.
#![cfg(any(
    feature = "axum",
    feature = "actix-web",
    feature = "warp",
    feature = "tower",
    feature = "poem",
    feature = "salvo",
    feature = "rocket"
))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::{Arc, Mutex};

use denied::http::{HeaderName, StatusCode};
use denied::{BearerToken, BodyFormat, Catalog, Config, Forbidden, ForeignJson, HttpError, Report};
use support::{challenges_of, check_body, Format, Reply};

/// What a report hook saw: method, path, request id, and the error's log line.
type Seen = Arc<Mutex<Vec<(String, String, Option<String>, String)>>>;

fn recording(seen: &Seen) -> impl Fn(&Report<'_>) + Send + Sync + 'static {
    let seen = Arc::clone(seen);
    move |report| {
        seen.lock().unwrap().push((
            report.method().map(ToString::to_string).unwrap_or_default(),
            report.path().unwrap_or_default().to_owned(),
            report.request_id().map(str::to_owned),
            report.to_string(),
        ));
    }
}

/// The body of a foreign 502: its line break and terminal escape must not reach a log line
/// as they are.
const UPSTREAM_TEXT: &str = "upstream text 5c1d\nINFO forged line\u{1b}[2K";

/// Headers of the foreign 502 that describe its body: the crate's body replaces it, so they go
/// (a browser would save the JSON error as `report.csv`).
const DISPOSITION: (&str, &str) = ("content-disposition", "attachment; filename=\"report.csv\"");
const LOCATION: (&str, &str) = ("content-location", "/exports/report.csv");

/// The requests every app gets, in order: a refusal, missing credentials, a foreign plain-text
/// 502, a plain-text and a JSON 405 that name no methods, the app's own JSON 500 and 400, and
/// the crate's own 500 with a sentence the app exposes.
const PATHS: [&str; 8] = [
    "/refused",
    "/me",
    "/plain",
    "/no-allow",
    "/json-405",
    "/json-500",
    "/json-400",
    "/own-500",
];

/// A JSON 500 the app wrote itself, naming internal details: it must not reach the client.
const JSON_500: &str =
    r#"{"error":"pq: password authentication failed for user \"billing\" at 10.0.3.7:5432"}"#;

/// A JSON 400 the app wrote on purpose.
const JSON_400: &str = r#"{"error":"the order is empty"}"#;

/// A 405 a handler wrote without `Allow`, in plain text and in JSON.
const WRONG_METHOD_TEXT: &str = "use the other method";
const JSON_405: &str = r#"{"error":"use the other method"}"#;

/// The crate's own 500, with a sentence the app exposes on purpose: it goes out as rendered.
/// Its hidden source is a chain of two errors, which the report line names, escaped.
fn own_500() -> HttpError {
    let refused = std::io::Error::other("connection to db-primary refused\nINFO forged");
    HttpError::internal()
        .with_exposed_message("Try again in a minute")
        .with_source(PoolError(refused))
}

/// An error whose source is another, as a connection pool's would be.
#[derive(Debug)]
struct PoolError(std::io::Error);

impl std::fmt::Display for PoolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no connection from the pool")
    }
}

impl std::error::Error for PoolError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// The id the upstream of the foreign 502 gave it: the response keeps it, and its body names
/// it, where the app reads ids from that header (tower-http's `PropagateRequestId` rule).
const UPSTREAM_ID: (&str, &str) = ("x-request-id", "upstream-7");

/// App A: JSON, French as its one language with its own 403 sentence (the requests ask for
/// German, which A does not offer), realm `alpha`, ids from `X-Request-Id`.
fn config_a(seen: &Seen) -> Config {
    Config::new()
        .base_language("fr", Catalog::new().message(StatusCode::FORBIDDEN, "Non A"))
        .realm("alpha")
        .report(recording(seen))
}

/// App B: problem details with the path as `instance`, realm `beta`, ids from
/// `X-Correlation-Id`, negotiation, German, and every foreign JSON error rewritten.
fn config_b(seen: &Seen) -> Config {
    Config::new()
        .format(BodyFormat::Problem)
        .foreign_json(ForeignJson::RewriteAll)
        .realm("beta")
        .request_id_header(HeaderName::from_static("x-correlation-id"))
        .instance_from_path(true)
        .negotiate(true)
        .language(
            "de",
            Catalog::new().message(StatusCode::FORBIDDEN, "Verboten, sagt B"),
        )
        .report(recording(seen))
}

const HEADERS: [(&str, &str); 3] = [
    ("x-request-id", "id-for-a"),
    ("x-correlation-id", "id-for-b"),
    ("accept-language", "de"),
];

/// Checks the replies of app A and app B to [`PATHS`], all sent with [`HEADERS`].
fn check_apps(a: &[Reply; 8], b: &[Reply; 8], seen_a: &Seen, seen_b: &Seen, framework: &str) {
    let [refused_a, me_a, plain_a, ..] = a;
    let [refused_b, me_b, plain_b, ..] = b;
    check_json_errors(a, b, framework);
    check_405s_without_allow(a, b, framework);

    assert_eq!(refused_a.status, 403, "{framework}: {refused_a:?}");
    assert_eq!(check_body(refused_a, Format::Json), "Non A", "{framework}");
    assert_eq!(refused_a.header("x-request-id"), Some("id-for-a"));
    assert_eq!(refused_a.header("x-correlation-id"), None);
    assert_eq!(refused_a.json()["request_id"], "id-for-a");
    assert_eq!(
        refused_a.header("content-language"),
        Some("fr"),
        "A names its base language, whatever the request asks"
    );
    assert_eq!(refused_a.header("vary"), None, "A has one language");

    assert_eq!(refused_b.status, 403, "{framework}: {refused_b:?}");
    assert_eq!(check_body(refused_b, Format::Problem), "Verboten, sagt B");
    assert_eq!(refused_b.header("x-correlation-id"), Some("id-for-b"));
    assert_eq!(
        refused_b.header("x-request-id"),
        None,
        "{framework}: {refused_b:?}"
    );
    assert_eq!(refused_b.json()["request_id"], "id-for-b");
    assert_eq!(refused_b.json()["instance"], "/refused");
    assert_eq!(refused_b.header("content-language"), Some("de"));

    let realm = |reply: &Reply| challenges_of(reply)[0].param("realm").map(str::to_owned);
    assert_eq!(me_a.status, 401, "{framework}: {me_a:?}");
    assert_eq!(realm(me_a).as_deref(), Some("alpha"), "{framework}");
    assert_eq!(me_b.status, 401, "{framework}: {me_b:?}");
    assert_eq!(realm(me_b).as_deref(), Some("beta"), "{framework}");

    // App A reads ids from `X-Request-Id`, which the upstream named: its id is kept and the
    // body names it. App B reads `X-Correlation-Id`: its own id, and the upstream's header
    // untouched.
    for (plain, format, id, id_header) in [
        (plain_a, Format::Json, UPSTREAM_ID.1, "x-request-id"),
        (plain_b, Format::Problem, "id-for-b", "x-correlation-id"),
    ] {
        assert_eq!(plain.status, 502, "{framework}: {plain:?}");
        check_body(plain, format);
        for (name, _) in [DISPOSITION, LOCATION] {
            assert_eq!(plain.header(name), None, "{framework}: {plain:?}");
        }
        assert_eq!(plain.json()["request_id"], id, "{framework}");
        let ids: Vec<&str> = plain.headers_named(id_header).collect();
        assert_eq!(ids, [id], "{framework}: {plain:?}");
        let upstream: Vec<&str> = plain.headers_named(UPSTREAM_ID.0).collect();
        assert_eq!(upstream, [UPSTREAM_ID.1], "{framework}: {plain:?}");
    }

    // Every error the crate rendered is reported once (app A lets the app's JSON 400 pass
    // unrendered); the report names the id the response carries: app A's `/plain`, the
    // upstream's.
    let reported_a = [
        "/refused",
        "/me",
        "/plain",
        "/no-allow",
        "/json-500",
        "/own-500",
    ];
    for (seen, ids, reported) in [
        (
            seen_a,
            &[
                "id-for-a",
                "id-for-a",
                UPSTREAM_ID.1,
                "id-for-a",
                "id-for-a",
                "id-for-a",
            ][..],
            &reported_a[..],
        ),
        (seen_b, &["id-for-b"; 8][..], &PATHS[..]),
    ] {
        let seen = std::mem::take(&mut *seen.lock().unwrap());
        let paths: Vec<&str> = seen.iter().map(|(_, path, _, _)| path.as_str()).collect();
        assert_eq!(paths, reported, "{framework}: {seen:?}");
        for ((method, _, seen_id, line), &id) in seen.iter().zip(ids) {
            assert_eq!(method, "GET", "{framework}");
            assert_eq!(seen_id.as_deref(), Some(id), "{framework}");
            assert!(line.starts_with("GET /"), "{framework}: {line}");
            assert!(line.contains(id), "{framework}: {line}");
        }
        let plain_line = &seen[2].3;
        assert!(
            plain_line.contains("upstream text 5c1d\\nINFO forged line\\u{1b}[2K"),
            "the hidden note, its control characters escaped: {plain_line}"
        );
        assert!(!plain_line.contains(char::is_control), "{plain_line:?}");
        for (_, path, _, line) in &seen {
            if ["/no-allow", "/json-405"].contains(&path.as_str()) {
                assert!(line.contains("a 405 without Allow"), "{framework}: {line}");
            }
        }
        let own_line = &seen.last().unwrap().3;
        assert!(
            own_line.ends_with(
                ": caused by: no connection from the pool: \
                 connection to db-primary refused\\nINFO forged"
            ),
            "the hidden source's chain, escaped: {own_line}"
        );
    }
}

/// A 405 a handler wrote without `Allow` keeps its status and gets an empty `Allow` (RFC 9110
/// §10.2.1: the resource allows no method now), never none (§15.5.6); its report says so (see
/// [`check_apps`]). App A lets the app's JSON 405 pass but for that header; app B rewrites it.
fn check_405s_without_allow(a: &[Reply; 8], b: &[Reply; 8], framework: &str) {
    let [_, _, _, no_allow_a, json_405_a, ..] = a;
    let [_, _, _, no_allow_b, json_405_b, ..] = b;
    let sentence = "This method is not allowed for this resource";
    for (reply, format) in [
        (no_allow_a, Format::Json),
        (no_allow_b, Format::Problem),
        (json_405_b, Format::Problem),
    ] {
        assert_eq!(reply.status, 405, "{framework}: {reply:?}");
        assert_eq!(check_body(reply, format), sentence, "{framework}");
        let allow: Vec<&str> = reply.headers_named("allow").collect();
        assert_eq!(allow, [""], "{framework}: {reply:?}");
    }
    assert_eq!(json_405_a.status, 405, "{framework}: {json_405_a:?}");
    assert_eq!(json_405_a.body, JSON_405.as_bytes(), "{framework}");
    let allow: Vec<&str> = json_405_a.headers_named("allow").collect();
    assert_eq!(allow, [""], "{framework}: {json_405_a:?}");
}

/// Settings whose report hook panics on every report, as one that expects what a request
/// does not carry would.
fn panicking_hook() -> Config {
    Config::new().report(|report| {
        let _ = report.error();
        panic!("the report hook failed");
    })
}

/// A report hook that panics stops at the hook: the handler's 403, the extractor's 401 and the
/// rewritten 502 all go out whole, in the crate's body.
fn check_answered_despite_the_hook(replies: &[Reply; 8], framework: &str) {
    let [refused, me, plain, ..] = replies;
    assert_eq!(refused.status, 403, "{framework}: {refused:?}");
    check_body(refused, Format::Json);
    assert_eq!(me.status, 401, "{framework}: {me:?}");
    assert_eq!(challenges_of(me).len(), 1, "{framework}: {me:?}");
    check_body(me, Format::Json);
    assert_eq!(plain.status, 502, "{framework}: {plain:?}");
    check_body(plain, Format::Json);
    let [.., json_500, json_400, own] = replies;
    assert_eq!(json_500.status, 500, "{framework}: {json_500:?}");
    check_body(json_500, Format::Json);
    assert!(!String::from_utf8_lossy(&json_500.body).contains("10.0.3.7"));
    assert_eq!(json_400.body, JSON_400.as_bytes(), "{framework}");
    assert_eq!(
        check_body(own, Format::Json),
        "Try again in a minute",
        "{framework}"
    );
}

/// JSON errors the crate did not render: app A (the default) gives the app's JSON 500 the
/// generic body and lets its JSON 400 pass; app B (`ForeignJson::RewriteAll`) rewrites both.
/// The crate's own 500 passes in both, its exposed sentence kept.
fn check_json_errors(a: &[Reply; 8], b: &[Reply; 8], framework: &str) {
    let [.., json_500_a, json_400_a, own_a] = a;
    let [.., json_500_b, json_400_b, own_b] = b;
    for (json_500, format) in [(json_500_a, Format::Json), (json_500_b, Format::Problem)] {
        assert_eq!(json_500.status, 500, "{framework}: {json_500:?}");
        assert_eq!(
            check_body(json_500, format),
            "An internal error occurred",
            "{framework}"
        );
        let body = String::from_utf8_lossy(&json_500.body);
        assert!(!body.contains("10.0.3.7"), "{framework}: {body}");
    }
    assert_eq!(json_400_a.status, 400, "{framework}: {json_400_a:?}");
    assert_eq!(json_400_a.body, JSON_400.as_bytes(), "{framework}");
    assert_eq!(json_400_b.status, 400, "{framework}: {json_400_b:?}");
    assert_eq!(
        check_body(json_400_b, Format::Problem),
        "The request is invalid",
        "{framework}"
    );
    for (own, format) in [(own_a, Format::Json), (own_b, Format::Problem)] {
        assert_eq!(own.status, 500, "{framework}: {own:?}");
        assert_eq!(
            check_body(own, format),
            "Try again in a minute",
            "{framework}"
        );
    }
}

/// The process-wide settings are the defaults still: no app's config leaked into them.
fn check_process_wide_defaults() {
    let body: serde_json::Value =
        serde_json::from_slice(HttpError::forbidden().render().body()).unwrap();
    assert_eq!(
        body["message"],
        "You do not have permission to access this resource"
    );
}

#[cfg(feature = "axum")]
mod axum_apps {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use tower::{Layer, ServiceExt};

    fn router() -> axum::Router {
        axum::Router::new()
            .route("/refused", get(|| async { Forbidden::new() }))
            .route("/me", get(|_token: BearerToken| async { "alice" }))
            .route(
                "/plain",
                get(|| async {
                    (
                        StatusCode::BAD_GATEWAY,
                        [DISPOSITION, LOCATION, UPSTREAM_ID],
                        UPSTREAM_TEXT,
                    )
                }),
            )
            .route(
                "/no-allow",
                get(|| async { (StatusCode::METHOD_NOT_ALLOWED, WRONG_METHOD_TEXT) }),
            )
            .route(
                "/json-405",
                get(|| async {
                    let json = [(http::header::CONTENT_TYPE, "application/json")];
                    (StatusCode::METHOD_NOT_ALLOWED, json, JSON_405)
                }),
            )
            .route(
                "/json-500",
                get(|| async {
                    let json = [(http::header::CONTENT_TYPE, "application/json")];
                    (StatusCode::INTERNAL_SERVER_ERROR, json, JSON_500)
                }),
            )
            .route(
                "/json-400",
                get(|| async {
                    let json = [(http::header::CONTENT_TYPE, "application/json")];
                    (StatusCode::BAD_REQUEST, json, JSON_400)
                }),
            )
            .route("/own-500", get(|| async { own_500() }))
    }

    async fn send(config: Config) -> [Reply; 8] {
        let app = denied::axum::ErrorLayer::with_config(config)
            .unwrap()
            .layer(router());
        let mut replies = Vec::new();
        for path in PATHS {
            let mut request = http::Request::get(path);
            for (name, value) in HEADERS {
                request = request.header(name, value);
            }
            let request = request.body(Body::empty()).unwrap();
            let response = app.clone().oneshot(request).await.unwrap();
            replies.push(support::axum_reply(response).await);
        }
        replies.try_into().unwrap()
    }

    #[tokio::test]
    async fn a_rewritten_error_varies_on_its_own_headers_and_the_apps() {
        let router = axum::Router::new().route(
            "/plain",
            get(|| async {
                (
                    StatusCode::BAD_GATEWAY,
                    [(http::header::VARY, "Origin")],
                    UPSTREAM_TEXT,
                )
            }),
        );
        let config = Config::new().negotiate(true);
        let app = denied::axum::ErrorLayer::with_config(config)
            .unwrap()
            .layer(router);
        let request = http::Request::get("/plain")
            .header("accept", "application/problem+json")
            .body(Body::empty())
            .unwrap();
        let reply = support::axum_reply(app.oneshot(request).await.unwrap()).await;
        check_body(&reply, Format::Problem);
        let mut varies: Vec<String> = reply
            .headers_named("vary")
            .flat_map(|line| line.split(','))
            .map(|name| name.trim().to_ascii_lowercase())
            .collect();
        varies.sort();
        assert_eq!(varies, ["accept", "origin"], "{reply:?}");
    }

    #[tokio::test]
    async fn the_request_id_member_is_the_requests_and_never_an_errors_own() {
        let router = axum::Router::new().route(
            "/own",
            get(|| async { HttpError::forbidden().with_member("request_id", "own-7") }),
        );
        let app = denied::axum::ErrorLayer::new().layer(router);
        let request = http::Request::get("/own")
            .header("x-request-id", "from-the-request")
            .body(Body::empty())
            .unwrap();
        let reply = support::axum_reply(app.oneshot(request).await.unwrap()).await;
        let text = String::from_utf8(reply.body.clone()).unwrap();
        assert_eq!(text.matches("\"request_id\"").count(), 1, "{text}");
        assert_eq!(reply.json()["request_id"], "from-the-request");
        assert_eq!(reply.header("x-request-id"), Some("from-the-request"));
        assert!(!text.contains("own-7"), "{text}");
    }

    #[tokio::test]
    async fn two_axum_apps_answer_each_with_its_own_config() {
        let (seen_a, seen_b) = (Seen::default(), Seen::default());
        let a = send(config_a(&seen_a)).await;
        let b = send(config_b(&seen_b)).await;
        check_apps(&a, &b, &seen_a, &seen_b, "axum");
        check_process_wide_defaults();
    }

    #[tokio::test]
    async fn a_panicking_report_hook_stops_at_the_hook_in_axum() {
        check_answered_despite_the_hook(&send(panicking_hook()).await, "axum");
    }
}

#[cfg(feature = "actix-web")]
mod actix_web_apps {
    use super::*;
    use actix_web::{test, web, App, HttpResponse};

    async fn send(config: Config) -> [Reply; 8] {
        let app = test::init_service(
            App::new()
                .route("/refused", web::get().to(|| async { Forbidden::new() }))
                .route(
                    "/me",
                    web::get().to(|_token: BearerToken| async { "alice" }),
                )
                .route(
                    "/plain",
                    web::get().to(|| async {
                        HttpResponse::BadGateway()
                            .insert_header(DISPOSITION)
                            .insert_header(LOCATION)
                            .insert_header(UPSTREAM_ID)
                            .body(UPSTREAM_TEXT)
                    }),
                )
                .route(
                    "/no-allow",
                    web::get()
                        .to(|| async { HttpResponse::MethodNotAllowed().body(WRONG_METHOD_TEXT) }),
                )
                .route(
                    "/json-405",
                    web::get().to(|| async {
                        HttpResponse::MethodNotAllowed()
                            .content_type("application/json")
                            .body(JSON_405)
                    }),
                )
                .route(
                    "/json-500",
                    web::get().to(|| async {
                        HttpResponse::InternalServerError()
                            .content_type("application/json")
                            .body(JSON_500)
                    }),
                )
                .route(
                    "/json-400",
                    web::get().to(|| async {
                        HttpResponse::BadRequest()
                            .content_type("application/json")
                            .body(JSON_400)
                    }),
                )
                .route("/own-500", web::get().to(|| async { own_500() }))
                .wrap(denied::actix_web::ErrorHandling::with_config(config).unwrap()),
        )
        .await;
        let mut replies = Vec::new();
        for path in PATHS {
            let mut request = test::TestRequest::get().uri(path);
            for (name, value) in HEADERS {
                request = request.insert_header((name, value));
            }
            let response = test::call_service(&app, request.to_request()).await;
            replies.push(support::actix_reply(response));
        }
        replies.try_into().unwrap()
    }

    #[actix_web::test]
    async fn two_actix_web_apps_answer_each_with_its_own_config() {
        let (seen_a, seen_b) = (Seen::default(), Seen::default());
        let a = send(config_a(&seen_a)).await;
        let b = send(config_b(&seen_b)).await;
        check_apps(&a, &b, &seen_a, &seen_b, "actix-web");
        check_process_wide_defaults();
    }

    #[actix_web::test]
    async fn a_panicking_report_hook_stops_at_the_hook_in_actix_web() {
        check_answered_despite_the_hook(&send(panicking_hook()).await, "actix-web");
    }
}

#[cfg(feature = "warp")]
mod warp_apps {
    use super::*;
    use support::reply_of;
    use warp::Filter;

    async fn send(config: Config) -> [Reply; 8] {
        let refused = warp::path!("refused").map(Forbidden::new);
        let me = warp::path!("me")
            .and(denied::warp::bearer_token())
            .map(|_token: BearerToken| "alice");
        let plain = warp::path!("plain").map(|| {
            let reply =
                warp::reply::with_status(UPSTREAM_TEXT, warp::http::StatusCode::BAD_GATEWAY);
            let reply = warp::reply::with_header(reply, DISPOSITION.0, DISPOSITION.1);
            let reply = warp::reply::with_header(reply, LOCATION.0, LOCATION.1);
            warp::reply::with_header(reply, UPSTREAM_ID.0, UPSTREAM_ID.1)
        });
        let json = |body: &'static str, status: warp::http::StatusCode| {
            let reply = warp::reply::with_status(body, status);
            warp::reply::with_header(reply, "content-type", "application/json")
        };
        let no_allow = warp::path!("no-allow").map(|| {
            warp::reply::with_status(
                WRONG_METHOD_TEXT,
                warp::http::StatusCode::METHOD_NOT_ALLOWED,
            )
        });
        let json_405 = warp::path!("json-405")
            .map(move || json(JSON_405, warp::http::StatusCode::METHOD_NOT_ALLOWED));
        let json_500 = warp::path!("json-500")
            .map(move || json(JSON_500, warp::http::StatusCode::INTERNAL_SERVER_ERROR));
        let json_400 = warp::path!("json-400")
            .map(move || json(JSON_400, warp::http::StatusCode::BAD_REQUEST));
        let own = warp::path!("own-500").map(own_500);
        let routes = refused
            .map(warp::Reply::into_response)
            .or(me.map(warp::Reply::into_response))
            .unify()
            .or(plain.map(warp::Reply::into_response))
            .unify()
            .or(no_allow.map(warp::Reply::into_response))
            .unify()
            .or(json_405.map(warp::Reply::into_response))
            .unify()
            .or(json_500.map(warp::Reply::into_response))
            .unify()
            .or(json_400.map(warp::Reply::into_response))
            .unify()
            .or(own.map(warp::Reply::into_response))
            .unify();
        let app = denied::warp::error_handling_with_config(config, routes).unwrap();
        let mut replies = Vec::new();
        for path in PATHS {
            let mut request = warp::test::request().path(path);
            for (name, value) in HEADERS {
                request = request.header(name, value);
            }
            replies.push(reply_of(request.reply(&app).await));
        }
        replies.try_into().unwrap()
    }

    #[tokio::test]
    async fn two_warp_apps_answer_each_with_its_own_config() {
        let (seen_a, seen_b) = (Seen::default(), Seen::default());
        let a = send(config_a(&seen_a)).await;
        let b = send(config_b(&seen_b)).await;
        check_apps(&a, &b, &seen_a, &seen_b, "warp");
        check_process_wide_defaults();
    }

    #[tokio::test]
    async fn a_panicking_report_hook_stops_at_the_hook_in_warp() {
        check_answered_despite_the_hook(&send(panicking_hook()).await, "warp");
    }
}

#[cfg(feature = "tower")]
mod tower_apps {
    use super::*;
    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};
    use support::reply_of;
    use tower::{service_fn, Layer, ServiceExt};

    async fn handle(
        request: http::Request<Full<Bytes>>,
    ) -> Result<http::Response<Full<Bytes>>, HttpError> {
        match request.uri().path() {
            "/refused" => Err(Forbidden::new())?,
            "/me" => {
                BearerToken::from_headers(request.headers())?;
                Ok(http::Response::new(Full::new(Bytes::from_static(b"alice"))))
            }
            "/no-allow" => Ok(http::Response::builder()
                .status(StatusCode::METHOD_NOT_ALLOWED)
                .body(Full::new(Bytes::from_static(WRONG_METHOD_TEXT.as_bytes())))
                .unwrap()),
            "/json-405" | "/json-500" | "/json-400" => {
                let (status, body) = match request.uri().path() {
                    "/json-405" => (StatusCode::METHOD_NOT_ALLOWED, JSON_405),
                    "/json-500" => (StatusCode::INTERNAL_SERVER_ERROR, JSON_500),
                    _ => (StatusCode::BAD_REQUEST, JSON_400),
                };
                Ok(http::Response::builder()
                    .status(status)
                    .header("content-type", "application/json")
                    .body(Full::new(Bytes::from_static(body.as_bytes())))
                    .unwrap())
            }
            "/own-500" => Err(own_500()),
            _ => Ok(http::Response::builder()
                .status(StatusCode::BAD_GATEWAY)
                .header(DISPOSITION.0, DISPOSITION.1)
                .header(LOCATION.0, LOCATION.1)
                .header(UPSTREAM_ID.0, UPSTREAM_ID.1)
                .body(Full::new(Bytes::from_static(UPSTREAM_TEXT.as_bytes())))
                .unwrap()),
        }
    }

    async fn send(config: Config) -> [Reply; 8] {
        let service = denied::tower::ErrorLayer::with_config(config)
            .unwrap()
            .layer(service_fn(handle));
        let mut replies = Vec::new();
        for path in PATHS {
            let mut request = http::Request::get(path);
            for (name, value) in HEADERS {
                request = request.header(name, value);
            }
            let request = request.body(Full::default()).unwrap();
            let response = service.clone().oneshot(request).await.unwrap();
            let (parts, body) = response.into_parts();
            let bytes = body.collect().await.unwrap().to_bytes();
            replies.push(reply_of(http::Response::from_parts(parts, bytes)));
        }
        replies.try_into().unwrap()
    }

    #[tokio::test]
    async fn two_tower_apps_answer_each_with_its_own_config() {
        let (seen_a, seen_b) = (Seen::default(), Seen::default());
        let a = send(config_a(&seen_a)).await;
        let b = send(config_b(&seen_b)).await;
        check_apps(&a, &b, &seen_a, &seen_b, "tower");
        check_process_wide_defaults();
    }

    #[tokio::test]
    async fn a_panicking_report_hook_stops_at_the_hook_in_tower() {
        check_answered_despite_the_hook(&send(panicking_hook()).await, "tower");
    }
}

#[cfg(feature = "poem")]
mod poem_apps {
    use super::*;
    use poem::test::TestClient;
    use poem::{get, handler, EndpointExt, Route};

    #[handler]
    fn refused() -> Forbidden {
        Forbidden::new()
    }

    #[handler]
    fn me(_token: BearerToken) -> &'static str {
        "alice"
    }

    #[handler]
    fn plain() -> poem::Response {
        poem::Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .header(DISPOSITION.0, DISPOSITION.1)
            .header(LOCATION.0, LOCATION.1)
            .header(UPSTREAM_ID.0, UPSTREAM_ID.1)
            .body(UPSTREAM_TEXT)
    }

    #[handler]
    fn no_allow() -> poem::Response {
        poem::Response::builder()
            .status(StatusCode::METHOD_NOT_ALLOWED)
            .body(WRONG_METHOD_TEXT)
    }

    #[handler]
    fn json_405() -> poem::Response {
        poem::Response::builder()
            .status(StatusCode::METHOD_NOT_ALLOWED)
            .content_type("application/json")
            .body(JSON_405)
    }

    #[handler]
    fn json_500() -> poem::Response {
        poem::Response::builder()
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .content_type("application/json")
            .body(JSON_500)
    }

    #[handler]
    fn json_400() -> poem::Response {
        poem::Response::builder()
            .status(StatusCode::BAD_REQUEST)
            .content_type("application/json")
            .body(JSON_400)
    }

    #[handler]
    fn own() -> poem::Result<&'static str> {
        Err(own_500().into())
    }

    async fn send(config: Config) -> [Reply; 8] {
        let app = Route::new()
            .at("/refused", get(refused))
            .at("/me", get(me))
            .at("/plain", get(plain))
            .at("/no-allow", get(no_allow))
            .at("/json-405", get(json_405))
            .at("/json-500", get(json_500))
            .at("/json-400", get(json_400))
            .at("/own-500", get(own))
            .with(denied::poem::ErrorHandling::with_config(config).unwrap());
        let client = TestClient::new(app);
        let mut replies = Vec::new();
        for path in PATHS {
            let mut request = client.get(path);
            for (name, value) in HEADERS {
                request = request.header(name, value);
            }
            replies.push(support::poem_reply(request.send().await).await);
        }
        replies.try_into().unwrap()
    }

    #[tokio::test]
    async fn two_poem_apps_answer_each_with_its_own_config() {
        let (seen_a, seen_b) = (Seen::default(), Seen::default());
        let a = send(config_a(&seen_a)).await;
        let b = send(config_b(&seen_b)).await;
        check_apps(&a, &b, &seen_a, &seen_b, "poem");
        check_process_wide_defaults();
    }

    #[tokio::test]
    async fn a_panicking_report_hook_stops_at_the_hook_in_poem() {
        check_answered_despite_the_hook(&send(panicking_hook()).await, "poem");
    }
}

#[cfg(feature = "salvo")]
mod salvo_apps {
    use super::*;
    use salvo::prelude::*;
    use salvo::test::TestClient;

    #[handler]
    async fn refused() -> Forbidden {
        Forbidden::new()
    }

    #[handler]
    async fn me(req: &mut Request) -> Result<&'static str, HttpError> {
        BearerToken::from_headers(req.headers())?;
        Ok("alice")
    }

    #[handler]
    async fn plain(res: &mut Response) {
        res.status_code(StatusCode::BAD_GATEWAY);
        for (name, value) in [DISPOSITION, LOCATION, UPSTREAM_ID] {
            res.add_header(name, value, true).unwrap();
        }
        res.render(Text::Plain(UPSTREAM_TEXT));
    }

    #[handler]
    async fn no_allow(res: &mut Response) {
        res.status_code(StatusCode::METHOD_NOT_ALLOWED);
        res.render(Text::Plain(WRONG_METHOD_TEXT));
    }

    #[handler]
    async fn json_405(res: &mut Response) {
        res.status_code(StatusCode::METHOD_NOT_ALLOWED);
        res.add_header("content-type", "application/json", true)
            .unwrap();
        res.write_body(JSON_405).unwrap();
    }

    #[handler]
    async fn json_500(res: &mut Response) {
        res.status_code(StatusCode::INTERNAL_SERVER_ERROR);
        res.add_header("content-type", "application/json", true)
            .unwrap();
        res.write_body(JSON_500).unwrap();
    }

    #[handler]
    async fn json_400(res: &mut Response) {
        res.status_code(StatusCode::BAD_REQUEST);
        res.add_header("content-type", "application/json", true)
            .unwrap();
        res.write_body(JSON_400).unwrap();
    }

    #[handler]
    async fn own() -> Result<&'static str, HttpError> {
        Err(own_500())
    }

    async fn send(config: Config) -> [Reply; 8] {
        let router = Router::new()
            .push(Router::with_path("refused").get(refused))
            .push(Router::with_path("me").get(me))
            .push(Router::with_path("plain").get(plain))
            .push(Router::with_path("no-allow").get(no_allow))
            .push(Router::with_path("json-405").get(json_405))
            .push(Router::with_path("json-500").get(json_500))
            .push(Router::with_path("json-400").get(json_400))
            .push(Router::with_path("own-500").get(own));
        let service =
            Service::new(router).hoop(denied::salvo::ErrorHandling::with_config(config).unwrap());
        let mut replies = Vec::new();
        for path in PATHS {
            let mut request = TestClient::get(format!("http://127.0.0.1{path}"));
            for (name, value) in HEADERS {
                request = request.add_header(name, value, true);
            }
            replies.push(support::salvo_reply(request.send(&service).await).await);
        }
        replies.try_into().unwrap()
    }

    #[tokio::test]
    async fn two_salvo_apps_answer_each_with_its_own_config() {
        let (seen_a, seen_b) = (Seen::default(), Seen::default());
        let a = send(config_a(&seen_a)).await;
        let b = send(config_b(&seen_b)).await;
        check_apps(&a, &b, &seen_a, &seen_b, "salvo");
        check_process_wide_defaults();
    }

    #[tokio::test]
    async fn a_panicking_report_hook_stops_at_the_hook_in_salvo() {
        check_answered_despite_the_hook(&send(panicking_hook()).await, "salvo");
    }
}

#[cfg(feature = "rocket")]
mod rocket_apps {
    use super::*;
    use rocket::http::Header;
    use rocket::local::asynchronous::Client;
    use support::reply_of;

    #[rocket::get("/refused")]
    fn refused() -> Forbidden {
        Forbidden::new()
    }

    #[rocket::get("/me")]
    fn me(_token: BearerToken) -> &'static str {
        "alice"
    }

    /// A plain-text 502 with headers that describe its body.
    #[derive(rocket::Responder)]
    #[response(status = 502)]
    struct Upstream {
        text: &'static str,
        disposition: Header<'static>,
        location: Header<'static>,
        id: Header<'static>,
    }

    #[rocket::get("/plain")]
    fn plain() -> Upstream {
        Upstream {
            text: UPSTREAM_TEXT,
            disposition: Header::new(DISPOSITION.0, DISPOSITION.1),
            location: Header::new(LOCATION.0, LOCATION.1),
            id: Header::new(UPSTREAM_ID.0, UPSTREAM_ID.1),
        }
    }

    #[rocket::get("/no-allow")]
    fn no_allow() -> (rocket::http::Status, &'static str) {
        (rocket::http::Status::MethodNotAllowed, WRONG_METHOD_TEXT)
    }

    #[rocket::get("/json-405")]
    fn json_405() -> (
        rocket::http::Status,
        (rocket::http::ContentType, &'static str),
    ) {
        let json = (rocket::http::ContentType::JSON, JSON_405);
        (rocket::http::Status::MethodNotAllowed, json)
    }

    #[rocket::get("/json-500")]
    fn json_500() -> (
        rocket::http::Status,
        (rocket::http::ContentType, &'static str),
    ) {
        let json = (rocket::http::ContentType::JSON, JSON_500);
        (rocket::http::Status::InternalServerError, json)
    }

    #[rocket::get("/json-400")]
    fn json_400() -> (
        rocket::http::Status,
        (rocket::http::ContentType, &'static str),
    ) {
        (
            rocket::http::Status::BadRequest,
            (rocket::http::ContentType::JSON, JSON_400),
        )
    }

    #[rocket::get("/own-500")]
    fn own() -> Result<&'static str, HttpError> {
        Err(own_500())
    }

    async fn send(config: Config) -> [Reply; 8] {
        let settings = rocket::Config {
            log_level: rocket::config::LogLevel::Off,
            ..rocket::Config::debug_default()
        };
        let app = rocket::custom(settings)
            .mount(
                "/",
                rocket::routes![refused, me, plain, no_allow, json_405, json_500, json_400, own],
            )
            .attach(denied::rocket::ErrorHandling::with_config(config).unwrap());
        let client = Client::untracked(app).await.unwrap();
        let mut replies = Vec::new();
        for path in PATHS {
            let mut request = client.get(path);
            for (name, value) in HEADERS {
                request.add_header(Header::new(name, value));
            }
            let response = request.dispatch().await;
            let status = StatusCode::from_u16(response.status().code).unwrap();
            let headers: Vec<(String, String)> = response
                .headers()
                .iter()
                .map(|header| (header.name().to_string(), header.value().to_owned()))
                .collect();
            let body = response.into_bytes().await.unwrap_or_default();
            let mut http_response = http::Response::new(bytes::Bytes::from(body));
            *http_response.status_mut() = status;
            for (name, value) in headers {
                http_response.headers_mut().append(
                    HeaderName::from_bytes(name.as_bytes()).unwrap(),
                    value.parse().unwrap(),
                );
            }
            replies.push(reply_of(http_response));
        }
        replies.try_into().unwrap()
    }

    #[rocket::async_test]
    async fn two_rocket_apps_answer_each_with_its_own_config() {
        let (seen_a, seen_b) = (Seen::default(), Seen::default());
        let a = send(config_a(&seen_a)).await;
        let b = send(config_b(&seen_b)).await;
        check_apps(&a, &b, &seen_a, &seen_b, "rocket");
        check_process_wide_defaults();
    }

    #[rocket::async_test]
    async fn a_panicking_report_hook_stops_at_the_hook_in_rocket() {
        check_answered_despite_the_hook(&send(panicking_hook()).await, "rocket");
    }
}
