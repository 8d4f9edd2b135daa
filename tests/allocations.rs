//! Heap allocations of the error path, counted (they are deterministic; speed is measured by
//! `benches/render.rs`, never in tests).
#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use allocation_counter::measure;
use axum::response::IntoResponse;
use axum::Json;
use bytes::Bytes;
use denied::{Forbidden, HttpError, Unauthorized};
use http::header::CONTENT_TYPE;
use http::{HeaderValue, StatusCode};

const FLOOR_BODY: &[u8] =
    br#"{"error":"Forbidden","message":"You do not have permission to access this resource","status":403}"#;

fn allocations(render: impl Fn() -> axum::response::Response) -> u64 {
    // The first call fixes the settings; count a later one.
    drop(render());
    measure(|| drop(render())).count_total
}

fn floor() -> axum::response::Response {
    (
        StatusCode::FORBIDDEN,
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        Bytes::from_static(FLOOR_BODY),
    )
        .into_response()
}

#[test]
fn the_default_403_allocates_no_more_than_a_static_response() {
    let floor = allocations(floor);
    let default = allocations(|| Forbidden::new().into_response());
    assert!(
        default <= floor,
        "default 403: {default} allocations, floor: {floor}"
    );
}

#[test]
fn a_custom_message_costs_at_most_one_allocation_more() {
    let floor = allocations(floor);
    let custom = allocations(|| {
        Forbidden::new()
            .with_message("Only the owner of this repository may archive it")
            .into_response()
    });
    assert!(
        custom <= floor + 1,
        "custom 403: {custom} allocations, floor: {floor}"
    );
}

#[test]
fn a_concealed_404_costs_no_more_than_the_genuine_one_plus_the_kept_refusal() {
    let genuine = allocations(|| HttpError::not_found().into_response());
    let concealed = allocations(|| Forbidden::new().conceal().into_response());
    // Keeping the refusal for logs boxes it once.
    assert!(
        concealed <= genuine + 1,
        "concealed: {concealed}, genuine: {genuine}"
    );
}

#[test]
fn a_bearer_401_allocates_no_more_than_a_json_macro_body() {
    let json_macro = allocations(|| {
        (
            StatusCode::FORBIDDEN,
            Json(serde_json::json!({
                "error": "Forbidden",
                "message": "You do not have permission to access this resource",
                "status": 403
            })),
        )
            .into_response()
    });
    let bearer = allocations(|| Unauthorized::bearer("example").into_response());
    assert!(
        bearer <= json_macro,
        "401 bearer: {bearer}, json!: {json_macro}"
    );
}
