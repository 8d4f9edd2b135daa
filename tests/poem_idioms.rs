//! A poem app routed the way poem's guide routes one (`Route::new().at(path, get(h).patch(..))`),
//! with `denied::poem::get` in place of `poem::get`: a method the route lacks answers 405 with
//! `Allow` naming exactly the route's methods, and `HEAD` works wherever `GET` does. Driven with
//! poem's own test client.

#![cfg(feature = "poem")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use denied::poem::ErrorHandling;
use poem::test::TestClient;
use poem::{handler, EndpointExt, Route};
use support::{check_body, reply_of, Format, Reply};

#[handler]
fn me() -> &'static str {
    "alice"
}

#[handler]
fn rename() -> &'static str {
    "renamed"
}

async fn read(response: poem::test::TestResponse) -> Reply {
    let response = response.0;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().into_bytes().await.unwrap();
    let mut http_response = http::Response::new(body);
    *http_response.status_mut() = status;
    *http_response.headers_mut() = headers;
    reply_of(http_response)
}

#[tokio::test]
async fn a_route_of_the_crates_methods_names_them_on_its_405() {
    let app = Route::new()
        .at("/me", denied::poem::get(me).patch(rename))
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
