//! The demo contract (`shared/demo-contract.md`), row by row, as a client checks it.

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
        check(&Demo::start(name, format), format);
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

/// The concealed 404 is byte for byte the app's genuine 404, Date aside.
fn check_concealment(demo: &Demo) {
    let genuine = demo.get("/anything/else", Some("good"));
    for (target, token) in [
        ("/repos/secret", Some("good")),
        ("/repos/secret", None),
        ("/repos/missing", Some("good")),
    ] {
        demo.get(target, token)
            .assert_same_as(&genuine, &format!("{target} {token:?}"));
    }
}
