//! The rocket example against the demo contract, over a real loopback socket, in both formats.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::contract;

#[test]
fn rocket_demo_answers_every_row_of_the_contract_in_both_formats() {
    contract::check_example("rocket");
}
