//! The demo app of `denied`, served with warp.
//!
//! ```sh
//! cargo run --example warp --features warp
//! PORT=8080 DENIED_FORMAT=problem cargo run --example warp --features warp
//! ```

pub(crate) mod demo;

use std::collections::HashMap;

use demo::{Order, User};
use denied::http::Method;
use denied::{BearerToken, Config, HttpError};
use warp::http::StatusCode;
use warp::reply::{Json, Response};
use warp::{Filter, Rejection, Reply};

type Params = HashMap<String, String>;

/// The caller, known from a valid bearer token; `bearer_token` answers a missing or malformed
/// `Authorization` header.
fn user() -> impl Filter<Extract = (User,), Error = Rejection> + Clone {
    denied::warp::bearer_token().and_then(|token: BearerToken| async move {
        demo::verify(&token).map_err(warp::reject::custom)
    })
}

/// The caller if the request has a token, else nobody; a token that is not valid is refused.
fn caller() -> impl Filter<Extract = (Option<User>,), Error = Rejection> + Clone {
    denied::warp::optional_bearer_token().and_then(|token: Option<BearerToken>| async move {
        token
            .map(|token| demo::verify(&token))
            .transpose()
            .map_err(warp::reject::custom)
    })
}

/// A path answering GET, and HEAD with the same answer (hyper sends HEAD responses without
/// their body); the crate's 405 to other methods.
fn get_or_head() -> impl Filter<Extract = (), Error = Rejection> + Clone {
    denied::warp::allow([Method::GET, Method::HEAD])
}

fn json(result: Result<serde_json::Value, HttpError>) -> Result<Json, HttpError> {
    result.map(|value| warp::reply::json(&value))
}

/// warp's `path!` also matches its path with a slash at the end; axum and actix-web do not,
/// so that `/orders/` is no route there. The same here, so that every framework agrees.
fn no_trailing_slash() -> impl Filter<Extract = (), Error = Rejection> + Clone {
    warp::path::full()
        .and_then(|path: warp::path::FullPath| async move {
            if path.as_str().len() > 1 && path.as_str().ends_with('/') {
                Err(warp::reject::not_found())
            } else {
                Ok(())
            }
        })
        .untuple_one()
}

/// An order id, read after the caller (as axum and actix-web extract them): a path segment
/// that is not an unsigned 32-bit number is a bad request.
fn order_id(id: String, user: User) -> Result<(u32, User), Rejection> {
    let id = id
        .parse::<u32>()
        .map_err(|_| warp::reject::custom(HttpError::bad_request()))?;
    Ok((id, user))
}

/// The app's routes; [`serve`] wraps them with the crate's error handling.
pub(crate) fn app() -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    let me = warp::path!("me")
        .and(get_or_head())
        .and(user())
        .map(|user: User| warp::reply::json(&demo::me(&user)));
    let admin_reports = warp::path!("admin" / "reports")
        .and(get_or_head())
        .and(user())
        .and(warp::query::<Params>())
        .map(|user: User, params: Params| {
            json(demo::admin_reports(
                &user,
                params.get("message").map(String::as_str),
            ))
        });
    let export_reports = warp::path!("reports" / "export")
        .and(get_or_head())
        .and(user())
        .and(warp::query::<Params>())
        .map(|user: User, params: Params| {
            json(demo::export_reports(
                &user,
                params.get("scope").map(String::as_str),
            ))
        });
    let repo = warp::path!("repos" / String)
        .and(get_or_head())
        .and(caller())
        .map(|name: String, caller: Option<User>| json(demo::repo(caller.as_ref(), &name)));
    let create_order = warp::path!("orders")
        .and(denied::warp::allow([Method::POST]))
        .and(user())
        .and(denied::warp::json::<Order>(demo::BODY_LIMIT))
        .map(|user: User, order: Order| {
            let order = demo::create_order(&user, order);
            warp::reply::with_status(warp::reply::json(&order), StatusCode::CREATED)
        });
    let order = warp::path!("orders" / String)
        .and(get_or_head())
        .and(user())
        .and_then(|id: String, user: User| async move { order_id(id, user) })
        .untuple_one()
        .map(|id: u32, user: User| json(demo::order(&user, id)));
    let boom = warp::path!("boom")
        .and(get_or_head())
        .map(|| json(demo::boom()));
    let panic = warp::path!("panic").and(get_or_head()).and_then(|| {
        denied::warp::catching(async { Ok::<_, Rejection>(warp::reply::json(&demo::panic())) })
    });
    let slow_down = warp::path!("slow-down")
        .and(get_or_head())
        .and(warp::query::<Params>())
        .map(|params: Params| demo::slow_down(params.get("after").map(String::as_str)));

    let routes = me
        .map(Reply::into_response)
        .or(admin_reports.map(Reply::into_response))
        .unify()
        .or(export_reports.map(Reply::into_response))
        .unify()
        .or(repo.map(Reply::into_response))
        .unify()
        .or(create_order.map(Reply::into_response))
        .unify()
        .or(order.map(Reply::into_response))
        .unify()
        .or(boom.map(Reply::into_response))
        .unify()
        .or(panic.map(Reply::into_response))
        .unify()
        .or(slow_down.map(Reply::into_response))
        .unify();
    no_trailing_slash().and(routes)
}

/// Serves the app on `listener` until the process ends, every error in the crate's shape and
/// rendered with `config` and what its request says.
pub(crate) fn serve(listener: std::net::TcpListener, config: Config) -> std::io::Result<()> {
    let app =
        denied::warp::error_handling_with_config(config, app()).map_err(std::io::Error::other)?;
    demo::serve_on_tokio(listener, |listener| async {
        warp::serve(app).incoming(listener).run().await;
        Ok(())
    })
}

fn main() -> std::io::Result<()> {
    let (listener, config) = demo::start("warp");
    serve(listener, config)
}
