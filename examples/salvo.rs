//! The demo app of `denied`, served with salvo.
//!
//! ```sh
//! cargo run --example salvo --features salvo
//! PORT=8080 DENIED_FORMAT=problem cargo run --example salvo --features salvo
//! ```

pub(crate) mod demo;

use demo::{Order, User};
use denied::http::Method;
use denied::salvo::{json, method_not_allowed, ErrorHandling};
use denied::{BearerToken, Config, HttpError};
use salvo::conn::tcp::TcpAcceptor;
use salvo::http::header::CONTENT_TYPE;
use salvo::http::{HeaderValue, StatusCode};
use salvo::prelude::*;
use serde_json::Value;

/// The caller, known from a valid bearer token; `BearerToken` answers a missing or malformed
/// `Authorization` header.
fn user(req: &Request) -> Result<User, HttpError> {
    let token = BearerToken::from_headers(req.headers())?;
    Ok(demo::verify(&token)?)
}

/// The caller if the request has a token, else nobody; a token that is not valid is refused.
fn caller(req: &Request) -> Result<Option<User>, HttpError> {
    let token = BearerToken::optional_from_headers(req.headers())?;
    Ok(token.map(|token| demo::verify(&token)).transpose()?)
}

/// A JSON answer, as `application/json` like every other framework's demo (salvo's own `Json`
/// adds `; charset=utf-8`).
struct JsonReply<T>(T);

impl<T: serde::Serialize> Scribe for JsonReply<T> {
    fn render(self, res: &mut Response) {
        match serde_json::to_vec(&self.0) {
            Ok(bytes) => {
                res.headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                res.body(bytes);
            }
            Err(error) => HttpError::internal().with_source(error).render(res),
        }
    }
}

#[handler]
async fn me(req: &mut Request) -> Result<JsonReply<Value>, HttpError> {
    Ok(JsonReply(demo::me(&user(req)?)))
}

#[handler]
async fn admin_reports(req: &mut Request) -> Result<JsonReply<Value>, HttpError> {
    let user = user(req)?;
    let message = req.query::<String>("message");
    Ok(JsonReply(demo::admin_reports(&user, message.as_deref())?))
}

#[handler]
async fn export_reports(req: &mut Request) -> Result<JsonReply<Value>, HttpError> {
    let user = user(req)?;
    let scope = req.query::<String>("scope");
    Ok(JsonReply(demo::export_reports(&user, scope.as_deref())?))
}

#[handler]
async fn repo(req: &mut Request) -> Result<JsonReply<Value>, HttpError> {
    let caller = caller(req)?;
    let name: String = req.try_param("name")?;
    Ok(JsonReply(demo::repo(caller.as_ref(), &name)?))
}

#[handler]
async fn create_order(req: &mut Request, res: &mut Response) -> Result<(), HttpError> {
    let user = user(req)?;
    let placed: Order = json(req, demo::BODY_LIMIT).await?;
    res.status_code(StatusCode::CREATED);
    res.render(JsonReply(demo::create_order(&user, placed)));
    Ok(())
}

#[handler]
async fn order(req: &mut Request) -> Result<JsonReply<Value>, HttpError> {
    let user = user(req)?;
    let id: u32 = req.try_param("id")?;
    Ok(JsonReply(demo::order(&user, id)?))
}

#[handler]
async fn boom() -> Result<JsonReply<Value>, HttpError> {
    Ok(JsonReply(demo::boom()?))
}

#[handler]
async fn panic() -> JsonReply<Value> {
    JsonReply(demo::panic())
}

#[handler]
async fn slow_down(req: &mut Request) -> HttpError {
    demo::slow_down(req.query::<String>("after").as_deref())
}

/// A path answering GET and HEAD with `handler`, and the crate's 405 to other methods.
macro_rules! get_or_head {
    ($path:expr, $handler:expr) => {
        Router::with_path($path)
            .get($handler)
            .head($handler)
            .push(Router::new().goal(method_not_allowed([Method::GET, Method::HEAD])))
    };
}

/// The app's routes: each path with its methods, for its 405. salvo matches `/orders/` as
/// `/orders`; the other frameworks' routers do not, so this app routes paths exactly.
pub(crate) fn router() -> Router {
    Router::new()
        .filter_fn(|req, _| !req.uri().path().ends_with('/'))
        .push(get_or_head!("me", me))
        .push(get_or_head!("admin/reports", admin_reports))
        .push(get_or_head!("reports/export", export_reports))
        .push(get_or_head!("repos/{name}", repo))
        .push(
            Router::with_path("orders")
                .post(create_order)
                .push(Router::new().goal(method_not_allowed([Method::POST]))),
        )
        .push(get_or_head!("orders/{id}", order))
        .push(get_or_head!("boom", boom))
        .push(get_or_head!("panic", panic))
        .push(get_or_head!("slow-down", slow_down))
}

/// Serves the app on `listener` until the process ends, every error in the crate's shape and
/// rendered with `config` and what its request says.
pub(crate) fn serve(listener: std::net::TcpListener, config: Config) -> std::io::Result<()> {
    let error_handling = ErrorHandling::with_config(config).map_err(std::io::Error::other)?;
    let service = Service::new(router()).hoop(error_handling);
    demo::serve_on_tokio(listener, |listener| async move {
        let acceptor = TcpAcceptor::try_from(listener)?;
        Server::new(acceptor).serve(service).await;
        Ok(())
    })
}

fn main() -> std::io::Result<()> {
    let (listener, config) = demo::start("salvo");
    serve(listener, config)
}
