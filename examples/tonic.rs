//! The demo app of `denied`, served over gRPC with tonic: the refusals of the demo contract as
//! gRPC statuses (see `denied::tonic`).
//!
//! ```sh
//! cargo run --example tonic --features tonic
//! ```
//!
//! `demo.Account` needs a bearer token (`Me`, `AdminReports`, `ExportReports`); `demo.Public`
//! takes calls with or without one (`Repo`, `Boom`, `SlowDown`, `Panic`). A method's one
//! parameter, if it has one, is the `value` of its `Query`: the message, the scope, the
//! repository's name, the seconds to wait.

pub(crate) mod demo;
#[path = "demo/grpc.rs"]
pub(crate) mod grpc;

use denied::tonic::{bearer_token, optional_bearer_token, ErrorLayer};
use denied::{BearerToken, HttpError};
use grpc::{Account, Public, Query, Reply};
use serde_json::Value;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::server::TcpIncoming;
use tonic::transport::Server;
use tonic::{Request, Status};

/// The caller, known from the token [`bearer_token`] let through.
fn user(call: &Request<Query>) -> Result<demo::User, Status> {
    let token = call.extensions().get::<BearerToken>().ok_or_else(|| {
        Status::from(HttpError::internal().with_note("no bearer_token interceptor"))
    })?;
    Ok(demo::verify(token)?)
}

/// The caller if the call has a token, else nobody; a token that is not valid is refused.
fn caller(call: &Request<Query>) -> Result<Option<demo::User>, Status> {
    let token = call.extensions().get::<BearerToken>();
    Ok(token.map(demo::verify).transpose()?)
}

fn reply(json: Value) -> Reply {
    Reply {
        json: json.to_string(),
    }
}

fn me(call: Request<Query>) -> Result<Reply, Status> {
    Ok(reply(demo::me(&user(&call)?)))
}

fn admin_reports(call: Request<Query>) -> Result<Reply, Status> {
    let user = user(&call)?;
    Ok(reply(demo::admin_reports(
        &user,
        call.get_ref().value.as_deref(),
    )?))
}

fn export_reports(call: Request<Query>) -> Result<Reply, Status> {
    let user = user(&call)?;
    Ok(reply(demo::export_reports(
        &user,
        call.get_ref().value.as_deref(),
    )?))
}

fn repo(call: Request<Query>) -> Result<Reply, Status> {
    let caller = caller(&call)?;
    let name = call.get_ref().value.as_deref().unwrap_or_default();
    Ok(reply(demo::repo(caller.as_ref(), name)?))
}

fn boom(_call: Request<Query>) -> Result<Reply, Status> {
    Ok(reply(demo::boom()?))
}

fn slow_down(call: Request<Query>) -> Result<Reply, Status> {
    Err(demo::slow_down(call.get_ref().value.as_deref()))?
}

fn panic(_call: Request<Query>) -> Result<Reply, Status> {
    Ok(reply(demo::panic()))
}

fn main() -> std::io::Result<()> {
    let (listener, config) = demo::start("tonic");
    let layer = ErrorLayer::with_config(config).map_err(std::io::Error::other)?;
    let account = Account(&[
        ("Me", me),
        ("AdminReports", admin_reports),
        ("ExportReports", export_reports),
    ]);
    let public = Public(&[
        ("Repo", repo),
        ("Boom", boom),
        ("SlowDown", slow_down),
        ("Panic", panic),
    ]);
    demo::serve_on_tokio(listener, |listener| async move {
        Server::builder()
            .layer(layer)
            .add_service(InterceptedService::new(account, bearer_token))
            .add_service(InterceptedService::new(public, optional_bearer_token))
            .serve_with_incoming(TcpIncoming::from(listener))
            .await
            .map_err(std::io::Error::other)
    })
}
