//! The axum example against the demo contract, over a real loopback socket, in both formats.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{contract, Demo, Format};

#[test]
fn axum_demo_answers_every_row_of_the_contract_in_both_formats() {
    contract::check_example("axum");
}

#[test]
fn a_wrong_method_is_the_crates_405_with_the_allowed_methods() {
    let demo = Demo::start("axum", Format::Json);
    let reply = demo.send("POST", "/me", Some("good"));
    assert_eq!(reply.status, 405);
    support::check_body(&reply, Format::Json);
    let allowed: Vec<&str> = reply
        .header("allow")
        .expect("an Allow header")
        .split(',')
        .map(str::trim)
        .collect();
    assert!(
        allowed.contains(&"GET") && allowed.contains(&"HEAD"),
        "{allowed:?}"
    );
}
