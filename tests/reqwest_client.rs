//! The `reqwest` feature over real loopback sockets: the retry policy against the demo app
//! (refresher called once on a 401 and never on a 403, `Retry-After: 0` honoured, the cap
//! held), against small servers of the test's own for what the demo never sends (an HTTP date,
//! 5xx back-off, a `POST` refused with 503), bodies read with their bound (a 50 MB body is
//! refused without being read), hostile challenges and bodies, and the `client` example run
//! against every framework's demo.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use denied::client::{Advice, Guidance, ReadBody};
use denied::reqwest::{Decision, GiveUp, Outcome, ResponseExt, RetryPolicy};
use denied::{BearerError, BodyError, MAX_BODY_LEN};
use reqwest::header::HeaderValue;
use reqwest::Client;
use support::{Demo, Format};

fn decisions(outcome: &Outcome) -> Vec<(u16, Decision)> {
    outcome
        .steps()
        .iter()
        .map(|step| (step.status().as_u16(), step.decision()))
        .collect()
}

/// Sends `GET path` with `token`; on a 401 the refresher, counted, gives `refreshed_token`.
async fn send(
    policy: &RetryPolicy,
    base: SocketAddr,
    path: &str,
    token: Option<&str>,
    refreshed_token: Option<&'static str>,
) -> (Outcome, usize) {
    let client = Client::new();
    let mut request = client.get(format!("http://{base}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let calls = AtomicUsize::new(0);
    let outcome = policy
        .send_reauthenticating(&client, request.build().unwrap(), |_, _| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move {
                refreshed_token
                    .map(|token| HeaderValue::from_str(&format!("Bearer {token}")).unwrap())
            }
        })
        .await
        .unwrap();
    (outcome, calls.into_inner())
}

#[tokio::test]
async fn the_refresher_is_called_once_on_a_401_and_never_on_a_403_or_404() {
    let policy = RetryPolicy::new();
    for format in Format::ALL {
        let demo = Demo::start("axum", format);
        let base = demo.address;

        let (outcome, calls) = send(&policy, base, "/me", Some("expired"), Some("good")).await;
        assert_eq!(calls, 1);
        assert_eq!(
            decisions(&outcome),
            [(401, Decision::Reauthenticate), (200, Decision::Return)]
        );
        let body: serde_json::Value = outcome.into_response().json().await.unwrap();
        assert_eq!(body["user"], "alice");

        let (outcome, calls) = send(&policy, base, "/me", None, Some("still-bad")).await;
        assert_eq!(calls, 1, "a second 401 does not refresh again");
        assert_eq!(
            decisions(&outcome),
            [
                (401, Decision::Reauthenticate),
                (401, Decision::GiveUp(GiveUp::StillUnauthorized))
            ]
        );
        let guidance = outcome.into_response().guidance().await;
        assert_eq!(guidance.bearer_error(), Some(BearerError::InvalidToken));

        let (outcome, calls) = send(&policy, base, "/me", None, None).await;
        assert_eq!(calls, 1);
        assert_eq!(
            decisions(&outcome),
            [(401, Decision::GiveUp(GiveUp::NoNewCredentials))]
        );

        let (outcome, calls) =
            send(&policy, base, "/admin/reports", Some("good"), Some("good")).await;
        assert_eq!(calls, 0, "a 403 never refreshes");
        assert_eq!(decisions(&outcome), [(403, Decision::Final(Advice::Stop))]);
        let guidance = outcome.into_response().guidance().await;
        assert_eq!(guidance.reason(), Some("missing_role"));
        assert_eq!(
            guidance.message(),
            Some("You do not have permission to access this resource")
        );
        let read_as_its_format = matches!(
            (guidance.body(), format),
            (Some(ReadBody::Json(_)), Format::Json) | (Some(ReadBody::Problem(_)), Format::Problem)
        );
        assert!(read_as_its_format, "{guidance:?}");

        let (outcome, calls) =
            send(&policy, base, "/repos/secret", Some("good"), Some("good")).await;
        assert_eq!(calls, 0);
        assert_eq!(
            decisions(&outcome),
            [(404, Decision::Final(Advice::NotFound))]
        );
    }
}

#[tokio::test]
async fn a_post_is_reauthenticated_with_its_body() {
    let demo = Demo::start("axum", Format::Json);
    let client = Client::new();
    let request = client
        .post(format!("http://{}/orders", demo.address))
        .bearer_auth("expired")
        .header("content-type", "application/json")
        .body(r#"{"item":"book","quantity":2}"#)
        .build()
        .unwrap();
    let outcome = RetryPolicy::new()
        .send_reauthenticating(&client, request, |_, _| async {
            Some(HeaderValue::from_static("Bearer good"))
        })
        .await
        .unwrap();
    assert_eq!(
        decisions(&outcome),
        [(401, Decision::Reauthenticate), (201, Decision::Return)]
    );
    let body: serde_json::Value = outcome.into_response().json().await.unwrap();
    assert_eq!(body["quantity"], 2);
}

#[tokio::test]
async fn retry_after_zero_is_honoured_and_the_cap_holds() {
    let demo = Demo::start("axum", Format::Json);
    let policy = RetryPolicy::new()
        .max_retries(2)
        .max_wait(Duration::from_secs(5));
    let (outcome, _) = send(&policy, demo.address, "/slow-down?after=0", None, None).await;
    assert_eq!(
        decisions(&outcome),
        [
            (429, Decision::Wait(Duration::ZERO)),
            (429, Decision::Wait(Duration::ZERO)),
            (429, Decision::GiveUp(GiveUp::RetriesExhausted)),
        ]
    );
    // Over the cap: given up at once, without sleeping a moment.
    let (outcome, _) = send(&policy, demo.address, "/slow-down?after=6", None, None).await;
    assert_eq!(
        decisions(&outcome),
        [(
            429,
            Decision::GiveUp(GiveUp::WaitTooLong(Duration::from_secs(6)))
        )]
    );
    // At the cap: waited, then (one retry allowed) given up.
    let policy = RetryPolicy::new()
        .max_retries(1)
        .max_wait(Duration::from_secs(1));
    let started = std::time::Instant::now();
    let (outcome, _) = send(&policy, demo.address, "/slow-down?after=1", None, None).await;
    assert_eq!(
        decisions(&outcome),
        [
            (429, Decision::Wait(Duration::from_secs(1))),
            (429, Decision::GiveUp(GiveUp::RetriesExhausted)),
        ]
    );
    // The wait is a real one (a lower bound: this is not a speed test).
    assert!(started.elapsed() >= Duration::from_secs(1));
}

/// A server of the test's own on a loopback port: it answers the n-th connection with the
/// n-th of `answers` (the last one again once they run out), and counts the requests.
fn serve(answers: Vec<Vec<u8>>) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let index = counted.fetch_add(1, Ordering::SeqCst);
            let answer = answers[index.min(answers.len() - 1)].clone();
            std::thread::spawn(move || {
                read_head(&mut stream);
                let _ = stream.write_all(&answer);
                // Leave the connection open a while, as a slow server would.
                std::thread::sleep(Duration::from_secs(2));
            });
        }
    });
    (address, requests)
}

/// Reads a request up to the end of its head and, if it declares one, its body.
fn read_head(stream: &mut TcpStream) {
    let mut request = Vec::new();
    let mut byte = [0; 1];
    while !request.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => request.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&request).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    let _ = stream.read_exact(&mut body);
}

fn answer(status_line: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut text = format!("HTTP/1.1 {status_line}\r\nconnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn ok() -> Vec<u8> {
    answer("200 OK", &[("content-type", "application/json")], b"{}")
}

#[tokio::test]
async fn an_http_date_is_honoured_and_a_past_one_means_now() {
    let past = httpdate::fmt_http_date(SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777));
    let (address, requests) = serve(vec![
        answer("503 Service Unavailable", &[("retry-after", &past)], b""),
        ok(),
    ]);
    let policy = RetryPolicy::new();
    let (outcome, _) = send(&policy, address, "/", None, None).await;
    assert_eq!(
        decisions(&outcome),
        [
            (503, Decision::Wait(Duration::ZERO)),
            (200, Decision::Return)
        ]
    );
    assert_eq!(requests.load(Ordering::SeqCst), 2);

    let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    let (address, _) = serve(vec![
        answer("429 Too Many Requests", &[("retry-after", &soon)], b""),
        ok(),
    ]);
    let (outcome, _) = send(&policy, address, "/", None, None).await;
    match decisions(&outcome).as_slice() {
        [(429, Decision::Wait(wait)), (200, Decision::Return)] => {
            assert!(*wait <= Duration::from_secs(2), "{wait:?}");
        }
        other => panic!("{other:?}"),
    }

    let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3600));
    let (address, requests) = serve(vec![answer(
        "503 Service Unavailable",
        &[("retry-after", &later)],
        b"",
    )]);
    let (outcome, _) = send(&policy, address, "/", None, None).await;
    assert!(matches!(
        decisions(&outcome).as_slice(),
        [(503, Decision::GiveUp(GiveUp::WaitTooLong(wait)))] if *wait > Duration::from_secs(3500)
    ));
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn server_errors_back_off_with_jitter_below_the_doubling_bound() {
    let (address, _) = serve(vec![
        answer("500 Internal Server Error", &[], b""),
        answer("502 Bad Gateway", &[], b""),
        answer("503 Service Unavailable", &[], b""),
        ok(),
    ]);
    let policy = RetryPolicy::new().backoff(Duration::from_millis(20));
    let (outcome, _) = send(&policy, address, "/", None, None).await;
    let steps = decisions(&outcome);
    assert_eq!(steps.len(), 4, "{steps:?}");
    for (index, (_, decision)) in steps[..3].iter().enumerate() {
        let Decision::BackOff(wait) = decision else {
            panic!("{steps:?}")
        };
        assert!(
            *wait <= Duration::from_millis(20) * 2_u32.pow(index as u32),
            "{steps:?}"
        );
    }
    assert_eq!(steps[3], (200, Decision::Return));
}

#[tokio::test]
async fn a_post_refused_before_the_server_acted_on_it_is_sent_again() {
    let client = Client::new();
    for status_line in [
        "421 Misdirected Request",
        "425 Too Early",
        "408 Request Timeout",
    ] {
        let (address, requests) = serve(vec![answer(status_line, &[], b""), ok()]);
        let request = client
            .post(format!("http://{address}/orders"))
            .body("{}")
            .build()
            .unwrap();
        let policy = RetryPolicy::new().backoff(Duration::from_millis(1));
        let outcome = policy.send(&client, request).await.unwrap();
        let steps = decisions(&outcome);
        assert!(
            matches!(
                steps.as_slice(),
                [(_, Decision::BackOff(_)), (200, Decision::Return)]
            ),
            "{status_line}: {steps:?}"
        );
        assert_eq!(requests.load(Ordering::SeqCst), 2);
    }
}

#[tokio::test]
async fn each_step_is_seen_before_its_wait() {
    let (address, _) = serve(vec![
        answer("503 Service Unavailable", &[("retry-after", "1")], b""),
        ok(),
    ]);
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let policy = RetryPolicy::new().on_step(move |step| {
        log.lock()
            .unwrap()
            .push((step.decision(), std::time::Instant::now()));
    });
    let (outcome, _) = send(&policy, address, "/", None, None).await;
    let seen = seen.lock().unwrap();
    let decided: Vec<Decision> = seen.iter().map(|(decision, _)| *decision).collect();
    assert_eq!(
        decided,
        [Decision::Wait(Duration::from_secs(1)), Decision::Return]
    );
    assert_eq!(outcome.attempts(), 2);
    // The first step was seen a whole wait before the second.
    assert!(seen[1].1 - seen[0].1 >= Duration::from_secs(1));
}

#[tokio::test]
async fn a_post_is_not_sent_again_unless_the_policy_says_so() {
    let refused = answer("503 Service Unavailable", &[("retry-after", "0")], b"");
    let client = Client::new();
    for (policy, expected) in [
        (
            RetryPolicy::new(),
            vec![(503, Decision::GiveUp(GiveUp::NotIdempotent))],
        ),
        (
            RetryPolicy::new().retry_non_idempotent(true),
            vec![
                (503, Decision::Wait(Duration::ZERO)),
                (200, Decision::Return),
            ],
        ),
    ] {
        let (address, requests) = serve(vec![refused.clone(), ok()]);
        let request = client
            .post(format!("http://{address}/orders"))
            .body("{}")
            .build()
            .unwrap();
        let outcome = policy.send(&client, request).await.unwrap();
        assert_eq!(decisions(&outcome), expected);
        assert_eq!(requests.load(Ordering::SeqCst), expected.len());
    }
}

#[tokio::test]
async fn a_stream_body_is_not_sent_twice() {
    let (address, requests) = serve(vec![
        answer("503 Service Unavailable", &[("retry-after", "0")], b""),
        ok(),
    ]);
    let client = Client::new();
    let chunks: Vec<Result<&'static [u8], std::io::Error>> = vec![Ok(b"{}")];
    let request = client
        .put(format!("http://{address}/"))
        .body(reqwest::Body::wrap_stream(futures_util_stream(chunks)))
        .build()
        .unwrap();
    let outcome = RetryPolicy::new().send(&client, request).await.unwrap();
    assert_eq!(
        decisions(&outcome),
        [(503, Decision::GiveUp(GiveUp::BodyNotReplayable))]
    );
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}

/// A stream of `items`, without a dependency on a futures crate.
fn futures_util_stream(
    items: Vec<Result<&'static [u8], std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<&'static [u8], std::io::Error>> + Send + Sync + 'static
{
    struct Items(std::vec::IntoIter<Result<&'static [u8], std::io::Error>>);
    impl futures_core::Stream for Items {
        type Item = Result<&'static [u8], std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.next())
        }
    }
    Items(items.into_iter())
}

/// A server that declares or streams a body of 50 MB, writing at most `MAX_BODY_LEN` and a
/// bit before it stops and holds the connection open: a client that read to the end would
/// hang. Gives the address and the bytes of body it managed to write.
fn huge_body_server(chunked: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                read_head(&mut stream);
                let head = if chunked {
                    "HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_owned()
                } else {
                    format!(
                        "HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                        50 * 1024 * 1024
                    )
                };
                let _ = stream.write_all(head.as_bytes());
                let chunk = vec![b' '; 16 * 1024];
                for _ in 0..(MAX_BODY_LEN / chunk.len() + 2) {
                    let written = if chunked {
                        stream
                            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                            .and_then(|()| stream.write_all(&chunk))
                            .and_then(|()| stream.write_all(b"\r\n"))
                    } else {
                        stream.write_all(&chunk)
                    };
                    if written.is_err() {
                        return;
                    }
                }
                std::thread::sleep(Duration::from_secs(60));
            });
        }
    });
    address
}

#[tokio::test]
async fn a_50_mb_body_is_refused_within_its_bound() {
    for chunked in [false, true] {
        let address = huge_body_server(chunked);
        let response = reqwest::get(format!("http://{address}/")).await.unwrap();
        let guidance = tokio::time::timeout(Duration::from_secs(20), response.guidance())
            .await
            .expect("the body is refused without being read to its end");
        assert_eq!(guidance.advice(), Advice::Stop);
        match guidance.body_error() {
            Some(BodyError::TooLong(length)) if !chunked => {
                assert_eq!(*length, 50 * 1024 * 1024)
            }
            Some(BodyError::TooLong(length)) => {
                assert!(*length > MAX_BODY_LEN && *length <= MAX_BODY_LEN + 16 * 1024)
            }
            other => panic!("chunked {chunked}: {other:?}"),
        }
    }
}

/// What a client is told by a server of our own that answers `response`.
async fn guidance_of(response: Vec<u8>) -> Guidance {
    let (address, _) = serve(vec![response]);
    reqwest::get(format!("http://{address}/"))
        .await
        .unwrap()
        .guidance()
        .await
}

/// A 403 whose JSON body is exactly `length` bytes long, sent with `Content-Length` or chunked.
fn forbidden_of_length(length: usize, chunked: bool) -> Vec<u8> {
    let shell = r#"{"error":"Forbidden","message":"","status":403}"#;
    let body = format!(
        r#"{{"error":"Forbidden","message":"{}","status":403}}"#,
        "x".repeat(length - shell.len())
    );
    assert_eq!(body.len(), length);
    if !chunked {
        return answer(
            "403 Forbidden",
            &[("content-type", "application/json")],
            body.as_bytes(),
        );
    }
    let mut bytes = b"HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    for chunk in body.as_bytes().chunks(10_000) {
        bytes.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        bytes.extend_from_slice(chunk);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"0\r\n\r\n");
    bytes
}

#[tokio::test]
async fn a_body_of_exactly_the_bound_is_read_and_one_byte_more_is_refused() {
    let shell = r#"{"error":"Forbidden","message":"","status":403}"#.len();
    for chunked in [false, true] {
        let guidance = guidance_of(forbidden_of_length(MAX_BODY_LEN, chunked)).await;
        assert_eq!(
            guidance.message().map(str::len),
            Some(MAX_BODY_LEN - shell),
            "chunked {chunked}: {:?}",
            guidance.body_error()
        );

        let guidance = guidance_of(forbidden_of_length(MAX_BODY_LEN + 1, chunked)).await;
        assert!(
            matches!(guidance.body_error(), Some(BodyError::TooLong(length)) if *length > MAX_BODY_LEN),
            "chunked {chunked}: {guidance:?}"
        );
    }
}

#[tokio::test]
async fn hostile_challenges_and_bodies_never_panic_and_keep_the_advice() {
    // Deep, but under the body bound, so that it is parsed: serde_json's recursion limit.
    let deep = "[".repeat(60_000);
    let long_value = format!("Bearer realm=\"{}\"", "a".repeat(60_000));
    type Headers<'a> = Vec<(&'a str, &'a str)>;
    let cases: Vec<(Headers<'_>, Vec<u8>)> = vec![
        (
            vec![("www-authenticate", "Bearer realm=\"open")],
            b"{}".to_vec(),
        ),
        (
            vec![("www-authenticate", ", , ,")],
            deep.clone().into_bytes(),
        ),
        (
            vec![("www-authenticate", "=\"x\", Bearer")],
            b"\xff\xfe\x00".to_vec(),
        ),
        (
            vec![("www-authenticate", &long_value)],
            b"not json".to_vec(),
        ),
        (
            vec![
                ("www-authenticate", "Bearer realm=\"a\", realm=\"b\""),
                ("www-authenticate", "Basic realm=\"ok\""),
                ("content-type", "application/problem+json"),
            ],
            br#"{"type":1}"#.to_vec(),
        ),
        (vec![("content-type", "text/plain")], vec![0xff; 70_000]),
    ];
    for (headers, body) in cases {
        let guidance = guidance_of(answer("401 Unauthorized", &headers, &body)).await;
        assert_eq!(guidance.advice(), Advice::Reauthenticate, "{headers:?}");
        assert!(
            guidance.body().is_some() || guidance.body_error().is_some(),
            "{headers:?}"
        );
        // Only well-formed lines give challenges.
        for challenge in guidance.challenges() {
            assert!(!challenge.scheme().is_empty());
        }
        if headers
            .iter()
            .any(|(_, value)| *value == "Basic realm=\"ok\"")
        {
            assert_eq!(guidance.challenges().len(), 1);
            assert!(guidance.challenges()[0].is_basic());
        }
    }
}

#[test]
fn the_client_example_finds_every_framework_keeping_the_rules() {
    let client = support::example_path("client");
    for framework in support::HTTP_FRAMEWORKS {
        let demo = Demo::start(framework, Format::Json);
        let output = Command::new(&client)
            .env("DENIED_URL", format!("http://{}", demo.address))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{framework}: {stdout}");
        assert!(stdout.contains("kept every rule"), "{framework}: {stdout}");
    }
}

#[test]
fn the_client_example_tells_when_a_server_breaks_a_rule() {
    // A server that answers everything with a 401 without a challenge, and a 200 to nothing.
    let (address, _) = serve(vec![answer(
        "401 Unauthorized",
        &[("content-type", "text/plain")],
        b"go away",
    )]);
    let output = Command::new(support::example_path("client"))
        .env("DENIED_URL", format!("http://{address}"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("BROKEN: a 401 carries a Bearer challenge"),
        "{stdout}"
    );
}

/// A 401 from another origin, where a redirect led, is not re-authenticated: the request's
/// credentials belong to the origin it was sent to, and the other origin's challenge (here one
/// whose realm names an attacker's token endpoint) never reaches the refresher.
#[tokio::test]
async fn a_401_from_another_origin_after_a_redirect_is_not_reauthenticated() {
    let challenge = (
        "www-authenticate",
        r#"Bearer realm="https://attacker.example/token""#,
    );
    let (other, _) = serve(vec![answer("401 Unauthorized", &[challenge], b"")]);
    let location = format!("http://{other}/steal");
    let (origin, _) = serve(vec![answer(
        "302 Found",
        &[("location", location.as_str())],
        b"",
    )]);
    let (outcome, refreshed) = send(
        &RetryPolicy::new(),
        origin,
        "/me",
        Some("expired"),
        Some("good"),
    )
    .await;
    assert_eq!(refreshed, 0, "the refresher is never called");
    assert_eq!(
        decisions(&outcome),
        [(401, Decision::GiveUp(GiveUp::OtherOrigin))]
    );

    // The same 401 from the origin itself, where a redirect within it led, is
    // re-authenticated, and the refresher hears which URL challenged: the redirect's.
    let (same, _) = serve(vec![
        answer("302 Found", &[("location", "/v2/me")], b""),
        answer("401 Unauthorized", &[challenge], b""),
        ok(),
    ]);
    let client = Client::new();
    let request = client
        .get(format!("http://{same}/me"))
        .bearer_auth("expired")
        .build()
        .unwrap();
    let outcome = RetryPolicy::new()
        .send_reauthenticating(&client, request, |url, _| {
            assert_eq!(url.as_str(), format!("http://{same}/v2/me"));
            async { Some(HeaderValue::from_static("Bearer good")) }
        })
        .await
        .unwrap();
    assert_eq!(
        decisions(&outcome),
        [(401, Decision::Reauthenticate), (200, Decision::Return)]
    );
}
