//! The demo's gRPC plumbing: two messages and unary services over tonic, written out as
//! `tonic-build` would generate them from this `.proto` (the machine that builds the examples
//! needs no `protoc`):
//!
//! ```proto
//! syntax = "proto3";
//! package demo;
//! message Query { optional string value = 1; }
//! message Reply { string json = 1; }
//! service Account { rpc Me(Query) returns (Reply); rpc AdminReports(Query) returns (Reply);
//!                   rpc ExportReports(Query) returns (Reply); }
//! service Public { rpc Repo(Query) returns (Reply); rpc Boom(Query) returns (Reply);
//!                  rpc SlowDown(Query) returns (Reply); rpc Panic(Query) returns (Reply); }
//! ```
#![allow(dead_code)]

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use denied::http;
use tonic::body::Body;
use tonic::server::{Grpc, NamedService};
use tonic::Status;
use tonic_prost::ProstCodec;

/// A call's one argument: a route's parameter, if it has one.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Query {
    #[prost(string, optional, tag = "1")]
    pub(crate) value: Option<String>,
}

/// A call's answer: the demo's JSON value, as text.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Reply {
    #[prost(string, tag = "1")]
    pub(crate) json: String,
}

/// A unary method's handler.
pub(crate) type Handler = fn(tonic::Request<Query>) -> Result<Reply, Status>;

/// A service's methods, by name.
pub(crate) type Methods = &'static [(&'static str, Handler)];

/// The `demo.Account` service.
#[derive(Clone)]
pub(crate) struct Account(pub(crate) Methods);

/// The `demo.Public` service.
#[derive(Clone)]
pub(crate) struct Public(pub(crate) Methods);

impl NamedService for Account {
    const NAME: &'static str = "demo.Account";
}

impl NamedService for Public {
    const NAME: &'static str = "demo.Public";
}

type Answer = Pin<Box<dyn Future<Output = Result<http::Response<Body>, Infallible>> + Send>>;

macro_rules! unary_service {
    ($service:ty) => {
        impl tower_service::Service<http::Request<Body>> for $service {
            type Response = http::Response<Body>;
            type Error = Infallible;
            type Future = Answer;

            fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
                Poll::Ready(Ok(()))
            }

            fn call(&mut self, request: http::Request<Body>) -> Answer {
                dispatch(<$service as NamedService>::NAME, self.0, request)
            }
        }
    };
}

unary_service!(Account);
unary_service!(Public);

/// Calls the handler the request's path names, as generated code does.
fn dispatch(service: &str, methods: Methods, request: http::Request<Body>) -> Answer {
    let method = request
        .uri()
        .path()
        .strip_prefix('/')
        .and_then(|path| path.strip_prefix(service))
        .and_then(|path| path.strip_prefix('/'))
        .and_then(|name| methods.iter().find(|(known, _)| *known == name))
        .map(|(_, handler)| *handler);
    Box::pin(async move {
        let Some(handler) = method else {
            return Ok(Status::unimplemented("").into_http());
        };
        let unary = tower::service_fn(move |call: tonic::Request<Query>| async move {
            handler(call).map(tonic::Response::new)
        });
        Ok(Grpc::new(ProstCodec::<Reply, Query>::default())
            .unary(unary, request)
            .await)
    })
}
