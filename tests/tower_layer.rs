//! `denied::tower::ErrorLayer` and the request readers, driven with `tower::ServiceExt::oneshot`
//! on a plain `service_fn`: a service's `HttpError`, a plain-text error, a panic, a success, and
//! JSON bodies and queries refused as the framework extractors refuse them.
#![cfg(feature = "tower")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::HashMap;
use std::convert::Infallible;

use bytes::Bytes;
use denied::tower::{ErrorLayer, ResponseBody};
use denied::{BodyFormat, Config, Forbidden, HttpError};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use support::{assert_rewritten_upstream_error, check_body, reply_of, Format, Reply};
use tower::{service_fn, Layer, ServiceExt};

type Body = Full<Bytes>;

async fn reply(response: Response<ResponseBody<Body>>) -> Reply {
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    reply_of(Response::from_parts(parts, bytes))
}

#[allow(clippy::panic)]
async fn handle(request: Request<Body>) -> Result<Response<Body>, HttpError> {
    match request.uri().path() {
        "/ok" => Ok(Response::new(Full::new(Bytes::from_static(b"fine")))),
        "/refused" => Err(Forbidden::missing_role("admin"))?,
        "/plain" => Ok(Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .header("x-upstream", "billing")
            .header("content-range", "bytes 0-40/41")
            .body(Full::new(Bytes::from_static(
                b"upstream billing-7 said: password=hunter2",
            )))
            .unwrap()),
        // What tower-http's `ServeDir` answers a range past the end of a file.
        "/range" => Ok(Response::builder()
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .header("content-range", "bytes */1234")
            .header("content-type", "text/plain")
            .body(Full::new(Bytes::from_static(b"range not satisfiable")))
            .unwrap()),
        "/panic" => panic!("connection to db-primary refused (password=hunter2)"),
        _ => Err(HttpError::not_found()),
    }
}

async fn send(layer: ErrorLayer, request: Request<Body>) -> Reply {
    let service = layer.layer(service_fn(handle));
    reply(service.oneshot(request).await.unwrap()).await
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::default()).unwrap()
}

#[tokio::test]
async fn a_services_refusal_is_the_crates_response() {
    let reply = send(ErrorLayer::new(), get("/refused")).await;
    assert_eq!(reply.status, 403);
    assert_eq!(
        check_body(&reply, Format::Json),
        "You do not have permission to access this resource"
    );
    assert_eq!(reply.json()["reason"], "missing_role");
    let reply = send(ErrorLayer::new(), get("/nowhere")).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn a_plain_text_error_is_rendered_again_keeping_its_other_headers() {
    let reply = send(ErrorLayer::new(), get("/plain")).await;
    assert_rewritten_upstream_error(&reply);
}

#[tokio::test]
async fn a_panic_is_the_generic_500_and_nothing_of_its_text() {
    let reply = send(ErrorLayer::new(), get("/panic")).await;
    assert_eq!(reply.status, 500);
    assert_eq!(
        check_body(&reply, Format::Json),
        "An internal error occurred"
    );
    let body = String::from_utf8_lossy(&reply.body);
    assert!(
        !body.contains("hunter2") && !body.contains("db-primary"),
        "{body}"
    );
}

#[tokio::test]
async fn a_success_passes_through_with_the_requests_id() {
    let request = Request::get("/ok")
        .header("x-request-id", "tower-1")
        .body(Body::default())
        .unwrap();
    let reply = send(ErrorLayer::new(), request).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, b"fine");
    assert_eq!(reply.header("x-request-id"), Some("tower-1"));
}

#[tokio::test]
async fn the_apps_own_settings_and_the_request_shape_its_errors() {
    let config = Config::new()
        .format(BodyFormat::Problem)
        .negotiate(true)
        .instance_from_path(true);
    let layer = ErrorLayer::with_config(config).unwrap();
    let reply = send(layer.clone(), get("/refused")).await;
    check_body(&reply, Format::Problem);
    assert_eq!(reply.json()["instance"], "/refused");
    // `instance` is always a path-absolute URI reference (RFC 9457 §3.1.5): never a
    // network-path reference to another host, never a character a URI cannot carry.
    for (path, instance) in [
        ("//evil.example/phish", "/.//evil.example/phish"),
        ("/caf%C3%A9", "/caf%C3%A9"),
        ("/a%22b", "/a%22b"),
        ("/a\"b{c}", "/a%22b%7Bc%7D"),
    ] {
        let reply = send(layer.clone(), get(path)).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.json()["instance"], instance, "{path}");
    }
    let request = Request::get("/refused")
        .header("accept", "application/json")
        .body(Body::default())
        .unwrap();
    let reply = send(layer, request).await;
    check_body(&reply, Format::Json);
    assert_eq!(reply.header("vary"), Some("accept"));
}

fn post(content_type: Option<&str>, body: &'static [u8]) -> Request<Body> {
    let mut request = Request::post("/orders");
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    request.body(Full::new(Bytes::from_static(body))).unwrap()
}

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct Order {
    item: String,
}

async fn read_order(request: Request<Body>) -> Result<Order, u16> {
    denied::tower::json::<Order, _>(request, 16)
        .await
        .map_err(|error| error.status().as_u16())
}

#[tokio::test]
async fn json_bodies_are_refused_in_the_order_a_client_fixes_them() {
    let json = Some("application/json");
    assert_eq!(
        read_order(post(json, br#"{"item":"book"}"#))
            .await
            .unwrap()
            .item,
        "book"
    );
    assert_eq!(
        read_order(post(None, br#"{"item":"book"}"#))
            .await
            .unwrap_err(),
        415
    );
    assert_eq!(
        read_order(post(Some("text/plain"), b"{"))
            .await
            .unwrap_err(),
        415
    );
    assert_eq!(
        read_order(post(json, br#"{"item":"a longer book"}"#))
            .await
            .unwrap_err(),
        413
    );
    assert_eq!(
        read_order(post(json, br#"{"item":"#)).await.unwrap_err(),
        400
    );
    assert_eq!(
        read_order(post(json, br#"{"item":1}"#)).await.unwrap_err(),
        422
    );
    // A declared length over the limit is refused before a byte is read.
    let declared = Request::post("/orders")
        .header("content-type", "application/json")
        .header("content-length", "17")
        .body(Full::new(Bytes::from_static(b"{}")))
        .unwrap();
    assert_eq!(read_order(declared).await.unwrap_err(), 413);
    // A streamed body is counted as it arrives.
    let streamed = Request::post("/orders")
        .header("content-type", "application/json")
        .body(Chunks(vec![
            Bytes::from_static(b"{\"item\":"),
            Bytes::from_static(b"\"0123456789\"}"),
        ]))
        .unwrap();
    let refused = denied::tower::json::<Order, _>(streamed, 16)
        .await
        .unwrap_err();
    assert_eq!(refused.status(), 413);
}

/// A body that arrives in chunks, with no length said in advance.
struct Chunks(Vec<Bytes>);

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        let next = (!self.0.is_empty()).then(|| self.0.remove(0));
        std::task::Poll::Ready(next.map(|chunk| Ok(http_body::Frame::data(chunk))))
    }
}

#[test]
fn a_query_that_does_not_fit_is_a_400() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Paging {
        page: u32,
    }
    let request = Request::get("/reports?page=two").body(()).unwrap();
    let refused = denied::tower::query::<Paging, _>(&request).unwrap_err();
    assert_eq!(refused.status(), 400);
    let request = Request::get("/reports?message=caf%C3%A9").body(()).unwrap();
    let query: HashMap<String, String> = denied::tower::query(&request).unwrap();
    assert_eq!(query["message"], "café");
}

#[tokio::test]
async fn a_service_that_cannot_fail_and_one_with_any_error_fit() {
    let infallible = ErrorLayer::new().layer(service_fn(|_request: Request<Body>| async {
        Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"fine"))))
    }));
    let reply_ok = reply(infallible.oneshot(get("/")).await.unwrap()).await;
    assert_eq!(reply_ok.body, b"fine");
    // Any other error (a tower layer's timeout, say) is the generic 500, its text hidden.
    let failing = ErrorLayer::new().layer(service_fn(|_request: Request<Body>| async {
        Err::<Response<Body>, _>(std::io::Error::other("pool exhausted: password=hunter2"))
    }));
    let refused = reply(failing.oneshot(get("/")).await.unwrap()).await;
    assert_eq!(refused.status, 500);
    assert_eq!(
        check_body(&refused, Format::Json),
        "An internal error occurred"
    );
    assert!(!String::from_utf8_lossy(&refused.body).contains("hunter2"));
}

#[tokio::test]
#[allow(clippy::panic)]
async fn a_panic_in_a_services_call_is_the_generic_500() {
    // A `service_fn` runs its closure in `call`, before any future exists.
    let panicking = ErrorLayer::new().layer(service_fn(|request: Request<Body>| {
        if request.uri().path() == "/panic" {
            panic!("connection to db-primary refused (password=hunter2)");
        }
        async { Ok::<_, HttpError>(Response::new(Full::new(Bytes::new()))) }
    }));
    let request = Request::get("/panic")
        .header("x-request-id", "sync-panic")
        .body(Body::default())
        .unwrap();
    let reply = reply(panicking.oneshot(request).await.unwrap()).await;
    assert_eq!(reply.status, 500);
    assert_eq!(
        check_body(&reply, Format::Json),
        "An internal error occurred"
    );
    assert_eq!(reply.json()["request_id"], "sync-panic");
    assert!(!String::from_utf8_lossy(&reply.body).contains("hunter2"));
}

#[tokio::test]
async fn a_body_cut_by_a_limit_of_the_stack_is_a_413() {
    // tower-http's `RequestBodyLimitLayer` wraps bodies in `http_body_util::Limited`.
    let body = http_body_util::Limited::new(
        Full::new(Bytes::from_static(br#"{"item":"a very long book indeed"}"#)),
        8,
    );
    let request = Request::post("/orders")
        .header("content-type", "application/json")
        .body(body)
        .unwrap();
    let refused = denied::tower::json::<Order, _>(request, 4096)
        .await
        .unwrap_err();
    assert_eq!(refused.status(), 413);
}

/// A rewritten 416 keeps its `Content-Range`, which names the length of the resource the
/// client may ask for again (RFC 9110 §15.5.17); any other rewritten error loses the one of
/// the body it replaced.
#[tokio::test]
async fn a_rewritten_416_keeps_its_content_range() {
    let reply = send(ErrorLayer::new(), get("/range")).await;
    assert_eq!(reply.status, 416);
    check_body(&reply, Format::Json);
    assert_eq!(reply.header("content-range"), Some("bytes */1234"));
    assert_eq!(reply.header("content-type"), Some("application/json"));
    // Any other rewritten error loses the range of the body it replaced.
    let plain = send(ErrorLayer::new(), get("/plain")).await;
    assert_eq!(plain.status, 502);
    assert_eq!(plain.header("content-range"), None, "{plain:?}");
}
