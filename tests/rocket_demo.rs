//! The rocket example against the demo contract, over a real loopback socket, in both formats.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::contract;

#[test]
fn rocket_demo_answers_every_row_of_the_contract_in_both_formats() {
    contract::check_example("rocket");
}

/// rocket answers a request it cannot read (an unknown method) through the catcher alone,
/// before any fairing sees the request: it still answers with the app's settings and echoes
/// the request id.
#[test]
fn a_request_rocket_cannot_read_gets_the_apps_settings() {
    let demo = support::Demo::start("rocket", support::Format::Problem);
    let reply = support::request(
        demo.address,
        "PROPFIND",
        "/me",
        &[("X-Request-Id", "req-7")],
    );
    // rocket answers what it cannot read with 400 (the others answer an unknown method 405).
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json"),
        "{reply:?}"
    );
    assert_eq!(reply.header("x-request-id"), Some("req-7"), "{reply:?}");
    assert_eq!(reply.json()["request_id"], "req-7", "{reply:?}");
}
