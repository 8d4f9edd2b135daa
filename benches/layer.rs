//! What `denied::axum::ErrorLayer` adds to a request: the same axum router answering a 200, a
//! default 403 and a concealed 404, without the layer, with it around the whole router, and
//! with it added by `Router::layer`.
//!
//! `cargo bench --bench layer --features axum` runs each case under criterion, then measures
//! each layered case against the bare router interleaved round by round (median of per-round
//! ratios), as `benches/render.rs` does, so that a machine whose speed drifts slows both alike.
//! `DENIED_BENCH_ONLY=<case name>` answers that case's request `DENIED_BENCH_ITERATIONS` times
//! (10,000 by default) and nothing else: for counting its instructions with callgrind.

use std::convert::Infallible;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Instant;

use axum::body::Body;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use criterion::{criterion_group, Criterion};
use denied::axum::{ErrorLayer, ErrorService};
use denied::{Catalog, Config, Forbidden};
use http::Request;
use tower::util::MapResponseLayer;
use tower::{Layer, Service, ServiceExt};

/// Polls a future that needs no I/O to completion; the router's handlers never wait.
fn run<F: Future>(future: F) -> F::Output {
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    let waker = Waker::from(Arc::new(Noop));
    let mut context = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

fn router() -> Router {
    Router::new()
        .route("/floor", get(|| async { floor() }))
        .route("/ok", get(|| async { "fine" }))
        .route("/refused", get(|| async { Forbidden::new() }))
        .route("/concealed", get(|| async { Forbidden::new().conceal() }))
}

const FLOOR_BODY: &[u8] =
    br#"{"error":"Forbidden","message":"You do not have permission to access this resource","status":403}"#;

/// The floor: a 403 of prebuilt static bytes, as a handler could write it by hand.
fn floor() -> Response {
    let mut response = Response::new(Body::from(FLOOR_BODY));
    *response.status_mut() = http::StatusCode::FORBIDDEN;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

fn call<S>(service: &S, path: &'static str) -> Response
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone,
{
    call_with(service, path, &[])
}

/// A request with `headers`, static as hyper's are slices of the buffer it read.
fn call_with<S>(
    service: &S,
    path: &'static str,
    headers: &[(&'static str, &'static str)],
) -> Response
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone,
{
    let mut request = Request::get(path);
    for (name, value) in headers {
        request = request.header(*name, http::HeaderValue::from_static(value));
    }
    let request = request.body(Body::empty()).unwrap_or_default();
    match run(service.clone().oneshot(request)) {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

const PATHS: [&str; 3] = ["/ok", "/refused", "/concealed"];

fn layer(c: &mut Criterion) {
    let bare = router();
    let around = ErrorLayer::new().layer(router());
    let inside = router().layer(ErrorLayer::new());
    let mut group = c.benchmark_group("layer");
    for path in PATHS {
        group.bench_function(format!("{path} bare"), |b| {
            b.iter(|| black_box(call(&bare, path)))
        });
        group.bench_function(format!("{path} around the router"), |b| {
            b.iter(|| black_box(call(&around, path)))
        });
        group.bench_function(format!("{path} Router::layer"), |b| {
            b.iter(|| black_box(call(&inside, path)))
        });
    }
    group.finish();
}

/// Each layered case's time over the bare router's, taken in the same round, as the median of
/// many rounds.
fn print_paired_ratios() {
    const ROUNDS: usize = 201;
    const ITERATIONS: u32 = 2_000;
    let bare = router();
    let around = ErrorLayer::new().layer(router());
    let inside = router().layer(ErrorLayer::new());
    // The cost of wrapping the router in any layer at all: one that changes nothing.
    let identity_layer = MapResponseLayer::new(|response: Response| response);
    let identity = identity_layer.clone().layer(router());
    let identity_inside = router().layer(identity_layer);
    println!("\nInterleaved, {ROUNDS} rounds of {ITERATIONS} requests per case:\n");
    println!(
        "| request | `ErrorLayer` around the router | a layer that does nothing, around it | \
         `ErrorLayer` by `Router::layer` | a layer that does nothing, by `Router::layer` |\n\
         |---|---:|---:|---:|---:|"
    );
    for path in PATHS {
        let mut ratios = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        for round in 0..ROUNDS {
            let mut nanos = [0.0_f64; 5];
            for offset in 0..5 {
                let index = (round + offset) % 5;
                let start = Instant::now();
                for _ in 0..ITERATIONS {
                    match index {
                        0 => black_box(call(&bare, path)),
                        1 => black_box(call(&around, path)),
                        2 => black_box(call(&identity, path)),
                        3 => black_box(call(&inside, path)),
                        _ => black_box(call(&identity_inside, path)),
                    };
                }
                nanos[index] = start.elapsed().as_nanos() as f64 / f64::from(ITERATIONS);
            }
            for (ratio, layered) in ratios.iter_mut().zip(&nanos[1..]) {
                ratio.push(layered / nanos[0]);
            }
        }
        let [around, identity, inside, identity_inside] = ratios.map(|mut ratio| {
            ratio.sort_by(f64::total_cmp);
            ratio[ratio.len() / 2]
        });
        println!(
            "| GET {path} | {around:.3}x | {identity:.3}x | {inside:.3}x | {identity_inside:.3}x |"
        );
    }
}

const WITH_ID: &[(&str, &str)] = &[("x-request-id", "req-7f3a9c")];
const CHOOSING: &[(&str, &str)] = &[
    ("x-request-id", "req-7f3a9c"),
    (
        "accept",
        "text/html, application/problem+json;q=0.9, */*;q=0.1",
    ),
    ("accept-language", "fr-CH, fr;q=0.9, de;q=0.8, en;q=0.7"),
];

/// The services the request-context cases are answered by.
struct Apps {
    bare: Router,
    around: ErrorService<Router>,
    choosing: ErrorService<Router>,
}

impl Apps {
    /// The apps, or `None` if the choosing app's config is refused.
    fn new() -> Option<Self> {
        let german = Catalog::new().message(http::StatusCode::FORBIDDEN, "Keine Berechtigung");
        let choosing_config = Config::new().negotiate(true).language("de", german);
        let choosing = match ErrorLayer::with_config(choosing_config) {
            Ok(layer) => layer.layer(router()),
            Err(error) => {
                eprintln!("the benchmark's config is refused: {error}");
                return None;
            }
        };
        Some(Self {
            bare: router(),
            around: ErrorLayer::new().layer(router()),
            choosing,
        })
    }
}

type Case<'a> = (&'a str, Box<dyn Fn() -> Response + 'a>);

/// Errors that know their request: the floor first.
fn request_context_cases(apps: &Apps) -> [Case<'_>; 6] {
    let Apps {
        bare,
        around,
        choosing,
    } = apps;
    [
        (
            "floor: static 403, bare router",
            Box::new(|| call(bare, "/floor")),
        ),
        (
            "default 403, layer, no id",
            Box::new(|| call(around, "/refused")),
        ),
        (
            "default 403, layer, request id",
            Box::new(|| call_with(around, "/refused", WITH_ID)),
        ),
        (
            "default 403, layer, id + Accept + Accept-Language, negotiating, German catalog",
            Box::new(|| call_with(choosing, "/refused", CHOOSING)),
        ),
        (
            "200, bare router, request id",
            Box::new(|| call_with(bare, "/ok", WITH_ID)),
        ),
        (
            "200, layer, request id echoed",
            Box::new(|| call_with(around, "/ok", WITH_ID)),
        ),
    ]
}

/// Errors that know their request, each case's time over the floor's (a prebuilt static 403
/// through the bare router) from the same round, median of many rounds.
fn print_request_context_ratios() {
    const ROUNDS: usize = 201;
    const ITERATIONS: u32 = 2_000;
    let Some(apps) = Apps::new() else { return };
    let cases = request_context_cases(&apps);
    let mut ratios = vec![Vec::new(); cases.len()];
    for round in 0..ROUNDS {
        let mut nanos = vec![0.0_f64; cases.len()];
        for offset in 0..cases.len() {
            let index = (round + offset) % cases.len();
            let start = Instant::now();
            for _ in 0..ITERATIONS {
                black_box((cases[index].1)());
            }
            nanos[index] = start.elapsed().as_nanos() as f64 / f64::from(ITERATIONS);
        }
        for (ratio, time) in ratios.iter_mut().zip(&nanos) {
            ratio.push(time / nanos[0]);
        }
    }
    println!(
        "\nRequest context, interleaved, {ROUNDS} rounds of {ITERATIONS} requests per case:\n"
    );
    println!("| case | ratio to the floor |\n|---|---:|");
    for ((name, _), mut ratio) in cases.iter().zip(ratios) {
        ratio.sort_by(f64::total_cmp);
        println!("| {name} | {:.3}x |", ratio[ratio.len() / 2]);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = layer
}

/// With `DENIED_BENCH_ONLY=<case name>`, answers that case's request `DENIED_BENCH_ITERATIONS`
/// times (10,000 by default) and nothing else: for counting its instructions with callgrind.
fn run_one_case(name: &str) {
    let Some(apps) = Apps::new() else { return };
    let cases = request_context_cases(&apps);
    let Some((_, answer)) = cases.iter().find(|(case, _)| *case == name) else {
        eprintln!("no case named {name:?}; the cases:");
        for (case, _) in &cases {
            eprintln!("  {case}");
        }
        std::process::exit(2);
    };
    let iterations: u32 = std::env::var("DENIED_BENCH_ITERATIONS")
        .ok()
        .and_then(|iterations| iterations.parse().ok())
        .unwrap_or(10_000);
    // The first request fixes the settings: counted in every run, so a difference of two runs
    // leaves it out.
    black_box(answer());
    for _ in 0..iterations {
        black_box(answer());
    }
}

fn main() {
    if let Ok(name) = std::env::var("DENIED_BENCH_ONLY") {
        run_one_case(&name);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
    print_paired_ratios();
    print_request_context_ratios();
}
