//! axum, actix-web and warp answer every demo request with the same status, the same headers
//! (`Date` aside) and the same body bytes, in both body formats.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{contract, Demo, Format};

const FRAMEWORKS: [&str; 3] = ["axum", "actix-web", "warp"];

#[test]
fn every_framework_sends_the_same_bytes() {
    for format in Format::ALL {
        let demos: Vec<Demo> = FRAMEWORKS
            .iter()
            .map(|framework| Demo::start(framework, format))
            .collect();
        for call in contract::shape_calls() {
            let replies: Vec<_> = demos.iter().map(|demo| demo.call(&call)).collect();
            let (first, rest) = replies.split_first().unwrap();
            for (framework, reply) in FRAMEWORKS[1..].iter().zip(rest) {
                let context = format!("{call:?} {format:?}: axum vs {framework}");
                reply.assert_same_as(first, &context);
            }
        }
        for (target, token) in contract::requests() {
            for method in ["GET", "HEAD"] {
                let replies: Vec<_> = demos
                    .iter()
                    .map(|demo| demo.send(method, &target, token))
                    .collect();
                let (first, rest) = replies.split_first().unwrap();
                for (framework, reply) in FRAMEWORKS[1..].iter().zip(rest) {
                    let context =
                        format!("{method} {target} {token:?} {format:?}: axum vs {framework}");
                    reply.assert_same_as(first, &context);
                }
            }
        }
    }
}

#[test]
fn the_showcase_fits_100_columns_and_finds_no_disagreement() {
    let showcase = support::example_path("showcase");
    for format in Format::ALL {
        let output = std::process::Command::new(&showcase)
            .env("DENIED_FORMAT", format.env_value())
            .output()
            .expect("run the showcase");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{format:?}:\n{stdout}");
        for line in stdout.lines() {
            assert!(line.chars().count() <= 100, "too wide: {line:?}");
        }
        let verdicts: Vec<&str> = stdout
            .lines()
            .filter_map(|line| line.split_whitespace().nth(2))
            .filter(|word| ["same", "DIFFER"].contains(word))
            .collect();
        assert!(verdicts.len() >= 31, "one line per demo request:\n{stdout}");
        assert!(
            verdicts.iter().all(|verdict| *verdict == "same"),
            "{stdout}"
        );
        for expected in [
            "POST /orders",
            "DELETE /me",
            "GET /panic",
            "HTTP 405",
            "allow: POST",
        ] {
            assert!(stdout.contains(expected), "{expected} is shown:\n{stdout}");
        }
        assert!(
            stdout.contains("denied::warp::error_handling"),
            "the code is listed"
        );
        assert!(
            stdout.contains("All 3 frameworks sent the same"),
            "{stdout}"
        );
        assert!(!stdout.contains("hunter2"), "{stdout}");
    }
}

#[test]
fn the_showcase_still_prints_the_wide_table_on_request() {
    let output = std::process::Command::new(support::example_path("showcase"))
        .arg("--table")
        .output()
        .expect("run the showcase");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.starts_with("| request | axum | actix-web | warp |"),
        "{stdout}"
    );
    let rows = stdout
        .lines()
        .filter(|line| line.starts_with("| POST "))
        .count();
    assert!(rows >= 7, "{stdout}");
}
