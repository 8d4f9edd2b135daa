//! axum, actix-web, warp, hyper (tower), poem, salvo and rocket answer every demo request with the same status, the same headers
//! (`Date` aside) and the same body bytes, in both body formats.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{contract, Demo, Format, HTTP_FRAMEWORKS as FRAMEWORKS};

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
fn every_framework_renders_the_same_request_context() {
    let header_sets: [&[(&str, &[u8])]; 8] = [
        &[("X-Request-Id", b"req-42")],
        &[("Accept", b"application/problem+json")],
        &[(
            "Accept",
            b"application/json;q=0.9, application/problem+json;q=0.1",
        )],
        &[("Accept-Language", b"de-DE, en;q=0.5")],
        &[
            ("X-Request-Id", br#"quote"and\backslash"#),
            ("Accept", b"application/problem+json"),
            ("Accept-Language", b"de"),
        ],
        &[("X-Request-Id", b"two"), ("X-Request-Id", b"lines")],
        // Read as one list across its lines, as a single line is.
        &[
            ("Accept", b"application/json;q=0.1"),
            ("Accept", b"application/problem+json"),
        ],
        &[("Accept-Language", b"en;q=0.1"), ("Accept-Language", b"de")],
    ];
    let targets = [
        ("/me", None),
        ("/me", Some("expired")),
        ("/admin/reports", Some("good")),
        ("/admin/reports?message=Hallo%20Welt", Some("good")),
        ("/anything/%C3%A4/else?x=1", None),
        ("/repos/secret", Some("good")),
        ("/slow-down?after=5", None),
        ("/boom", None),
        ("/orders/abc", Some("good")),
    ];
    for format in Format::ALL {
        let demos: Vec<Demo> = FRAMEWORKS
            .iter()
            .map(|framework| Demo::start(framework, format))
            .collect();
        for headers in header_sets {
            for (target, token) in targets {
                let replies: Vec<_> = demos
                    .iter()
                    .map(|demo| demo.get_with(target, token, headers))
                    .collect();
                let (first, rest) = replies.split_first().unwrap();
                for (framework, reply) in FRAMEWORKS[1..].iter().zip(rest) {
                    let context = format!("{target} {headers:?} {format:?}: axum vs {framework}");
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
            stdout.contains("All 7 frameworks sent the same"),
            "{stdout}"
        );
        assert!(!stdout.contains("hunter2"), "{stdout}");
        // The panics the demo makes on purpose are announced once, without their text.
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("hunter2"), "{stderr}");
        assert_eq!(stderr.matches("panic on purpose").count(), 1, "{stderr}");
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
