//! A poem app routed the way poem's guide routes one (`Route::new().at(path, get(h).patch(..))`),
//! with `denied::poem::get` in place of `poem::get`: a method the route lacks answers 405 with
//! `Allow` naming exactly the route's methods, and `HEAD` works wherever `GET` does. Driven with
//! poem's own test client.

#![cfg(feature = "poem")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::{Arc, Mutex};

use denied::poem::ErrorHandling;
use denied::{Config, Forbidden};
use poem::middleware::RequestId;
use poem::test::TestClient;
use poem::{handler, EndpointExt, Route};
use support::{check_body, Format, Reply};

#[handler]
fn me() -> &'static str {
    "alice"
}

#[handler]
fn rename() -> &'static str {
    "renamed"
}

async fn read(response: poem::test::TestResponse) -> Reply {
    support::poem_reply(response).await
}

#[tokio::test]
async fn a_route_of_the_crates_methods_names_them_on_its_405() {
    let app = Route::new()
        .at("/me", denied::poem::patch(rename).get(me))
        .at("/plain", poem::get(me))
        .with(ErrorHandling::new());
    let client = TestClient::new(app);

    for method in ["DELETE", "OPTIONS", "POST"] {
        let method = http::Method::from_bytes(method.as_bytes()).unwrap();
        let reply = read(client.request(method.clone(), "/me").send().await).await;
        assert_eq!(reply.status, 405, "{method}: {reply:?}");
        let allow: Vec<&str> = reply.headers_named("allow").collect();
        assert_eq!(allow, ["GET,HEAD,PATCH"], "{method}: {reply:?}");
        check_body(&reply, Format::Json);
    }
    let head = read(client.head("/me").send().await).await;
    assert_eq!(head.status, 200, "{head:?}");
    let patched = read(client.patch("/me").send().await).await;
    assert_eq!(
        (patched.status, patched.body.as_slice()),
        (200, &b"renamed"[..])
    );

    // poem's own `get` names no methods: the crate can only send an empty `Allow`.
    let plain = read(client.delete("/plain").send().await).await;
    assert_eq!(plain.status, 405, "{plain:?}");
    let allow: Vec<&str> = plain.headers_named("allow").collect();
    assert_eq!(allow, [""], "{plain:?}");
}

#[handler]
fn refused() -> poem::Result<&'static str> {
    Err(Forbidden::new().into())
}

/// poem's own `RequestId`, in either order around `ErrorHandling`: a response carries one
/// `x-request-id` line, and an error's body and report name that id.
#[tokio::test]
async fn poems_request_id_middleware_gives_one_id_in_either_order() {
    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let config = Config::new().report(move |report| {
        sink.lock()
            .unwrap()
            .push(report.request_id().map(str::to_owned));
    });
    let routes = || {
        Route::new()
            .at("/refused", poem::get(refused))
            .at("/me", poem::get(me))
    };
    let handling = || ErrorHandling::with_config(config.clone()).unwrap();
    let outside = routes()
        .with(handling())
        .with(RequestId::new())
        .map_to_response()
        .boxed();
    let inside = routes()
        .with(RequestId::new())
        .with(handling())
        .map_to_response()
        .boxed();
    for (order, app) in [("RequestId outside", outside), ("RequestId inside", inside)] {
        let client = TestClient::new(app);
        for path in ["/refused", "/me"] {
            let response = client
                .get(path)
                .header("x-request-id", "client-77")
                .send()
                .await;
            let reply = read(response).await;
            let ids: Vec<&str> = reply.headers_named("x-request-id").collect();
            assert_eq!(ids.len(), 1, "{order} {path}: {reply:?}");
            if path == "/refused" {
                assert_eq!(reply.status, 403, "{order}: {reply:?}");
                assert_eq!(reply.json()["request_id"], ids[0], "{order}: {reply:?}");
                let reported = seen.lock().unwrap().pop().flatten();
                assert_eq!(reported.as_deref(), Some(ids[0]), "{order}");
            }
        }
    }
}
