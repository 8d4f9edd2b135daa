//! The demo app's contract, row by row, as a client checks it: what each framework's example
//! in `examples/` (each routing to the shared rules of `examples/demo/mod.rs`) must answer. It has
//! two parts: the demo's routes (`requests`, checked by `check`), and "Every error in the
//! crate's shape" (`shape_calls`, checked by `check_shape`): the refusals a framework raises
//! itself (bad bodies, unknown ids, wrong methods, malformed `Authorization`) and a panicking
//! handler, each answered in the crate's body.

use super::{challenges_of, check_body, Demo, Format, ParsedChallenge, Reply};

const DEFAULT_401: &str = "Authentication is required to access this resource";
const DEFAULT_403: &str = "You do not have permission to access this resource";
const DEFAULT_404: &str = "The requested resource was not found";
const HIDDEN_CAUSE_PARTS: [&str; 4] = ["db-primary", "hunter2", "password", "connection to"];

/// Query-string text, percent-encoded byte by byte (everything but unreserved characters).
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Every request of the contract: (target, bearer token).
pub fn requests() -> Vec<(String, Option<&'static str>)> {
    let mut requests: Vec<(String, Option<&'static str>)> = vec![
        ("/me".into(), None),
        ("/me".into(), Some("expired")),
        ("/me".into(), Some("forged")),
        ("/me".into(), Some("good")),
        ("/admin/reports".into(), None),
        ("/admin/reports".into(), Some("expired")),
        ("/admin/reports".into(), Some("good")),
        ("/reports/export".into(), Some("good")),
        ("/repos/secret".into(), Some("good")),
        ("/repos/secret".into(), None),
        ("/repos/missing".into(), Some("good")),
        ("/anything/else".into(), None),
        ("/anything/else".into(), Some("good")),
        ("/boom".into(), None),
        ("/slow-down".into(), None),
        ("/slow-down?after=0".into(), None),
        ("/slow-down?after=120".into(), None),
    ];
    for message in MESSAGES {
        requests.push((
            format!("/admin/reports?message={}", percent_encode(message)),
            Some("good"),
        ));
    }
    for scope in VALID_SCOPES.iter().chain(&INVALID_SCOPES) {
        requests.push((
            format!("/reports/export?scope={}", percent_encode(scope)),
            Some("good"),
        ));
    }
    requests
}

const MESSAGES: [&str; 4] = [
    "Only the owner may do that",
    "Zugriff verweigert: nur für Admins ✋",
    "quotes \" and backslashes \\ and a\nnewline",
    "{\"error\":\"spoof\"}",
];
const VALID_SCOPES: [&str; 2] = ["reports:export", "reports:read reports:write"];
const INVALID_SCOPES: [&str; 6] = [
    "has\"quote",
    "back\\slash",
    "line\r\nX-Injected: yes",
    "naïve",
    "double  space",
    "",
];

/// Starts the example `name` in each body format and checks every row of the contract.
pub fn check_example(name: &str) {
    for format in Format::ALL {
        let demo = Demo::start(name, format);
        check(&demo, format);
        check_shape(&demo, format);
        check_request_context(&demo, format, name);
    }
}

/// Checks every row of the contract against `demo`, with GET and with HEAD, and gives back the
/// GET replies for comparison between frameworks.
pub fn check(demo: &Demo, format: Format) -> Vec<((String, Option<&'static str>), Reply)> {
    let mut replies = Vec::new();
    for (target, token) in requests() {
        let reply = demo.get(&target, token);
        check_row(demo, format, &target, token, &reply);
        check_head(demo, &target, token, &reply);
        check_nothing_hidden_leaks(&reply);
        replies.push(((target, token), reply));
    }
    check_concealment(demo);
    replies
}

fn check_row(demo: &Demo, format: Format, target: &str, token: Option<&str>, reply: &Reply) {
    let context = format!("GET {target} with token {token:?}: {reply:?}");
    let path = target.split('?').next().unwrap_or(target);
    let query_value = target.split_once('=').map(|(_, value)| value);
    match (path, token) {
        ("/me" | "/admin/reports", None) => {
            assert_eq!(reply.status, 401, "{context}");
            let challenge = the_bearer_challenge(reply, &context);
            assert_eq!(
                challenge.param("error"),
                None,
                "no credentials, no error code"
            );
            assert_eq!(check_body(reply, format), DEFAULT_401, "{context}");
        }
        ("/me" | "/admin/reports", Some("expired" | "forged")) => {
            assert_eq!(reply.status, 401, "{context}");
            let challenge = the_bearer_challenge(reply, &context);
            assert_eq!(challenge.param("error"), Some("invalid_token"), "{context}");
            assert!(challenge.param("error_description").is_some(), "{context}");
            check_body(reply, format);
        }
        ("/me", Some("good")) => {
            assert_eq!(reply.status, 200, "{context}");
            assert_eq!(reply.json(), serde_json::json!({ "user": "alice" }));
        }
        ("/admin/reports", Some("good")) => {
            assert_eq!(reply.status, 403, "{context}");
            assert_eq!(reply.headers_named("www-authenticate").count(), 0);
            let expected = match query_value {
                None => DEFAULT_403.to_owned(),
                Some(_) => MESSAGES
                    .iter()
                    .find(|message| target.ends_with(&percent_encode(message)))
                    .expect("a message the contract sent")
                    .to_string(),
            };
            assert_eq!(check_body(reply, format), expected, "{context}");
        }
        ("/reports/export", Some("good")) => check_export(format, query_value, reply, &context),
        ("/repos/secret" | "/repos/missing" | "/anything/else", _) => {
            assert_eq!(reply.status, 404, "{context}");
            assert_eq!(check_body(reply, format), DEFAULT_404, "{context}");
        }
        ("/boom", _) => {
            assert_eq!(reply.status, 500, "{context}");
            check_body(reply, format);
        }
        ("/slow-down", _) => {
            assert_eq!(reply.status, 429, "{context}");
            let expected = query_value.unwrap_or("30");
            assert_eq!(reply.header("retry-after"), Some(expected), "{context}");
            check_body(reply, format);
        }
        _ => panic!("no contract row for {context}"),
    }
    // The server keeps serving whatever it was sent.
    assert_eq!(demo.get("/me", Some("good")).status, 200, "after {context}");
}

/// The one `Bearer realm="example"` challenge a reply must carry.
fn the_bearer_challenge(reply: &Reply, context: &str) -> ParsedChallenge {
    let mut challenges = challenges_of(reply);
    assert_eq!(challenges.len(), 1, "{context}");
    let challenge = challenges.remove(0);
    assert_eq!(challenge.scheme, "Bearer", "{context}");
    assert_eq!(
        challenge.params.get("realm"),
        Some(&("example".to_owned(), true)),
        "the realm is a quoted-string: {context}"
    );
    challenge
}

fn check_export(format: Format, query_value: Option<&str>, reply: &Reply, context: &str) {
    let scope = match query_value {
        None => "reports:export".to_owned(),
        Some(encoded) => VALID_SCOPES
            .iter()
            .chain(INVALID_SCOPES.iter())
            .find(|scope| percent_encode(scope) == encoded)
            .expect("a scope the contract sent")
            .to_string(),
    };
    check_body(reply, format);
    let challenges = challenges_of(reply);
    if VALID_SCOPES.contains(&scope.as_str()) || query_value.is_none() {
        assert_eq!(reply.status, 403, "{context}");
        let challenge = the_bearer_challenge(reply, context);
        assert_eq!(challenge.param("error"), Some("insufficient_scope"));
        assert_eq!(challenge.param("scope"), Some(scope.as_str()), "{context}");
    } else {
        assert!(matches!(reply.status, 400 | 403), "{context}");
        // A scope RFC 6750 cannot carry is never in the header, raw or otherwise.
        for challenge in &challenges {
            assert_ne!(challenge.param("scope"), Some(scope.as_str()), "{context}");
        }
        assert!(reply.headers.iter().all(|(name, _)| name != "x-injected"));
    }
}

fn check_head(demo: &Demo, target: &str, token: Option<&str>, get: &Reply) {
    let head = demo.send("HEAD", target, token);
    assert_eq!(head.status, get.status, "HEAD {target}");
    assert_eq!(
        head.comparable_headers(),
        get.comparable_headers(),
        "HEAD {target}"
    );
    assert!(head.body.is_empty());
}

fn check_nothing_hidden_leaks(reply: &Reply) {
    let body = String::from_utf8_lossy(&reply.body);
    for part in HIDDEN_CAUSE_PARTS {
        assert!(!body.contains(part), "{part:?} leaked into the body {body}");
        for (name, value) in &reply.headers {
            assert!(!value.contains(part), "{part:?} leaked into header {name}");
        }
    }
}

/// The concealed 404 is byte for byte the app's genuine 404, Date aside, and but for the
/// path a problem's `instance` repeats.
fn check_concealment(demo: &Demo) {
    let genuine = demo
        .get("/anything/else", Some("good"))
        .without_instance_of("/anything/else");
    for (target, token) in [
        ("/repos/secret", Some("good")),
        ("/repos/secret", None),
        ("/repos/missing", Some("good")),
    ] {
        demo.get(target, token)
            .without_instance_of(target)
            .assert_same_as(&genuine, &format!("{target} {token:?}"));
    }
}

/// One request of the contract's part "Every error in the crate's shape".
#[derive(Debug, Clone)]
pub struct Call {
    pub method: &'static str,
    pub target: String,
    pub headers: Vec<(&'static str, Vec<u8>)>,
    pub body: Option<Vec<u8>>,
    pub expect: Expect,
}

/// What a row of that part answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// A success with exactly this JSON body.
    Success(u16, serde_json::Value),
    /// An error of this status with the crate's default sentence for it.
    Error(u16),
    /// 401 with a bare `Bearer realm="example"`.
    NoCredentials,
    /// 400 with `Bearer realm="example", error="invalid_request"`.
    InvalidRequest,
    /// 405 with exactly these methods in `Allow`.
    MethodNotAllowed(&'static [&'static str]),
    /// Byte for byte the app's genuine 404.
    Genuine404,
}

const ORDER: &str = r#"{"item":"book","quantity":2}"#;
const JSON: (&str, &[u8]) = ("Content-Type", b"application/json");

fn call(method: &'static str, target: &str, token: Option<&str>, expect: Expect) -> Call {
    let headers = token
        .map(|token| ("Authorization", format!("Bearer {token}").into_bytes()))
        .into_iter()
        .collect();
    Call {
        method,
        target: target.to_owned(),
        headers,
        body: None,
        expect,
    }
}

fn post_order(
    token: Option<&str>,
    content_type: Option<&[u8]>,
    body: &[u8],
    expect: Expect,
) -> Call {
    let mut call = call("POST", "/orders", token, expect);
    if let Some(content_type) = content_type {
        call.headers.push(("Content-Type", content_type.to_vec()));
    }
    call.body = Some(body.to_vec());
    call
}

fn with_authorization(values: &[&[u8]], expect: Expect) -> Call {
    let mut call = call("GET", "/me", None, expect);
    call.headers = values
        .iter()
        .map(|value| ("Authorization", value.to_vec()))
        .collect();
    call
}

/// Every request of the contract's part "Every error in the crate's shape".
pub fn shape_calls() -> Vec<Call> {
    let order = serde_json::json!({ "item": "book", "quantity": 2 });
    let stored = serde_json::json!({ "id": 1, "item": "book", "quantity": 2 });
    let too_long = format!(r#"{{"item":"{}","quantity":2}}"#, "a".repeat(5000)).into_bytes();
    let json = Some(JSON.1);
    let mut calls = vec![
        post_order(
            Some("good"),
            json,
            ORDER.as_bytes(),
            Expect::Success(201, order),
        ),
        post_order(None, json, ORDER.as_bytes(), Expect::NoCredentials),
        post_order(None, Some(b"text/plain"), b"{", Expect::NoCredentials),
        post_order(Some("expired"), json, b"{", Expect::Error(401)),
        post_order(Some("good"), json, br#"{"item":"#, Expect::Error(400)),
        post_order(Some("good"), json, br#"{"item":1}"#, Expect::Error(422)),
        post_order(
            Some("good"),
            json,
            br#"{"item":"book"}"#,
            Expect::Error(422),
        ),
        post_order(Some("good"), None, ORDER.as_bytes(), Expect::Error(415)),
        post_order(
            Some("good"),
            Some(b"text/plain"),
            ORDER.as_bytes(),
            Expect::Error(415),
        ),
        post_order(Some("good"), json, &too_long, Expect::Error(413)),
        // Wrong in several ways: the first failing check answers.
        post_order(None, Some(b"text/plain"), &too_long, Expect::NoCredentials),
        post_order(
            Some("good"),
            Some(b"text/plain"),
            &too_long,
            Expect::Error(415),
        ),
        post_order(
            Some("good"),
            json,
            &[b"{".as_slice(), &too_long].concat(),
            Expect::Error(413),
        ),
        post_order(Some("good"), json, br#"{"item":1"#, Expect::Error(400)),
        call(
            "GET",
            "/orders/1",
            Some("good"),
            Expect::Success(200, stored),
        ),
        call("GET", "/orders/1", None, Expect::NoCredentials),
        call("GET", "/panic", None, Expect::Error(500)),
        call("GET", "/panic", Some("good"), Expect::Error(500)),
    ];
    for id in ["0", "2", "4294967295"] {
        calls.push(call(
            "GET",
            &format!("/orders/{id}"),
            Some("good"),
            Expect::Genuine404,
        ));
    }
    for id in ["abc", "-1", "99999999999", "1.5"] {
        calls.push(call(
            "GET",
            &format!("/orders/{id}"),
            Some("good"),
            Expect::Error(400),
        ));
    }
    const GET_HEAD: &[&str] = &["GET", "HEAD"];
    for token in [None, Some("good")] {
        for (method, target, allowed) in [
            ("DELETE", "/me", GET_HEAD),
            ("POST", "/me", GET_HEAD),
            ("GET", "/orders", &["POST"][..]),
            ("HEAD", "/orders", &["POST"][..]),
            ("PUT", "/orders/1", GET_HEAD),
            ("DELETE", "/orders/1", GET_HEAD),
        ] {
            calls.push(call(
                method,
                target,
                token,
                Expect::MethodNotAllowed(allowed),
            ));
        }
    }
    let me = serde_json::json!({ "user": "alice" });
    for value in [
        &b"bearer good"[..],
        b"BEARER good",
        b"Bearer   good",
        b"bEaReR good",
    ] {
        calls.push(with_authorization(
            &[value],
            Expect::Success(200, me.clone()),
        ));
    }
    for value in [
        &b"Bearer"[..],
        b"Bearer ",
        b"Bearer a b",
        b"Bearer a,b",
        b"Bearer caf\xc3\xa9",
        b"Bearer a\"b",
    ] {
        calls.push(with_authorization(&[value], Expect::InvalidRequest));
    }
    calls.push(with_authorization(
        &[b"Bearer good", b"Bearer good"],
        Expect::InvalidRequest,
    ));
    for value in [&b"Basic dXNlcjpwYXNz"[..], b"Digest x", b"Bearerx good"] {
        calls.push(with_authorization(&[value], Expect::NoCredentials));
    }
    calls
}

/// The crate's sentence for each status this part expects, written out here.
fn sentence(status: u16) -> &'static str {
    match status {
        400 => "The request is invalid",
        401 => DEFAULT_401,
        404 => DEFAULT_404,
        405 => "This method is not allowed for this resource",
        413 => "The request body is too large",
        415 => "The media type of the request body is not supported",
        422 => "The request is well-formed but cannot be processed",
        500 => "An internal error occurred",
        other => panic!("no sentence written out for {other}"),
    }
}

impl Demo {
    /// Sends `call` and reads the reply.
    pub fn call(&self, call: &Call) -> Reply {
        let headers: Vec<(&str, &[u8])> = call
            .headers
            .iter()
            .map(|(name, value)| (*name, value.as_slice()))
            .collect();
        super::request_with_body(
            self.address,
            call.method,
            &call.target,
            &headers,
            call.body.as_deref(),
        )
    }
}

/// Checks every row of "Every error in the crate's shape" against `demo`, and gives back the
/// replies for comparison between frameworks.
pub fn check_shape(demo: &Demo, format: Format) -> Vec<(Call, Reply)> {
    let genuine_404 = demo
        .get("/anything/else", Some("good"))
        .without_instance_of("/anything/else");
    let mut replies = Vec::new();
    for call in shape_calls() {
        let reply = demo.call(&call);
        let context = format!("{call:?}: {reply:?}");
        match &call.expect {
            Expect::Success(status, body) => {
                assert_eq!(reply.status, *status, "{context}");
                assert_eq!(&reply.json(), body, "{context}");
            }
            Expect::Error(status) => {
                assert_eq!(reply.status, *status, "{context}");
                assert_eq!(check_body(&reply, format), sentence(*status), "{context}");
                if *status == 401 {
                    assert!(!challenges_of(&reply).is_empty(), "{context}");
                }
            }
            Expect::NoCredentials => {
                assert_eq!(reply.status, 401, "{context}");
                let challenge = the_bearer_challenge(&reply, &context);
                assert_eq!(challenge.param("error"), None, "{context}");
                assert_eq!(challenge.params.len(), 1, "{context}");
                assert_eq!(check_body(&reply, format), DEFAULT_401, "{context}");
            }
            Expect::InvalidRequest => {
                assert_eq!(reply.status, 400, "{context}");
                let challenge = the_bearer_challenge(&reply, &context);
                assert_eq!(
                    challenge.param("error"),
                    Some("invalid_request"),
                    "{context}"
                );
                assert_eq!(check_body(&reply, format), sentence(400), "{context}");
            }
            Expect::MethodNotAllowed(allowed) => {
                assert_eq!(reply.status, 405, "{context}");
                let allow = reply.header("allow").expect("a 405 carries Allow");
                let mut listed: Vec<&str> = allow
                    .split(',')
                    .map(|method| method.trim_matches([' ', '\t']))
                    .filter(|method| !method.is_empty())
                    .collect();
                listed.sort_unstable();
                let mut expected = allowed.to_vec();
                expected.sort_unstable();
                assert_eq!(listed, expected, "{context}");
                if call.method != "HEAD" {
                    assert_eq!(check_body(&reply, format), sentence(405), "{context}");
                }
            }
            Expect::Genuine404 => reply
                .without_instance_of(&call.target)
                .assert_same_as(&genuine_404, &context),
        }
        if reply.status >= 400 && call.method != "HEAD" {
            assert!(!reply.body.is_empty(), "an error with no body: {context}");
        }
        check_nothing_hidden_leaks(&reply);
        if call.method == "GET" {
            let head = Call {
                method: "HEAD",
                ..call.clone()
            };
            let head_reply = demo.call(&head);
            assert_eq!(head_reply.status, reply.status, "HEAD {context}");
            assert_eq!(
                head_reply.comparable_headers(),
                reply.comparable_headers(),
                "HEAD {context}"
            );
        }
        // The app keeps serving, whatever it was sent.
        assert_eq!(demo.get("/me", Some("good")).status, 200, "after {context}");
        replies.push((call, reply));
    }
    replies
}

const GERMAN_401: &str = "Für diese Ressource ist eine Anmeldung erforderlich";
const GERMAN_403: &str = "Sie haben keine Berechtigung für diese Ressource";
const GERMAN_404: &str = "Die angeforderte Ressource wurde nicht gefunden";

/// Error requests of the contract, each with the sentence it gets in English and in German.
const CONTEXT_ERRORS: [(&str, Option<&str>, &str, &str); 4] = [
    ("/me", None, DEFAULT_401, GERMAN_401),
    ("/admin/reports", Some("good"), DEFAULT_403, GERMAN_403),
    ("/anything/else", None, DEFAULT_404, GERMAN_404),
    ("/repos/secret", Some("good"), DEFAULT_404, GERMAN_404),
];

impl Demo {
    /// `GET target` with the bearer `token` and `headers`.
    pub fn get_with(&self, target: &str, token: Option<&str>, headers: &[(&str, &[u8])]) -> Reply {
        let authorization = token.map(|token| format!("Bearer {token}").into_bytes());
        let mut all: Vec<(&str, &[u8])> = authorization
            .iter()
            .map(|value| ("Authorization", value.as_slice()))
            .collect();
        all.extend_from_slice(headers);
        super::request_with_body(self.address, "GET", target, &all, None)
    }
}

/// A member of a body, as a client reads it.
fn member(body: &serde_json::Value, name: &str) -> Option<serde_json::Value> {
    body.as_object().expect("a JSON object").get(name).cloned()
}

/// Both `Vary` names every error response carries, on one line or two.
fn check_vary(reply: &Reply, context: &str) {
    let named: Vec<String> = reply
        .headers_named("vary")
        .flat_map(|line| line.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    for name in ["accept", "accept-language"] {
        assert!(
            named.iter().any(|known| known == name),
            "Vary {name}: {context}"
        );
    }
}

/// Section "Request context": request id, instance, type, the 429's member, negotiation,
/// language, and concealment under all of them.
pub fn check_request_context(demo: &Demo, format: Format, example: &str) {
    check_request_ids(demo, format);
    check_problem_members(demo, format, example);
    check_negotiation(demo, format);
    check_languages(demo, format);
    check_concealment_with_headers(demo);
}

fn check_request_ids(demo: &Demo, format: Format) {
    let valid_ids: [&[u8]; 4] = [b"req-7f3a", br#"a"quoted\id"#, &[b'~'; 128], b"!"];
    for id in valid_ids {
        let id_text = std::str::from_utf8(id).unwrap();
        let success = demo.get_with("/me", Some("good"), &[("X-Request-Id", id)]);
        assert_eq!(success.status, 200);
        assert_eq!(
            success.header("x-request-id"),
            Some(id_text),
            "echoed on a success"
        );
        for (target, token, _, _) in CONTEXT_ERRORS {
            let reply = demo.get_with(target, token, &[("X-Request-Id", id)]);
            let context = format!("{target} with id {id_text}: {reply:?}");
            check_body(&reply, format);
            assert_eq!(reply.headers_named("x-request-id").count(), 1, "{context}");
            assert_eq!(reply.header("x-request-id"), Some(id_text), "{context}");
            assert_eq!(
                member(&reply.json(), "request_id"),
                Some(serde_json::Value::from(id_text)),
                "{context}"
            );
        }
    }
    let invalid_ids: [&[u8]; 5] = [b"", &[b'x'; 129], b"a b", b"caf\xc3\xa9", b"a\tb"];
    for id in invalid_ids {
        for (target, token) in [
            ("/me", Some("good")),
            ("/me", None),
            ("/admin/reports", Some("good")),
        ] {
            let reply = demo.get_with(target, token, &[("X-Request-Id", id)]);
            let context = format!("{target} with id {id:?}: {reply:?}");
            assert_eq!(reply.header("x-request-id"), None, "{context}");
            if reply.status >= 400 {
                assert_eq!(member(&reply.json(), "request_id"), None, "{context}");
            }
        }
    }
    let twice = demo.get_with(
        "/me",
        None,
        &[("X-Request-Id", b"one"), ("X-Request-Id", b"two")],
    );
    assert_eq!(
        twice.header("x-request-id"),
        None,
        "two ids are no id: {twice:?}"
    );
    assert_eq!(member(&twice.json(), "request_id"), None);
}

fn check_problem_members(demo: &Demo, format: Format, example: &str) {
    for (target, token, path) in [
        (
            "/admin/reports?message=Hallo",
            Some("good"),
            "/admin/reports",
        ),
        ("/anything/%C3%A4%20x?y=1", None, "/anything/%C3%A4%20x"),
        // Always a path-absolute URI reference: a path that would name another host is
        // written `/.//` (raw UTF-8 below).
        ("//evil.example/phish", None, "/.//evil.example/phish"),
        ("/me", None, "/me"),
        ("/orders/abc", Some("good"), "/orders/abc"),
    ] {
        let reply = demo.get_with(target, token, &[]);
        let context = format!("{target}: {reply:?}");
        check_body(&reply, format);
        let expected = match format {
            Format::Problem => Some(serde_json::Value::from(path)),
            Format::Json => None,
        };
        assert_eq!(member(&reply.json(), "instance"), expected, "{context}");
    }
    // Raw UTF-8 in the path is percent-encoded as UTF-8. actix-http's parser refuses such a
    // request target with an empty 400 of its own before any app code runs, where no
    // middleware can reach it: that is what actix-web sends, and nothing of the crate's.
    let raw = demo.get_with("/anything/caf\u{e9}/x", None, &[]);
    if example == "actix-web" {
        assert_eq!((raw.status, raw.body.len()), (400, 0), "{raw:?}");
    } else {
        check_body(&raw, format);
        let expected = match format {
            Format::Problem => Some(serde_json::Value::from("/anything/caf%C3%A9/x")),
            Format::Json => None,
        };
        assert_eq!(member(&raw.json(), "instance"), expected, "{raw:?}");
    }
    if format == Format::Problem {
        let reply = demo.get_with("/admin/reports", Some("good"), &[]);
        let body = reply.json();
        assert_eq!(
            member(&body, "type"),
            Some(serde_json::Value::from(
                "https://example.com/problems/missing_role"
            ))
        );
        assert_eq!(
            member(&body, "title"),
            Some(serde_json::Value::from("Forbidden"))
        );
        let reply = demo.get_with("/me", None, &[]);
        let no_reason = member(&reply.json(), "type");
        assert!(
            no_reason.is_none() || no_reason == Some(serde_json::Value::from("about:blank")),
            "{reply:?}"
        );
    }
    for (target, after) in [
        ("/slow-down?after=0", 0),
        ("/slow-down?after=120", 120),
        ("/slow-down", 30),
    ] {
        let reply = demo.get_with(target, None, &[]);
        assert_eq!(reply.status, 429);
        assert_eq!(
            member(&reply.json(), "retry_after"),
            Some(serde_json::Value::from(after)),
            "{reply:?}"
        );
    }
}

fn check_negotiation(demo: &Demo, format: Format) {
    let cases: [(&[u8], Format); 8] = [
        (b"application/json", Format::Json),
        (b"application/problem+json", Format::Problem),
        (
            b"application/json;q=0.5, application/problem+json",
            Format::Problem,
        ),
        (
            b"application/problem+json;q=0.2, application/json;q=0.3",
            Format::Json,
        ),
        (b"*/*", format),
        (b"application/*", format),
        (b"application/json, application/problem+json", format),
        (b"text/html", format),
    ];
    for (accept, expected) in cases {
        for (target, token, english, _) in CONTEXT_ERRORS {
            let reply = demo.get_with(target, token, &[("Accept", accept)]);
            let context = format!(
                "{target} with Accept {:?}: {reply:?}",
                String::from_utf8_lossy(accept)
            );
            assert_eq!(check_body(&reply, expected), english, "{context}");
            check_vary(&reply, &context);
        }
    }
    // Several Accept lines make one list.
    let reply = demo.get_with(
        "/me",
        None,
        &[
            ("Accept", b"application/json;q=0.1"),
            ("Accept", b"application/problem+json"),
        ],
    );
    check_body(&reply, Format::Problem);
}

fn check_languages(demo: &Demo, format: Format) {
    let german: [&[u8]; 4] = [b"de", b"de-DE", b"en;q=0.5, de;q=0.9", b"fr, de;q=0.5"];
    let english: [&[u8]; 6] = [b"en", b"fr", b"*", b"de;q=0, en;q=0.1", b"de;q=2", b""];
    let cases = german
        .iter()
        .map(|value| (*value, true))
        .chain(english.iter().map(|value| (*value, false)));
    for (accept_language, in_german) in cases {
        for (target, token, english_sentence, german_sentence) in CONTEXT_ERRORS {
            let headers: &[(&str, &[u8])] = if accept_language.is_empty() {
                &[]
            } else {
                &[("Accept-Language", accept_language)]
            };
            let reply = demo.get_with(target, token, headers);
            let context = format!(
                "{target} with Accept-Language {:?}: {reply:?}",
                String::from_utf8_lossy(accept_language)
            );
            let (sentence, tag) = if in_german {
                (german_sentence, "de")
            } else {
                (english_sentence, "en")
            };
            assert_eq!(check_body(&reply, format), sentence, "{context}");
            assert_eq!(reply.header("content-language"), Some(tag), "{context}");
            check_vary(&reply, &context);
        }
    }
    // An error's own message is never translated; a status without a German sentence stays
    // English and says so.
    let reply = demo.get_with(
        "/admin/reports?message=Only%20admins",
        Some("good"),
        &[("Accept-Language", b"de")],
    );
    assert_eq!(check_body(&reply, format), "Only admins");
    assert_eq!(reply.header("content-language"), Some("en"), "{reply:?}");
    let reply = demo.get_with("/boom", None, &[("Accept-Language", b"de")]);
    assert_eq!(check_body(&reply, format), "An internal error occurred");
    assert_eq!(reply.header("content-language"), Some("en"));
}

fn check_concealment_with_headers(demo: &Demo) {
    let header_sets: [&[(&str, &[u8])]; 4] = [
        &[("X-Request-Id", b"conceal-1")],
        &[
            ("Accept", b"application/problem+json"),
            ("Accept-Language", b"de"),
        ],
        &[("Accept", b"application/json"), ("Accept-Language", b"en")],
        &[("X-Request-Id", b"c2"), ("Accept-Language", b"de-AT")],
    ];
    for headers in header_sets {
        // The router's own 404, answered by the fallback (or the layer), not by a handler.
        let genuine = demo
            .get_with("/anything/else", Some("good"), headers)
            .without_instance_of("/anything/else");
        let context = format!("{headers:?}");
        for (target, token) in [
            ("/repos/secret", Some("good")),
            ("/repos/secret", None),
            ("/repos/missing", Some("good")),
        ] {
            demo.get_with(target, token, headers)
                .without_instance_of(target)
                .assert_same_as(&genuine, &context);
        }
    }
}
