//! The tonic example over a real loopback socket, called by a real tonic client: every refusal
//! of the demo maps to its gRPC code, message and metadata; a concealed refusal is a genuine
//! `NotFound` in every respect; no hidden cause reaches the client. Challenges in metadata are
//! parsed by the tests' own RFC 9110 parser.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

#[path = "../examples/demo/grpc.rs"]
mod grpc;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use denied::http::uri::PathAndQuery;
use denied::http::StatusCode;
use denied::{Config, HttpError, Report};
use grpc::{Public, Query, Reply};
use support::{check_bearer, parse_challenges, Demo, Format, ParsedChallenge};
use tonic::metadata::MetadataMap;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Status};
use tonic_prost::ProstCodec;

const DEFAULT_401: &str = "Authentication is required to access this resource";
const DEFAULT_403: &str = "You do not have permission to access this resource";
const DEFAULT_404: &str = "The requested resource was not found";
const DEFAULT_500: &str = "An internal error occurred";
const GERMAN_403: &str = "Sie haben keine Berechtigung für diese Ressource";
const GERMAN_404: &str = "Die angeforderte Ressource wurde nicht gefunden";
const HIDDEN_CAUSE_PARTS: [&str; 4] = ["db-primary", "hunter2", "password", "connection to"];

/// What a client sees of a call: its reply, or its status with the metadata (`date` aside, and
/// the transport's own `content-type`).
#[derive(Debug, PartialEq)]
enum Answer {
    Reply(String, BTreeMap<String, Vec<String>>),
    Refused {
        code: Code,
        message: String,
        details: Vec<u8>,
        metadata: BTreeMap<String, Vec<String>>,
    },
}

impl Answer {
    fn refused(&self) -> (Code, &str, &BTreeMap<String, Vec<String>>) {
        match self {
            Answer::Refused {
                code,
                message,
                metadata,
                ..
            } => (*code, message, metadata),
            Answer::Reply(json, _) => panic!("expected a refusal, got the reply {json}"),
        }
    }

    fn one(&self, key: &str) -> Option<&str> {
        let metadata = match self {
            Answer::Reply(_, metadata) | Answer::Refused { metadata, .. } => metadata,
        };
        let lines = metadata.get(key)?;
        assert_eq!(lines.len(), 1, "one {key} line in {self:?}");
        Some(&lines[0])
    }

    fn challenges(&self) -> Vec<ParsedChallenge> {
        let (_, _, metadata) = self.refused();
        metadata
            .get("www-authenticate")
            .into_iter()
            .flatten()
            .flat_map(|line| {
                parse_challenges(line).unwrap_or_else(|error| panic!("{line:?}: {error}"))
            })
            .collect()
    }

    fn bearer(&self) -> ParsedChallenge {
        let challenges = self.challenges();
        assert_eq!(challenges.len(), 1, "one challenge in {self:?}");
        let challenge = challenges.into_iter().next().unwrap();
        assert!(
            challenge.scheme.eq_ignore_ascii_case("bearer"),
            "{challenge:?}"
        );
        check_bearer(&challenge).unwrap();
        challenge
    }
}

fn comparable(metadata: &MetadataMap) -> BTreeMap<String, Vec<String>> {
    let mut lines: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in metadata.clone().into_headers().iter() {
        if name == "date" || name == "content-type" {
            continue;
        }
        let value = value
            .to_str()
            .unwrap_or_else(|_| panic!("metadata {name} is not visible ASCII"));
        lines
            .entry(name.to_string())
            .or_default()
            .push(value.to_owned());
    }
    lines
}

struct Client {
    channel: Channel,
    runtime: tokio::runtime::Runtime,
}

impl Client {
    fn connect(address: std::net::SocketAddr) -> Client {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let channel = runtime.block_on(async {
            Endpoint::from_shared(format!("http://{address}"))
                .unwrap()
                .connect()
                .await
                .unwrap()
        });
        Client { channel, runtime }
    }

    /// Calls `/demo.<method>` with `value` and the metadata lines `headers`.
    fn call(&self, method: &str, value: Option<&str>, headers: &[(&'static str, &str)]) -> Answer {
        let mut request = tonic::Request::new(Query {
            value: value.map(str::to_owned),
        });
        for (name, line) in headers {
            request
                .metadata_mut()
                .append(*name, line.parse().expect("a metadata value"));
        }
        let path = PathAndQuery::try_from(format!("/demo.{method}")).unwrap();
        let mut grpc = tonic::client::Grpc::new(self.channel.clone());
        let result: Result<tonic::Response<Reply>, Status> = self.runtime.block_on(async {
            grpc.ready().await.unwrap();
            grpc.unary(request, path, ProstCodec::<Query, Reply>::default())
                .await
        });
        let answer = match result {
            Ok(response) => Answer::Reply(
                response.get_ref().json.clone(),
                comparable(response.metadata()),
            ),
            Err(status) => Answer::Refused {
                code: status.code(),
                message: status.message().to_owned(),
                details: status.details().to_vec(),
                metadata: comparable(status.metadata()),
            },
        };
        assert_nothing_hidden(&answer);
        answer
    }
}

fn assert_nothing_hidden(answer: &Answer) {
    let text = format!("{answer:?}");
    for part in HIDDEN_CAUSE_PARTS {
        assert!(!text.contains(part), "{part:?} reached the client: {text}");
    }
}

fn bearer(token: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {token}"))
}

#[test]
fn every_refusal_of_the_demo_maps_to_its_code_message_and_metadata() {
    let demo = Demo::start("tonic", Format::Json);
    let client = Client::connect(demo.address);
    let good = bearer("good");
    let good = [(good.0, good.1.as_str())];

    // Who is asking.
    let answer = client.call("Account/Me", None, &[]);
    let (code, message, _) = answer.refused();
    assert_eq!((code, message), (Code::Unauthenticated, DEFAULT_401));
    let challenge = answer.bearer();
    assert_eq!(challenge.param("realm"), Some("example"));
    assert_eq!(
        challenge.param("error"),
        None,
        "no credentials, no error code"
    );

    let expired = bearer("expired");
    let answer = client.call("Account/Me", None, &[(expired.0, &expired.1)]);
    assert_eq!(answer.refused().0, Code::Unauthenticated);
    let challenge = answer.bearer();
    assert_eq!(challenge.param("error"), Some("invalid_token"));
    assert_eq!(
        challenge.param("error_description"),
        Some("the token expired")
    );

    match client.call("Account/Me", None, &good) {
        Answer::Reply(json, _) => assert_eq!(json, r#"{"user":"alice"}"#),
        other => panic!("{other:?}"),
    }

    // 403s: a reason, the app's own message, a missing scope.
    let answer = client.call("Account/AdminReports", None, &good);
    let (code, message, metadata) = answer.refused();
    assert_eq!((code, message), (Code::PermissionDenied, DEFAULT_403));
    assert!(!metadata.contains_key("www-authenticate"), "{answer:?}");
    for own in [
        "Zugriff verweigert: nur für Admins ✋",
        "quotes \" and backslashes \\ and a\nnewline and 100% %41",
    ] {
        let answer = client.call("Account/AdminReports", Some(own), &good);
        assert_eq!(answer.refused().0, Code::PermissionDenied);
        assert_eq!(answer.refused().1, own, "the own message, exactly");
    }

    let answer = client.call("Account/ExportReports", None, &good);
    assert_eq!(answer.refused().0, Code::PermissionDenied);
    let challenge = answer.bearer();
    assert_eq!(challenge.param("error"), Some("insufficient_scope"));
    assert_eq!(challenge.param("scope"), Some("reports:export"));
    for scope in ["has\"quote", "line\r\nX-Injected: yes", "naïve", ""] {
        let answer = client.call("Account/ExportReports", Some(scope), &good);
        let (code, _, metadata) = answer.refused();
        assert!(
            matches!(
                code,
                Code::PermissionDenied | Code::InvalidArgument | Code::Internal
            ),
            "{scope:?}: {answer:?}"
        );
        assert!(!metadata.contains_key("x-injected"), "{answer:?}");
        // Any challenge left is well formed (the parser refuses anything else).
        answer.challenges();
    }

    // Concealment: the secret repository is the genuine NotFound, signed in or not.
    let genuine = client.call("Public/Repo", Some("nothing-here"), &good);
    let (code, message, _) = genuine.refused();
    assert_eq!((code, message), (Code::NotFound, DEFAULT_404));
    assert_eq!(client.call("Public/Repo", Some("secret"), &good), genuine);
    assert_eq!(client.call("Public/Repo", Some("secret"), &[]), genuine);

    // Hidden causes, a panic, and the server still serving.
    for method in ["Public/Boom", "Public/Panic"] {
        let answer = client.call(method, None, &[]);
        let (code, message, _) = answer.refused();
        assert_eq!((code, message), (Code::Internal, DEFAULT_500), "{method}");
        if let Answer::Refused { details, .. } = &answer {
            assert!(details.is_empty(), "{method}: no details");
        }
    }
    assert!(matches!(
        client.call("Account/Me", None, &good),
        Answer::Reply(..)
    ));

    // When to come back.
    for (after, seconds, pushback) in [(Some("0"), "0", "0"), (None, "30", "30000")] {
        let answer = client.call("Public/SlowDown", after, &[]);
        assert_eq!(answer.refused().0, Code::ResourceExhausted);
        assert_eq!(answer.one("retry-after"), Some(seconds));
        assert_eq!(answer.one("grpc-retry-pushback-ms"), Some(pushback));
    }
    let answer = client.call("Public/SlowDown", Some("soon"), &[]);
    assert_eq!(answer.refused().0, Code::InvalidArgument);
    assert_eq!(answer.one("retry-after"), None);
}

#[test]
fn the_interceptors_read_credentials_by_the_same_rules_as_the_http_extractors() {
    let demo = Demo::start("tonic", Format::Json);
    let client = Client::connect(demo.address);
    for accepted in ["bearer good", "BEARER good", "Bearer    good"] {
        let answer = client.call("Account/Me", None, &[("authorization", accepted)]);
        assert!(
            matches!(answer, Answer::Reply(..)),
            "{accepted:?}: {answer:?}"
        );
    }
    for malformed in [
        &["Bearer"][..],
        &["Bearer a b"],
        &["Bearer a,b"],
        &["Bearer good", "Bearer good"],
    ] {
        let headers: Vec<_> = malformed
            .iter()
            .map(|line| ("authorization", *line))
            .collect();
        for method in ["Account/Me", "Public/Repo"] {
            let answer = client.call(method, Some("secret"), &headers);
            assert_eq!(
                answer.refused().0,
                Code::InvalidArgument,
                "{malformed:?}: {answer:?}"
            );
            let challenge = answer.bearer();
            assert_eq!(challenge.param("realm"), Some("example"));
            assert_eq!(challenge.param("error"), Some("invalid_request"));
        }
    }
    let answer = client.call(
        "Account/Me",
        None,
        &[("authorization", "Basic dXNlcjpwYXNz")],
    );
    assert_eq!(answer.refused().0, Code::Unauthenticated);
    assert_eq!(
        answer.bearer().param("error"),
        None,
        "another scheme is no credentials"
    );
}

#[test]
fn refusals_know_their_call_id_and_language_and_concealment_holds_under_them() {
    let demo = Demo::start("tonic", Format::Json);
    let client = Client::connect(demo.address);
    let good = bearer("good");
    let id = "req-42\"\\~";
    let headers = [(good.0, good.1.as_str()), ("x-request-id", id)];

    let answer = client.call("Account/AdminReports", None, &headers);
    assert_eq!(answer.one("x-request-id"), Some(id), "{answer:?}");
    assert_eq!(answer.one("content-language"), Some("en"));
    match client.call("Account/Me", None, &headers) {
        reply @ Answer::Reply(..) => assert_eq!(reply.one("x-request-id"), Some(id)),
        other => panic!("{other:?}"),
    }
    let too_long = "x".repeat(129);
    let answer = client.call(
        "Account/AdminReports",
        None,
        &[(good.0, &good.1), ("x-request-id", &too_long)],
    );
    assert_eq!(
        answer.one("x-request-id"),
        None,
        "an id the crate ignores is not echoed"
    );

    let german = [
        (good.0, good.1.as_str()),
        ("accept-language", "de-DE, en;q=0.5"),
    ];
    let answer = client.call("Account/AdminReports", None, &german);
    assert_eq!(answer.refused().1, GERMAN_403);
    assert_eq!(answer.one("content-language"), Some("de"));
    let own = client.call("Account/AdminReports", Some("Only the owner"), &german);
    assert_eq!(
        own.refused().1,
        "Only the owner",
        "an own message is never translated"
    );
    assert_eq!(own.one("content-language"), Some("en"));

    for headers in [
        &[(good.0, good.1.as_str()), ("accept-language", "de")][..],
        &[(good.0, good.1.as_str()), ("x-request-id", "abc")],
        &[
            ("accept-language", "en;q=0.5, de;q=0.9"),
            ("x-request-id", "z"),
        ],
    ] {
        let genuine = client.call("Public/Repo", Some("nothing-here"), headers);
        let concealed = client.call("Public/Repo", Some("secret"), headers);
        assert_eq!(concealed, genuine, "{headers:?}");
        if headers
            .iter()
            .any(|(name, value)| *name == "accept-language" && value.contains("de"))
        {
            assert_eq!(genuine.refused().1, GERMAN_404);
        }
    }
}

/// Every HTTP status the crate can send maps to the gRPC code the HTTP mappings of
/// `google.rpc.Code` (google/rpc/code.proto) give it, where they give one.
#[test]
fn every_status_maps_to_the_standard_code() {
    for status in 400..=599u16 {
        let status = StatusCode::from_u16(status).unwrap();
        let code = denied::tonic::code_for(status);
        let expected = match status.as_u16() {
            400 => Some(Code::InvalidArgument),
            401 => Some(Code::Unauthenticated),
            403 => Some(Code::PermissionDenied),
            404 => Some(Code::NotFound),
            409 => Some(Code::Aborted),
            429 => Some(Code::ResourceExhausted),
            503 => Some(Code::Unavailable),
            _ => None,
        };
        match expected {
            Some(expected) => assert_eq!(code, expected, "{status}"),
            None if status.is_server_error() && status != 501 && status != 502 && status != 504 => {
                assert!(
                    matches!(code, Code::Internal | Code::Unknown),
                    "{status}: {code:?}"
                )
            }
            None => assert_ne!(code, Code::Ok, "{status}"),
        }
        // A status the general constructor refuses (a 401, say) is answered as the 500 an app
        // sends instead.
        let error = denied::ErrorStatus::try_from(status)
            .map_or_else(|_| HttpError::internal(), HttpError::new);
        let sent_as = denied::tonic::code_for(error.status());
        assert_eq!(Status::from(error).code(), sent_as, "{status}");
    }
}

/// The report hook of the app serving a call sees it: method, path, id and the hidden cause.
#[test]
fn the_report_hook_sees_the_call_with_its_hidden_cause() {
    fn boom(_call: tonic::Request<Query>) -> Result<Reply, Status> {
        Err(HttpError::internal().with_note("connection to db-primary refused (password=hunter2)"))?
    }
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let config = Config::new().report(move |report: &Report<'_>| {
        sink.lock().unwrap().push(format!(
            "{} {} {:?} {}",
            report.method().map(|method| method.as_str()).unwrap_or("-"),
            report.path().unwrap_or("-"),
            report.request_id(),
            report.error().note().unwrap_or("-"),
        ));
    });
    let layer = denied::tonic::ErrorLayer::with_config(config).unwrap();
    let (address, server) = serve(layer, &[("Boom", boom)]);
    let client = Client::connect(address);
    let answer = client.call("Public/Boom", None, &[("x-request-id", "call-7")]);
    assert_eq!(answer.refused().1, DEFAULT_500);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            r#"POST /demo.Public/Boom Some("call-7") connection to db-primary refused (password=hunter2)"#
        ]
    );
    drop(server);
}

/// Serves `handlers` as `/demo.Public/<name>` behind `layer` on a loopback port, in a thread.
fn serve(
    layer: denied::tonic::ErrorLayer,
    handlers: &'static [(&'static str, grpc::Handler)],
) -> (std::net::SocketAddr, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let server = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            tonic::transport::Server::builder()
                .layer(layer)
                .add_service(Public(handlers))
                .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener))
                .await
                .unwrap();
        });
    });
    (address, server)
}

/// Statuses a handler or an interceptor makes itself, as tonic's guide writes them: the report
/// hook sees each, its message the hidden note; `Unauthenticated` gets the app's challenge; a
/// server error's message and details never reach the client. A client error's message passes,
/// and the crate's own statuses go out as the crate made them.
#[test]
fn statuses_the_crate_did_not_make_get_its_treatment() {
    fn unauthenticated(_call: tonic::Request<Query>) -> Result<Reply, Status> {
        Err(Status::unauthenticated("No valid auth token"))
    }
    fn internal(_call: tonic::Request<Query>) -> Result<Reply, Status> {
        let leak = "pq: password authentication failed for user \"billing\" at 10.0.3.7:5432";
        Err(Status::with_details(
            Code::Internal,
            leak,
            bytes::Bytes::from_static(b"stack: db-primary"),
        ))
    }
    fn not_found(_call: tonic::Request<Query>) -> Result<Reply, Status> {
        Err(Status::not_found("order 7 is not here"))
    }
    fn own_unimplemented(_call: tonic::Request<Query>) -> Result<Reply, Status> {
        Err(HttpError::method_not_allowed([denied::http::Method::POST]))?
    }
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let config = Config::new()
        .realm("shop")
        .report(move |report: &Report<'_>| sink.lock().unwrap().push(report.to_string()));
    let layer = denied::tonic::ErrorLayer::with_config(config).unwrap();
    let (address, _server) = serve(
        layer,
        &[
            ("Unauthenticated", unauthenticated),
            ("Internal", internal),
            ("NotFound", not_found),
            ("Own", own_unimplemented),
        ],
    );
    let client = Client::connect(address);

    let unauthenticated = client.call("Public/Unauthenticated", None, &[]);
    assert_eq!(unauthenticated.refused().0, Code::Unauthenticated);
    assert_eq!(unauthenticated.refused().1, "No valid auth token");
    let challenge = unauthenticated.bearer();
    assert_eq!(
        challenge.param("realm"),
        Some("shop"),
        "{unauthenticated:?}"
    );

    let internal = client.call("Public/Internal", None, &[]);
    assert_eq!(internal.refused().0, Code::Internal);
    assert_eq!(internal.refused().1, DEFAULT_500);
    let Answer::Refused { details, .. } = &internal else {
        unreachable!()
    };
    assert!(details.is_empty(), "{internal:?}");
    assert!(
        !format!("{internal:?}").contains("10.0.3.7"),
        "{internal:?}"
    );

    let not_found = client.call("Public/NotFound", None, &[]);
    assert_eq!(not_found.refused().0, Code::NotFound);
    assert_eq!(not_found.refused().1, "order 7 is not here");

    let own = client.call("Public/Own", None, &[]);
    assert_eq!(own.refused().0, Code::Unimplemented);
    assert_eq!(
        own.refused().1,
        "This method is not allowed for this resource"
    );

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert!(
        seen[0].ends_with("401 unauthorized: tonic answered Unauthenticated: No valid auth token"),
        "{}",
        seen[0]
    );
    assert!(
        seen[1].contains("tonic answered Internal: pq: password"),
        "{}",
        seen[1]
    );
    assert!(
        seen[2].contains("tonic answered NotFound: order 7"),
        "{}",
        seen[2]
    );
    assert!(!seen[3].contains("tonic answered"), "{}", seen[3]);
}
