//! Plain hyper 1 or any tower stack, without a framework: [`ErrorLayer`] answers a service's
//! [`HttpError`](crate::HttpError)s, gives every other error response the crate's shape, catches
//! panics and lets every error see the request it answers; [`json`] and [`query`] read a request
//! the way the framework extractors do.
//!
//! ```
//! use bytes::Bytes;
//! use denied::{BearerToken, Forbidden, HttpError};
//! use http::{Request, Response};
//! use http_body_util::Full;
//! use tower::{service_fn, Layer};
//!
//! async fn handle(request: Request<Full<Bytes>>) -> Result<Response<Full<Bytes>>, HttpError> {
//!     let _token = BearerToken::from_headers(request.headers())?;
//!     Err(Forbidden::missing_role("admin"))?
//! }
//!
//! let service = denied::tower::ErrorLayer::new().layer(service_fn(handle));
//! // `hyper_util::service::TowerToHyperService::new(service)` serves it with hyper.
//! # let _ = service;
//! ```

mod body;
mod extract;
mod handling;

pub use body::ResponseBody;
pub use extract::{json, query};
pub use handling::{ErrorLayer, ErrorService, ResponseFuture};
