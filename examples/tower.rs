//! The demo app of `denied`, served with hyper alone: a tower `service_fn` that routes by
//! hand, wrapped in `denied::tower::ErrorLayer`.
//!
//! ```sh
//! cargo run --example tower --features tower
//! PORT=8080 DENIED_FORMAT=problem cargo run --example tower --features tower
//! ```

pub(crate) mod demo;

use std::collections::HashMap;

use bytes::Bytes;
use demo::{Order, User};
use denied::http::{header, Method, Request, Response, StatusCode};
use denied::tower::ErrorLayer;
use denied::{BearerToken, Config, HttpError};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use serde::Serialize;
use tower::{service_fn, Layer};

type Params = HashMap<String, String>;
type Reply = Result<Response<Full<Bytes>>, HttpError>;

/// The caller, known from a valid bearer token; `BearerToken` answers a missing or malformed
/// `Authorization` header.
fn user(request: &Request<Incoming>) -> Result<User, HttpError> {
    let token = BearerToken::from_headers(request.headers())?;
    Ok(demo::verify(&token)?)
}

/// The caller if the request has a token, else nobody; a token that is not valid is refused.
fn caller(request: &Request<Incoming>) -> Result<Option<User>, HttpError> {
    let token = BearerToken::optional_from_headers(request.headers())?;
    Ok(token.map(|token| demo::verify(&token)).transpose()?)
}

fn json(status: StatusCode, value: &impl Serialize) -> Reply {
    let body =
        serde_json::to_vec(value).map_err(|error| HttpError::internal().with_source(error))?;
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

fn ok(value: &impl Serialize) -> Reply {
    json(StatusCode::OK, value)
}

/// A path segment as the client meant it: percent-decoded, as the frameworks decode theirs.
fn segment(encoded: &str) -> Result<String, HttpError> {
    percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| HttpError::bad_request())
}

/// The methods each path of the app answers; any other path is no route.
fn methods_of(path: &[&str]) -> Option<&'static [Method]> {
    const GET_HEAD: &[Method] = &[Method::GET, Method::HEAD];
    match path {
        ["me"]
        | ["admin", "reports"]
        | ["reports", "export"]
        | ["boom"]
        | ["panic"]
        | ["slow-down"] => Some(GET_HEAD),
        ["repos", name] | ["orders", name] if !name.is_empty() => Some(GET_HEAD),
        ["orders"] => Some(&[Method::POST]),
        _ => None,
    }
}

async fn route(request: Request<Incoming>) -> Reply {
    let path = request.uri().path().to_owned();
    let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(&path).split('/').collect();
    let methods = methods_of(&segments).ok_or_else(HttpError::not_found)?;
    if !methods.contains(request.method()) {
        return Err(HttpError::method_not_allowed(methods.iter().cloned()));
    }
    let params: Params = denied::tower::query(&request)?;
    let param = |name: &str| params.get(name).map(String::as_str);
    match segments.as_slice() {
        ["me"] => ok(&demo::me(&user(&request)?)),
        ["admin", "reports"] => ok(&demo::admin_reports(&user(&request)?, param("message"))?),
        ["reports", "export"] => ok(&demo::export_reports(&user(&request)?, param("scope"))?),
        ["repos", name] => {
            let caller = caller(&request)?;
            ok(&demo::repo(caller.as_ref(), &segment(name)?)?)
        }
        ["orders"] => {
            let user = user(&request)?;
            let order: Order = denied::tower::json(request, demo::BODY_LIMIT).await?;
            json(StatusCode::CREATED, &demo::create_order(&user, order))
        }
        ["orders", id] => {
            let user = user(&request)?;
            let id = segment(id)?.parse().map_err(|_| HttpError::bad_request())?;
            ok(&demo::order(&user, id)?)
        }
        ["boom"] => ok(&demo::boom()?),
        ["panic"] => ok(&demo::panic()),
        ["slow-down"] => Err(demo::slow_down(param("after"))),
        _ => Err(HttpError::not_found()),
    }
}

/// Serves the app on `listener` until the process ends, every error in the crate's shape and
/// rendered with `config` and what its request says.
pub(crate) fn serve(listener: std::net::TcpListener, config: Config) -> std::io::Result<()> {
    let app = ErrorLayer::with_config(config)
        .map_err(std::io::Error::other)?
        .layer(service_fn(route));
    demo::serve_on_tokio(listener, |listener| async move {
        loop {
            let (stream, _) = listener.accept().await?;
            let service = TowerToHyperService::new(app.clone());
            tokio::spawn(async move {
                let connection = auto::Builder::new(TokioExecutor::new());
                // A client that hangs up mid-request ends its connection, not the server.
                let _ = connection
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}

fn main() -> std::io::Result<()> {
    let (listener, config) = demo::start("tower");
    serve(listener, config)
}
