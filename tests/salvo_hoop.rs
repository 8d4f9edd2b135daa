//! salvo's `ErrorHandling` hoop with salvo's own test client: what a handler wrote before it
//! refused or panicked does not reach the client.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use denied::{Forbidden, HttpError};
use salvo::http::cookie::Cookie;
use salvo::prelude::*;
use salvo::test::TestClient;
use support::{check_body, Format, Reply};

#[handler]
async fn concealed(res: &mut Response) -> Result<(), HttpError> {
    res.headers_mut().insert("etag", "\"v1\"".parse().unwrap());
    res.headers_mut()
        .insert("content-encoding", "gzip".parse().unwrap());
    Err(Forbidden::not_owner().conceal())
}

#[handler]
async fn genuine() -> HttpError {
    HttpError::not_found()
}

#[handler]
#[allow(clippy::panic)]
async fn panicking(res: &mut Response) {
    res.add_cookie(Cookie::new("session", "half-made"));
    res.headers_mut().insert("x-half", "made".parse().unwrap());
    panic!("connection to db-primary refused (password=hunter2)");
}

/// A handler's own 405 that names no methods.
#[handler]
async fn bare_405(res: &mut Response) {
    res.status_code(StatusCode::METHOD_NOT_ALLOWED);
}

async fn get(service: &Service, path: &str) -> Reply {
    send(service, TestClient::get(format!("http://127.0.0.1{path}"))).await
}

async fn send(service: &Service, request: salvo::test::RequestBuilder) -> Reply {
    support::salvo_reply(request.send(service).await).await
}

/// A foreign 502 whose body sends its first bytes and then stalls.
#[handler]
async fn trickle(res: &mut Response) {
    res.status_code(StatusCode::BAD_GATEWAY);
    res.stream(support::Trickle::<std::io::Error>::default());
}

fn service() -> Service {
    let router = Router::new()
        .push(Router::with_path("trickle").get(trickle))
        .push(Router::with_path("concealed").get(concealed))
        .push(Router::with_path("genuine").get(genuine))
        .push(Router::with_path("panicking").get(panicking))
        .push(Router::with_path("bare-405").get(bare_405));
    Service::new(router).hoop(denied::salvo::ErrorHandling::new())
}

#[tokio::test]
async fn a_refusal_drops_the_headers_of_the_body_it_replaces() {
    let service = service();
    let hidden = get(&service, "/concealed").await;
    let missing = get(&service, "/genuine").await;
    let unrouted = get(&service, "/no/such/route").await;
    assert_eq!(hidden.status, 404);
    hidden.assert_same_as(&missing, "concealed vs genuine");
    hidden.assert_same_as(&unrouted, "concealed vs no route");
    assert_eq!(hidden.header("etag"), None, "{hidden:?}");
    assert_eq!(hidden.header("content-encoding"), None, "{hidden:?}");
}

#[tokio::test]
async fn a_panic_sends_nothing_the_handler_left() {
    let reply = get(&service(), "/panicking").await;
    assert_eq!(reply.status, 500);
    assert_eq!(reply.header("set-cookie"), None, "{reply:?}");
    assert_eq!(reply.header("x-half"), None, "{reply:?}");
    assert!(!String::from_utf8_lossy(&reply.body).contains("hunter2"));
    assert_eq!(reply.json()["message"], "An internal error occurred");
}

/// A foreign error body that trickles does not hold back the response.
#[tokio::test]
async fn a_foreign_body_that_stalls_does_not_hold_back_the_response() {
    let service = service();
    // A liveness bound, not a measurement: a hoop that waits on the body never answers.
    let reply = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        get(&service, "/trickle"),
    )
    .await
    .expect("the response goes out without waiting on the body");
    assert_eq!(reply.status, 502);
    check_body(&reply, Format::Json);
}

/// salvo names a path's methods on its own 405 after every hoop: the hoop leaves that `Allow`
/// to it, rather than an empty one that would hide the methods.
#[tokio::test]
async fn salvos_own_405_keeps_the_methods_salvo_names() {
    let request = TestClient::delete("http://127.0.0.1/genuine");
    let reply = send(&service(), request).await;
    assert_eq!(reply.status, 405);
    let allow: Vec<&str> = reply.headers_named("allow").collect();
    let methods: Vec<&str> = allow
        .iter()
        .flat_map(|line| line.split(','))
        .map(str::trim)
        .collect();
    assert!(methods.contains(&"GET"), "{reply:?}");
    check_body(&reply, Format::Json);
}

/// A 405 a matched handler made, naming no methods, gets an empty `Allow` (RFC 9110 §10.2.1):
/// salvo names methods only on its own 405.
#[tokio::test]
async fn a_handlers_405_without_allow_gets_an_empty_one() {
    let reply = get(&service(), "/bare-405").await;
    assert_eq!(reply.status, 405);
    let allow: Vec<&str> = reply.headers_named("allow").collect();
    assert_eq!(allow, [""], "{reply:?}");
    check_body(&reply, Format::Json);
}
