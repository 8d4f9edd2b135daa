//! What every framework adapter shares: the request in scope while the app serves it with a
//! panic caught there, the rewrite of errors the crate did not render, the JSON body checks,
//! and the tower middleware of axum and tower. An adapter only translates between its
//! framework and these.

with_framework! {
    catches_panics:
    pub(crate) mod scope;
}
with_framework! {
    http:
    pub(crate) mod foreign;
    pub(crate) mod json_body;
}
with_framework! {
    tower_middleware:
    pub(crate) mod tower;
}

/// The order the crate names a route's methods in, whatever order the app registered them in
/// (poem's `RouteMethods`, rocket's routes for a path).
#[cfg(any(feature = "poem", feature = "rocket"))]
pub(crate) const METHOD_ORDER: [http::Method; 8] = [
    http::Method::GET,
    http::Method::HEAD,
    http::Method::POST,
    http::Method::PUT,
    http::Method::PATCH,
    http::Method::DELETE,
    http::Method::OPTIONS,
    http::Method::TRACE,
];
