//! rocket's `ErrorHandling` fairing with rocket's own local client: a refusal left by a guard
//! answers only its own error, a 405 names only methods the path lacks, and a 404 from a
//! handler is the router's 404 byte for byte.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use denied::{BearerToken, BodyFormat, Config, Forbidden, HttpError};
use rocket::http::{ContentType, Header};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::{get, post, routes};

#[get("/items/<name>")]
fn item(token: Option<BearerToken>, name: &str) -> Result<&'static str, HttpError> {
    match (token, name) {
        (Some(_), "known") => Ok("an item"),
        _ => Err(HttpError::not_found()),
    }
}

#[get("/secret")]
fn secret(_token: BearerToken) -> HttpError {
    Forbidden::not_owner().conceal()
}

#[get("/panicking")]
#[allow(clippy::panic)]
fn panicking(_token: Option<BearerToken>) -> &'static str {
    panic!("connection to db-primary refused (password=hunter2)")
}

#[post("/orders", format = "json", data = "<body>")]
fn orders(body: &str) -> String {
    body.to_owned()
}

/// An upstream body that sends its first bytes and then stalls for good.
struct StallingBody {
    sent: bool,
}

impl rocket::tokio::io::AsyncRead for StallingBody {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        buf: &mut rocket::tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        if self.sent {
            return std::task::Poll::Pending;
        }
        self.sent = true;
        buf.put_slice(b"upstream 5f0e, ");
        std::task::Poll::Ready(Ok(()))
    }
}

/// A foreign 502 whose body stalls.
struct Trickle;

impl<'r> rocket::response::Responder<'r, 'static> for Trickle {
    fn respond_to(self, _request: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        rocket::Response::build()
            .status(rocket::http::Status::BadGateway)
            .streamed_body(StallingBody { sent: false })
            .ok()
    }
}

#[get("/trickle")]
fn trickle() -> Trickle {
    Trickle
}

async fn client() -> Client {
    let settings = rocket::Config {
        log_level: rocket::config::LogLevel::Off,
        ..rocket::Config::debug_default()
    };
    let config = Config::new().format(BodyFormat::Problem).realm("shop");
    let app = rocket::custom(settings)
        .mount("/", routes![item, secret, panicking, orders, trickle])
        .attach(denied::rocket::ErrorHandling::with_config(config).unwrap());
    Client::untracked(app).await.unwrap()
}

struct Seen {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

async fn seen(response: LocalResponse<'_>) -> Seen {
    let status = response.status().code;
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|header| header.name() != "date")
        .map(|header| (header.name().to_string(), header.value().to_owned()))
        .collect();
    headers.sort();
    let body = response.into_string().await.unwrap_or_default();
    Seen {
        status,
        headers,
        body,
    }
}

fn header<'a>(seen: &'a Seen, name: &str) -> Option<&'a str> {
    seen.headers
        .iter()
        .find(|(known, _)| known == name)
        .map(|(_, value)| value.as_str())
}

#[rocket::async_test]
async fn a_refusal_an_option_guard_swallowed_answers_nothing_else() {
    let client = client().await;
    // A malformed header: `Option<BearerToken>` takes it for none, the handler answers 404.
    let malformed = seen(
        client
            .get("/items/known")
            .header(Header::new("Authorization", "Bearer a b"))
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(malformed.status, 404, "{}", malformed.body);
    assert_eq!(header(&malformed, "www-authenticate"), None);
    // The same for a panic: the 500, not the swallowed 400.
    let panicked = seen(
        client
            .get("/panicking")
            .header(Header::new("Authorization", "Bearer a b"))
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(panicked.status, 500, "{}", panicked.body);
    assert!(!panicked.body.contains("hunter2"));
    // A guard that refuses still answers with its refusal.
    let refused = seen(client.get("/secret").dispatch().await).await;
    assert_eq!(refused.status, 401);
    assert_eq!(
        header(&refused, "www-authenticate"),
        Some(r#"Bearer realm="shop""#)
    );
}

#[rocket::async_test]
async fn a_404_from_a_handler_is_the_routers_404() {
    let client = client().await;
    let concealed = seen(
        client
            .get("/secret")
            .header(Header::new("Authorization", "Bearer good"))
            .dispatch()
            .await,
    )
    .await;
    let genuine = seen(client.get("/items/unknown").dispatch().await).await;
    let no_route = seen(client.get("/no/such/route").dispatch().await).await;
    assert_eq!(concealed.status, 404);
    assert_eq!(
        header(&concealed, "content-type"),
        Some("application/problem+json")
    );
    for other in [&genuine, &no_route] {
        assert_eq!(concealed.status, other.status);
        assert_eq!(concealed.headers, other.headers);
        assert_eq!(concealed.body, other.body);
    }
}

#[rocket::async_test]
async fn a_405_names_only_methods_the_path_lacks() {
    let client = client().await;
    // POST is routed, but only for JSON: no 405 naming POST.
    let wrong_format = seen(
        client
            .post("/orders")
            .header(ContentType::Plain)
            .body("x")
            .dispatch()
            .await,
    )
    .await;
    // rocket answers it 404, as if no route had the path: it is a 415.
    assert_eq!(wrong_format.status, 415, "{:?}", wrong_format.headers);
    assert!(
        wrong_format.body.contains("\"status\":415"),
        "{}",
        wrong_format.body
    );
    let no_type = seen(client.post("/orders").body("x").dispatch().await).await;
    assert_eq!(no_type.status, 415, "{:?}", no_type.headers);
    let wrong_method = seen(client.delete("/orders").dispatch().await).await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(header(&wrong_method, "allow"), Some("POST"));
    let head = seen(client.head("/items/known").dispatch().await).await;
    assert_ne!(head.status, 405, "HEAD is GET's");
}

#[rocket::async_test]
async fn a_path_rocket_normalizes_is_no_path_for_a_405() {
    let client = client().await;
    for target in ["/orders/", "//orders"] {
        let reply = seen(client.get(target).dispatch().await).await;
        assert_eq!(reply.status, 404, "{target}: {:?}", reply.headers);
        assert_eq!(header(&reply, "allow"), None, "{target}");
    }
}

/// A foreign error body that trickles does not hold back the response.
#[rocket::async_test]
async fn a_foreign_body_that_stalls_does_not_hold_back_the_response() {
    let client = client().await;
    // A liveness bound, not a measurement: a fairing that waits on the body never answers.
    let reply = rocket::tokio::time::timeout(std::time::Duration::from_secs(10), async {
        seen(client.get("/trickle").dispatch().await).await
    })
    .await
    .expect("the response goes out without waiting on the body");
    assert_eq!(reply.status, 502);
    assert_eq!(
        header(&reply, "content-type"),
        Some("application/problem+json")
    );
    assert!(!reply.body.contains("5f0e"), "{}", reply.body);
}
