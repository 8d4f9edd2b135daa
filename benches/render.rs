//! The error path into an axum `Response`, side by side with hand-written baselines and two
//! peer crates.
//!
//! `cargo bench --bench render --features axum` runs every case under criterion, prints each
//! one's median time as a ratio to the floor, then measures the same ratios once more with the
//! cases interleaved round by round, so that a machine whose speed drifts during the run (a
//! shared one) slows every case alike, and prints each case's median ratio and median time.
//! `DENIED_BENCH_INTERLEAVED_ONLY=1` skips criterion's pass and prints the interleaved table
//! alone, within seconds.
//!
//! The floor is the cheapest a handler can answer: a response built directly from static
//! bytes, its status set and a `const` content type inserted. (axum's tuple `into_response` is
//! measured beside it as a baseline: it is not free.)

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use axum::body::Body as AxumBody;
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use criterion::{criterion_group, Criterion};
use denied::{Forbidden, HttpError, Unauthorized};
use http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderValue, StatusCode};
use serde::Serialize;

const GROUP: &str = "error_path";
const MESSAGE: &str = "You do not have permission to access this resource";
const OWN_MESSAGE: &str = "Only the owner of this repository may archive it";
const STATIC_BODY: &[u8] =
    br#"{"error":"Forbidden","message":"You do not have permission to access this resource","status":403}"#;
const NOT_FOUND_BODY: &[u8] =
    br#"{"error":"Not Found","message":"The requested resource was not found","status":404}"#;
const UNAUTHORIZED_BODY: &[u8] = br#"{"error":"Unauthorized","message":"Authentication is required to access this resource","status":401}"#;
const JSON: HeaderValue = HeaderValue::from_static("application/json");
const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");
const ANY_ORIGIN: HeaderValue = HeaderValue::from_static("*");
const EXPIRED_CHALLENGE: HeaderValue = HeaderValue::from_static(
    r#"Bearer realm="example", error="invalid_token", error_description="the token expired""#,
);

#[derive(Serialize)]
struct Body {
    error: &'static str,
    message: &'static str,
    status: u16,
}

type Case = (&'static str, fn() -> Response);

/// The cheapest a handler can answer a 403.
#[inline(always)]
fn floor() -> Response {
    let mut response = Response::new(AxumBody::from(Bytes::from_static(STATIC_BODY)));
    *response.status_mut() = StatusCode::FORBIDDEN;
    response.headers_mut().insert(CONTENT_TYPE, JSON);
    response
}

const CASES: [Case; 20] = [
    ("floor: Response built directly", floor),
    // The floor with what a 404, a 401 and a body of its own must have: the header each
    // status carries, the body built per request in one buffer.
    ("floor, 404: plus a const Cache-Control", || {
        let mut response = Response::new(AxumBody::from(Bytes::from_static(NOT_FOUND_BODY)));
        *response.status_mut() = StatusCode::NOT_FOUND;
        response.headers_mut().insert(CONTENT_TYPE, JSON);
        response.headers_mut().insert(CACHE_CONTROL, NO_STORE);
        response
    }),
    ("floor, 401: plus a const challenge", || {
        let mut response = Response::new(AxumBody::from(Bytes::from_static(UNAUTHORIZED_BODY)));
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        response.headers_mut().insert(CONTENT_TYPE, JSON);
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, EXPIRED_CHALLENGE);
        response
    }),
    (
        "floor, own message: the body copied into one allocation",
        || {
            let body = [
                &br#"{"error":"Forbidden","message":""#[..],
                OWN_MESSAGE.as_bytes(),
                br#"","status":403}"#,
            ]
            .concat();
            let mut response = Response::new(AxumBody::from(Bytes::from(body)));
            *response.status_mut() = StatusCode::FORBIDDEN;
            response.headers_mut().insert(CONTENT_TYPE, JSON);
            response
        },
    ),
    ("baseline: tuple into_response, static bytes", || {
        (
            StatusCode::FORBIDDEN,
            [(CONTENT_TYPE, JSON)],
            Bytes::from_static(STATIC_BODY),
        )
            .into_response()
    }),
    ("baseline: Json(struct)", || {
        let body = Body {
            error: "Forbidden",
            message: MESSAGE,
            status: 403,
        };
        (StatusCode::FORBIDDEN, Json(body)).into_response()
    }),
    ("baseline: Json(json!)", || {
        let body = serde_json::json!({ "error": "Forbidden", "message": MESSAGE, "status": 403 });
        (StatusCode::FORBIDDEN, Json(body)).into_response()
    }),
    (
        "baseline: 401 by hand, const challenge + Json(struct)",
        || {
            let body = Body {
                error: "Unauthorized",
                message: "Authentication is required to access this resource",
                status: 401,
            };
            (
                StatusCode::UNAUTHORIZED,
                [(WWW_AUTHENTICATE, EXPIRED_CHALLENGE)],
                Json(body),
            )
                .into_response()
        },
    ),
    ("peer: http-api-problem 0.60, 403", || {
        http_api_problem::HttpApiProblem::with_title(StatusCode::FORBIDDEN)
            .detail(MESSAGE)
            .into_response()
    }),
    ("peer: problem_details 0.11, 403", || {
        problem_details::ProblemDetails::from_status_code(StatusCode::FORBIDDEN)
            .with_detail(MESSAGE)
            .into_response()
    }),
    ("denied: default 403", || Forbidden::new().into_response()),
    ("denied: 403 own message", || {
        Forbidden::new().with_message(OWN_MESSAGE).into_response()
    }),
    // The same text made per request, as a message with a name or an id in it would be: the
    // `String` is the handler's, its body rendered per response.
    ("denied: 403 own message, a String", || {
        Forbidden::new()
            .with_message(String::from(OWN_MESSAGE))
            .into_response()
    }),
    ("denied: 403 missing_role", || {
        Forbidden::missing_role("admin").into_response()
    }),
    ("denied: concealed 404", || {
        Forbidden::not_owner().conceal().into_response()
    }),
    ("denied: 401 invalid_token with description", || {
        Unauthorized::invalid_token("the token expired").into_response()
    }),
    ("denied: 401 no credentials", || {
        Unauthorized::bearer().into_response()
    }),
    ("denied: 429 with Retry-After", || {
        HttpError::too_many_requests()
            .with_retry_after(Duration::from_secs(30))
            .into_response()
    }),
    // What a middleware that adds a header (CORS, say) makes of each response.
    ("floor, then a header added", || {
        let mut response = floor();
        response
            .headers_mut()
            .insert(ACCESS_CONTROL_ALLOW_ORIGIN, ANY_ORIGIN);
        response
    }),
    ("denied: default 403, then a header added", || {
        let mut response = Forbidden::new().into_response();
        response
            .headers_mut()
            .insert(ACCESS_CONTROL_ALLOW_ORIGIN, ANY_ORIGIN);
        response
    }),
];

fn error_path(c: &mut Criterion) {
    let mut group = c.benchmark_group(GROUP);
    for (name, render) in CASES {
        group.bench_function(name, |b| b.iter(|| black_box(render())));
    }
    group.finish();
}

/// Criterion's folder: `$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else `target/criterion`.
fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return home.into();
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| "target".into(), PathBuf::from);
    target.join("criterion")
}

/// The median of a case, in nanoseconds, from the estimates criterion just wrote.
fn median_ns(name: &str) -> Option<f64> {
    let directory: String = name
        .chars()
        .map(|c| if "?\"/\\*<>:|^".contains(c) { '_' } else { c })
        .collect();
    let path = criterion_home()
        .join(GROUP)
        .join(directory)
        .join("new")
        .join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let estimates: serde_json::Value = serde_json::from_str(&text).ok()?;
    estimates["median"]["point_estimate"].as_f64()
}

fn print_ratios() {
    let Some(floor) = median_ns(CASES[0].0) else {
        eprintln!("no estimates found under {}", criterion_home().display());
        return;
    };
    println!("\n| case | median | ratio to floor |\n|---|---:|---:|");
    for (name, _) in CASES {
        if let Some(median) = median_ns(name) {
            println!("| {name} | {median:.1} ns | {:.2}x |", median / floor);
        }
    }
}

/// Each case's time over the floor's, taken in the same round, as the median of many rounds.
fn print_paired_ratios() {
    const ROUNDS: usize = 101;
    const ITERATIONS: u32 = 4_000;
    let mut ratios = vec![Vec::with_capacity(ROUNDS); CASES.len()];
    let mut times = vec![Vec::with_capacity(ROUNDS); CASES.len()];
    for round in 0..ROUNDS {
        let mut nanos = [0.0_f64; CASES.len()];
        // Rotate the order so no case always runs first.
        for offset in 0..CASES.len() {
            let index = (round + offset) % CASES.len();
            let render = CASES[index].1;
            let start = Instant::now();
            for _ in 0..ITERATIONS {
                black_box(render());
            }
            nanos[index] = start.elapsed().as_nanos() as f64 / f64::from(ITERATIONS);
        }
        for ((ratio, time), nanos_of_case) in ratios.iter_mut().zip(&mut times).zip(nanos) {
            ratio.push(nanos_of_case / nanos[0]);
            time.push(nanos_of_case);
        }
    }
    println!("\nInterleaved, {ROUNDS} rounds of {ITERATIONS} iterations per case:\n");
    println!("| case | median ratio to floor (paired) | median time |\n|---|---:|---:|");
    for (((name, _), mut ratio), mut time) in CASES.iter().zip(ratios).zip(times) {
        ratio.sort_by(f64::total_cmp);
        time.sort_by(f64::total_cmp);
        println!(
            "| {name} | {:.2}x | {:.1} ns |",
            ratio[ratio.len() / 2],
            time[time.len() / 2]
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = error_path
}

/// With `DENIED_BENCH_ONLY=<case name>`, renders that case `DENIED_BENCH_ITERATIONS` times
/// (10,000 by default) and nothing else: for counting its instructions with callgrind.
fn run_one_case(name: &str) {
    let Some((_, render)) = CASES.iter().find(|(case, _)| *case == name) else {
        eprintln!("no case named {name:?}; the cases:");
        for (case, _) in CASES {
            eprintln!("  {case}");
        }
        std::process::exit(2);
    };
    let iterations: u32 = std::env::var("DENIED_BENCH_ITERATIONS")
        .ok()
        .and_then(|iterations| iterations.parse().ok())
        .unwrap_or(10_000);
    // The first render fixes the settings: counted in every run, so a difference of two runs
    // leaves it out.
    black_box(render());
    for _ in 0..iterations {
        black_box(render());
    }
}

fn main() {
    if let Ok(name) = std::env::var("DENIED_BENCH_ONLY") {
        run_one_case(&name);
        return;
    }
    if std::env::var_os("DENIED_BENCH_INTERLEAVED_ONLY").is_none() {
        benches();
        Criterion::default().configure_from_args().final_summary();
        print_ratios();
    }
    print_paired_ratios();
}
