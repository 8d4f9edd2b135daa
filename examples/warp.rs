//! The demo app of `denied`, served with warp.
//!
//! ```sh
//! cargo run --example warp --features warp
//! PORT=8080 DENIED_FORMAT=problem cargo run --example warp --features warp
//! ```

pub(crate) mod demo;

use std::collections::HashMap;

use demo::{Caller, User};
use denied::{HttpError, Unauthorized};
use warp::http::header::AUTHORIZATION;
use warp::http::HeaderMap;
use warp::reply::Json;
use warp::{Filter, Rejection, Reply};

type Params = HashMap<String, String>;

/// The caller as `read` finds it in the `Authorization` header; a refusal rejects the request.
fn authenticated<T: Send + 'static>(
    read: fn(Option<&[u8]>) -> Result<T, Unauthorized>,
) -> impl Filter<Extract = (T,), Error = Rejection> + Clone {
    warp::header::headers_cloned().and_then(move |headers: HeaderMap| async move {
        read(headers.get(AUTHORIZATION).map(|value| value.as_bytes())).map_err(warp::reject::custom)
    })
}

/// GET, and HEAD with the same answer (hyper sends HEAD responses without their body).
fn get() -> impl Filter<Extract = (), Error = Rejection> + Clone {
    warp::get().or(warp::head()).unify()
}

fn json(result: Result<serde_json::Value, HttpError>) -> Result<Json, HttpError> {
    result.map(|value| warp::reply::json(&value))
}

pub(crate) fn app() -> impl Filter<Extract = (impl Reply,), Error = std::convert::Infallible> + Clone
{
    let me = warp::path!("me")
        .and(get())
        .and(authenticated(demo::user))
        .map(|user: User| warp::reply::json(&demo::me(&user)));
    let admin_reports = warp::path!("admin" / "reports")
        .and(get())
        .and(authenticated(demo::user))
        .and(warp::query::<Params>())
        .map(|user: User, params: Params| {
            json(demo::admin_reports(
                &user,
                params.get("message").map(String::as_str),
            ))
        });
    let export_reports = warp::path!("reports" / "export")
        .and(get())
        .and(authenticated(demo::user))
        .and(warp::query::<Params>())
        .map(|user: User, params: Params| {
            json(demo::export_reports(
                &user,
                params.get("scope").map(String::as_str),
            ))
        });
    let repo = warp::path!("repos" / String)
        .and(get())
        .and(authenticated(demo::caller))
        .map(|name: String, caller: Caller| json(demo::repo(&caller, &name)));
    let boom = warp::path!("boom").and(get()).map(|| json(demo::boom()));
    let slow_down = warp::path!("slow-down")
        .and(get())
        .and(warp::query::<Params>())
        .map(|params: Params| demo::slow_down(params.get("after").map(String::as_str)));

    me.map(Reply::into_response)
        .or(admin_reports.map(Reply::into_response))
        .unify()
        .or(export_reports.map(Reply::into_response))
        .unify()
        .or(repo.map(Reply::into_response))
        .unify()
        .or(boom.map(Reply::into_response))
        .unify()
        .or(slow_down.map(Reply::into_response))
        .unify()
        .recover(denied::warp::recover)
}

/// Serves the app on `listener` until the process ends.
pub(crate) fn serve(listener: std::net::TcpListener) -> std::io::Result<()> {
    demo::serve_on_tokio(listener, |listener| async {
        warp::serve(app()).incoming(listener).run().await;
        Ok(())
    })
}

fn main() -> std::io::Result<()> {
    serve(demo::start("warp"))
}
