//! Test-side tools that share no code with the crate: a raw HTTP/1.1 client over std sockets
//! (responses parsed by httparse), an RFC 9110 challenge parser, and the demo app runner.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub mod contract;

/// Every HTTP framework's demo example, axum (the reference the others are compared with)
/// first.
pub const HTTP_FRAMEWORKS: [&str; 7] = [
    "axum",
    "actix-web",
    "warp",
    "tower",
    "poem",
    "salvo",
    "rocket",
];

/// A response as a client sees it on the wire.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    /// Every header line in order, names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

impl Reply {
    pub fn header<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        let mut values = self.headers_named(name);
        let first = values.next();
        assert!(values.next().is_none(), "more than one {name} header");
        first
    }

    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(known, _)| known == name)
            .map(|(_, value)| value.as_str())
    }

    /// The headers a client could compare between two responses: all but `Date`.
    pub fn comparable_headers(&self) -> Vec<(String, String)> {
        let mut headers: Vec<_> = self
            .headers
            .iter()
            .filter(|(name, _)| name != "date")
            .cloned()
            .collect();
        headers.sort();
        headers
    }

    /// The reply as a concealment check compares it: a problem's `instance` names the path
    /// the client asked for, which the client knows already, so it is blanked in the body
    /// bytes and `Content-Length` follows. Everything else stays as sent.
    pub fn without_instance(&self) -> Reply {
        self.blank_instance(None)
    }

    /// [`without_instance`](Self::without_instance), after checking that a problem's
    /// `instance` is `path`, the path the client asked for.
    pub fn without_instance_of(&self, path: &str) -> Reply {
        self.blank_instance(Some(path))
    }

    fn blank_instance(&self, expected: Option<&str>) -> Reply {
        let Ok(serde_json::Value::Object(object)) = serde_json::from_slice(&self.body) else {
            return self.clone();
        };
        let Some(serde_json::Value::String(instance)) = object.get("instance") else {
            return self.clone();
        };
        if let Some(expected) = expected {
            assert_eq!(
                instance, expected,
                "the instance is the path asked for: {self:?}"
            );
        }
        let member = format!(r#""instance":{}"#, serde_json::to_string(instance).unwrap());
        let text = String::from_utf8(self.body.clone()).expect("a JSON body is UTF-8");
        assert_eq!(
            text.matches(&member).count(),
            1,
            "one instance member in {text}"
        );
        let body = text.replacen(&member, r#""instance":"""#, 1).into_bytes();
        let headers = self
            .headers
            .iter()
            .map(|(name, value)| match name.as_str() {
                "content-length" => (name.clone(), body.len().to_string()),
                _ => (name.clone(), value.clone()),
            })
            .collect();
        Reply {
            status: self.status,
            headers,
            body,
        }
    }

    /// Asserts that a client could not tell the two replies apart: same status, same headers
    /// (`Date` aside), same body bytes.
    pub fn assert_same_as(&self, other: &Reply, context: &str) {
        assert_eq!(self.status, other.status, "status: {context}");
        assert_eq!(
            self.comparable_headers(),
            other.comparable_headers(),
            "headers: {context}"
        );
        assert_eq!(self.body, other.body, "body: {context}");
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!(
                "body is not JSON ({error}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// Sends one request over a fresh loopback connection and reads the whole response.
pub fn request(address: SocketAddr, method: &str, target: &str, headers: &[(&str, &str)]) -> Reply {
    let headers: Vec<(&str, &[u8])> = headers
        .iter()
        .map(|(name, value)| (*name, value.as_bytes()))
        .collect();
    request_with_body(address, method, target, &headers, None)
}

/// Sends one request, with header values as raw bytes (so that non-ASCII can be sent) and an
/// optional body with its `Content-Length`, and reads the whole response.
pub fn request_with_body(
    address: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &[u8])],
    body: Option<&[u8]>,
) -> Reply {
    let mut stream = TcpStream::connect(address).expect("connect to the demo app");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set a read timeout");
    let mut head =
        format!("{method} {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n")
            .into_bytes();
    for (name, value) in headers {
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value);
        head.extend_from_slice(b"\r\n");
    }
    if let Some(body) = body {
        head.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    head.extend_from_slice(body.unwrap_or_default());
    // A server may answer before it has read a body it refuses, and close: that is its answer.
    let _ = stream.write_all(&head);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse_response(&raw, method == "HEAD")
}

fn parse_response(raw: &[u8], is_head: bool) -> Reply {
    let mut header_storage = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut header_storage);
    let head_len = match response
        .parse(raw)
        .expect("a well-formed HTTP/1.1 response head")
    {
        httparse::Status::Complete(len) => len,
        httparse::Status::Partial => panic!("the response head is incomplete"),
    };
    let status = response.code.expect("a status code");
    let headers: Vec<(String, String)> = response
        .headers
        .iter()
        .map(|header| {
            let value = std::str::from_utf8(header.value)
                .unwrap_or_else(|_| panic!("header {} is not ASCII/UTF-8", header.name));
            (header.name.to_ascii_lowercase(), value.to_owned())
        })
        .collect();
    let rest = &raw[head_len..];
    let chunked = headers
        .iter()
        .any(|(name, value)| name == "transfer-encoding" && value.contains("chunked"));
    let body = if is_head {
        assert!(
            rest.is_empty(),
            "a HEAD response carried {} body bytes",
            rest.len()
        );
        Vec::new()
    } else if chunked {
        decode_chunked(rest)
    } else {
        if let Some((_, length)) = headers.iter().find(|(name, _)| name == "content-length") {
            let length: usize = length.parse().expect("a numeric content-length");
            assert_eq!(rest.len(), length, "content-length disagrees with the body");
        }
        rest.to_vec()
    };
    Reply {
        status,
        headers,
        body,
    }
}

fn decode_chunked(mut rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line_end = rest
            .windows(2)
            .position(|pair| pair == b"\r\n")
            .expect("a chunk size line");
        let size_text = std::str::from_utf8(&rest[..line_end]).expect("an ASCII chunk size");
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .expect("a hex chunk size");
        rest = &rest[line_end + 2..];
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

/// One challenge of a `WWW-Authenticate` header, parsed by RFC 9110 §11.2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedChallenge {
    pub scheme: String,
    pub token68: Option<String>,
    /// Parameter names lower-cased, values unescaped, with whether they were quoted.
    pub params: BTreeMap<String, (String, bool)>,
}

impl ParsedChallenge {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(|(value, _)| value.as_str())
    }
}

fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// Parses a whole `WWW-Authenticate` field value into its challenges, refusing anything the
/// grammar does not allow, a control character, or a repeated parameter name.
pub fn parse_challenges(value: &str) -> Result<Vec<ParsedChallenge>, String> {
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(format!("control character in {value:?}"));
    }
    let chars: Vec<char> = value.chars().collect();
    let mut at = 0;
    let mut challenges = Vec::new();
    let skip_ows = |at: &mut usize| {
        while *at < chars.len() && (chars[*at] == ' ' || chars[*at] == '\t') {
            *at += 1;
        }
    };
    let token = |at: &mut usize| -> String {
        let start = *at;
        while *at < chars.len() && is_tchar(chars[*at]) {
            *at += 1;
        }
        chars[start..*at].iter().collect()
    };
    loop {
        skip_ows(&mut at);
        while at < chars.len() && chars[at] == ',' {
            at += 1;
            skip_ows(&mut at);
        }
        if at >= chars.len() {
            break;
        }
        let scheme = token(&mut at);
        if scheme.is_empty() {
            return Err(format!("expected an auth-scheme at {at} in {value:?}"));
        }
        let mut challenge = ParsedChallenge {
            scheme,
            token68: None,
            params: BTreeMap::new(),
        };
        // 1*SP, then token68 or auth-params, or nothing.
        let spaces_start = at;
        while at < chars.len() && chars[at] == ' ' {
            at += 1;
        }
        let had_space = at > spaces_start;
        if had_space && at < chars.len() && chars[at] != ',' {
            // token68 if what follows is token68 chars then '=' padding, then end or ','.
            let start = at;
            let mut probe = at;
            while probe < chars.len()
                && (chars[probe].is_ascii_alphanumeric() || "-._~+/".contains(chars[probe]))
            {
                probe += 1;
            }
            let body_end = probe;
            while probe < chars.len() && chars[probe] == '=' {
                probe += 1;
            }
            let mut after = probe;
            while after < chars.len() && (chars[after] == ' ' || chars[after] == '\t') {
                after += 1;
            }
            // token68 is its characters, then '=' padding, then the end or a comma.
            if body_end > start && (after >= chars.len() || chars[after] == ',') {
                challenge.token68 = Some(chars[start..probe].iter().collect());
                at = after;
            } else {
                // auth-params, comma separated, until a token followed by SP (next challenge).
                loop {
                    skip_ows(&mut at);
                    let name_start = at;
                    let name = token(&mut at);
                    if name.is_empty() {
                        return Err(format!("expected a parameter name at {at} in {value:?}"));
                    }
                    let mut after_name = at;
                    while after_name < chars.len()
                        && (chars[after_name] == ' ' || chars[after_name] == '\t')
                    {
                        after_name += 1;
                    }
                    if after_name >= chars.len() || chars[after_name] != '=' {
                        // Not a parameter: the next challenge's scheme.
                        at = name_start;
                        break;
                    }
                    at = after_name + 1;
                    skip_ows(&mut at);
                    let (param_value, quoted) = if at < chars.len() && chars[at] == '"' {
                        at += 1;
                        let mut text = String::new();
                        loop {
                            match chars.get(at) {
                                None => {
                                    return Err(format!("unterminated quoted-string in {value:?}"))
                                }
                                Some('"') => {
                                    at += 1;
                                    break;
                                }
                                Some('\\') => {
                                    let escaped = chars
                                        .get(at + 1)
                                        .ok_or_else(|| format!("dangling escape in {value:?}"))?;
                                    text.push(*escaped);
                                    at += 2;
                                }
                                Some(c) => {
                                    text.push(*c);
                                    at += 1;
                                }
                            }
                        }
                        (text, true)
                    } else {
                        let text = token(&mut at);
                        if text.is_empty() {
                            return Err(format!("expected a parameter value at {at} in {value:?}"));
                        }
                        (text, false)
                    };
                    let key = name.to_ascii_lowercase();
                    if challenge
                        .params
                        .insert(key.clone(), (param_value, quoted))
                        .is_some()
                    {
                        return Err(format!("parameter {key} repeated in {value:?}"));
                    }
                    skip_ows(&mut at);
                    if at >= chars.len() {
                        break;
                    }
                    if chars[at] != ',' {
                        return Err(format!("expected ',' at {at} in {value:?}"));
                    }
                    at += 1;
                }
            }
        } else if at < chars.len() && chars[at] != ',' {
            return Err(format!("expected a space after the scheme in {value:?}"));
        }
        challenges.push(challenge);
    }
    if challenges.is_empty() {
        return Err(format!("no challenge in {value:?}"));
    }
    Ok(challenges)
}

/// Checks a `Bearer` challenge by RFC 6750 §3: never bare, and `error`, `error_description`
/// and `scope` within their character sets.
pub fn check_bearer(challenge: &ParsedChallenge) -> Result<(), String> {
    if !challenge.scheme.eq_ignore_ascii_case("bearer") {
        return Ok(());
    }
    if challenge.params.is_empty() {
        return Err("a Bearer challenge was sent bare".into());
    }
    let text_ok = |c: char| matches!(c, '\x20'..='\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e');
    for name in ["error", "error_description"] {
        if let Some(value) = challenge.param(name) {
            if !value.chars().all(text_ok) {
                return Err(format!("{name}={value:?} breaks RFC 6750 §3"));
            }
        }
    }
    if let Some(error) = challenge.param("error") {
        if !["invalid_request", "invalid_token", "insufficient_scope"].contains(&error) {
            return Err(format!("unknown Bearer error code {error:?}"));
        }
    }
    if let Some(scope) = challenge.param("scope") {
        let scope_char = |c: char| matches!(c, '\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e');
        let valid = scope
            .split(' ')
            .all(|token| !token.is_empty() && token.chars().all(scope_char));
        if !valid {
            return Err(format!("scope={scope:?} breaks RFC 6750 §3"));
        }
    }
    Ok(())
}

/// Every `WWW-Authenticate` line of a reply, each parsed and checked.
pub fn challenges_of(reply: &Reply) -> Vec<ParsedChallenge> {
    reply
        .headers_named("www-authenticate")
        .flat_map(|line| {
            let parsed = parse_challenges(line).unwrap_or_else(|error| panic!("{error}"));
            assert_eq!(parsed.len(), 1, "one challenge per header line: {line:?}");
            parsed
        })
        .inspect(|challenge| check_bearer(challenge).unwrap_or_else(|error| panic!("{error}")))
        .collect()
}

/// The reason phrases of RFC 9110, written out here so the test does not ask the code.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        // Statuses without a registered phrase get their class's name.
        _ if (400..500).contains(&status) => "Client Error",
        _ if (500..600).contains(&status) => "Server Error",
        other => panic!("{other} is not an error status"),
    }
}

/// The reply to a handler's plain-text `502` with `x-upstream: billing` and a secret in its
/// text, after a framework layer: the crate's 502, the header kept, the text hidden.
pub fn assert_rewritten_upstream_error(reply: &Reply) {
    assert_eq!(reply.status, 502);
    assert_eq!(
        check_body(reply, Format::Json),
        "The server received an invalid response from an upstream server"
    );
    assert_eq!(reply.header("x-upstream"), Some("billing"));
    assert!(!String::from_utf8_lossy(&reply.body).contains("hunter2"));
}

/// The body format a demo app runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Problem,
}

impl Format {
    pub const ALL: [Format; 2] = [Format::Json, Format::Problem];

    pub fn env_value(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Problem => "problem",
        }
    }
}

/// Checks a body by the format's rules and gives back its human message.
pub fn check_body(reply: &Reply, format: Format) -> String {
    let body = reply.json();
    let object = body.as_object().expect("the body is a JSON object");
    let content_type = reply.header("content-type").expect("a content-type");
    let number = |member: &str| object.get(member).and_then(serde_json::Value::as_u64);
    let text = |member: &str| {
        object
            .get(member)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_else(|| panic!("member {member} is missing or not a string in {body}"))
            .to_owned()
    };
    match format {
        Format::Json => {
            assert_eq!(content_type, "application/json");
            assert_eq!(text("error"), reason_phrase(reply.status));
            assert_eq!(number("status"), Some(u64::from(reply.status)));
            text("message")
        }
        Format::Problem => {
            assert_eq!(content_type, "application/problem+json");
            // `about:blank`, or an absolute URI naming the problem type (RFC 9457 §3.1.1).
            let problem_type = text("type");
            let scheme = problem_type.split(':').next().unwrap_or_default();
            assert!(
                problem_type == "about:blank"
                    || (problem_type.contains(':')
                        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                        && scheme
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))),
                "type {problem_type:?} is not a URI"
            );
            assert_eq!(text("title"), reason_phrase(reply.status));
            assert_eq!(number("status"), Some(u64::from(reply.status)));
            for member in object.keys() {
                let standard = ["type", "title", "status", "detail", "instance"];
                let extension_ok = member.len() >= 3
                    && member.starts_with(|c: char| c.is_ascii_alphabetic())
                    && member
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_');
                assert!(
                    standard.contains(&member.as_str()) || extension_ok,
                    "extension member {member:?} breaks RFC 9457 §3.2"
                );
            }
            text("detail")
        }
    }
}

/// An example binary, built by `cargo test`, serving the demo app on a free loopback port.
pub struct Demo {
    child: Child,
    pub address: SocketAddr,
}

impl Demo {
    pub fn start(example: &str, format: Format) -> Demo {
        let path = example_path(example);
        let mut child = Command::new(&path)
            .env("PORT", "0")
            .env("DENIED_FORMAT", format.env_value())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("start {}: {error}", path.display()));
        let stdout = child.stdout.take().expect("the example's stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the example prints its address");
        let address = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.trim().parse().ok())
            .unwrap_or_else(|| panic!("no address in the example's first line {line:?}"));
        Demo { child, address }
    }

    pub fn get(&self, target: &str, token: Option<&str>) -> Reply {
        self.send("GET", target, token)
    }

    pub fn send(&self, method: &str, target: &str, token: Option<&str>) -> Reply {
        let authorization = token.map(|token| format!("Bearer {token}"));
        let headers: Vec<(&str, &str)> = authorization
            .iter()
            .map(|value| ("Authorization", value.as_str()))
            .collect();
        request(self.address, method, target, &headers)
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Builds the example (a no-op when it is fresh), so a test never runs a stale binary, then
/// finds it beside the test binaries' `deps` folder: `target/<profile>/examples/`.
pub fn example_path(example: &str) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build.args(["build", "--quiet", "--all-features", "--example", example]);
    if !cfg!(debug_assertions) {
        build.arg("--release");
    }
    let status = build.status().expect("run cargo to build the example");
    assert!(status.success(), "building the {example} example failed");
    let test_binary = std::env::current_exe().expect("the test binary's path");
    let profile_dir = test_binary
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let path = profile_dir
        .join("examples")
        .join(format!("{example}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: `cargo test --all-features` builds the examples",
        path.display()
    );
    path
}

/// A response the crate rendered, seen as a client would see it.
pub fn reply_of(response: http::Response<bytes::Bytes>) -> Reply {
    let (parts, body) = response.into_parts();
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            let value = std::str::from_utf8(value.as_bytes())
                .unwrap_or_else(|_| panic!("header {name} is not ASCII/UTF-8"));
            (name.as_str().to_owned(), value.to_owned())
        })
        .collect();
    Reply {
        status: parts.status.as_u16(),
        headers,
        body: body.to_vec(),
    }
}

/// An actix-web test response, seen as a client would see it.
#[cfg(feature = "actix-web")]
pub fn actix_reply<B: actix_web::body::MessageBody>(
    response: actix_web::dev::ServiceResponse<B>,
) -> Reply {
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap().to_owned()))
        .collect();
    let body = match response.into_body().try_into_bytes() {
        Ok(bytes) => bytes.to_vec(),
        Err(_) => panic!("a body that is not in memory"),
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// An axum response, its body read whole, seen as a client would see it.
#[cfg(feature = "axum")]
pub async fn axum_reply(response: axum::response::Response) -> Reply {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    reply_of(http::Response::from_parts(parts, bytes))
}

/// A poem test response, its body read whole, seen as a client would see it.
#[cfg(feature = "poem")]
pub async fn poem_reply(response: poem::test::TestResponse) -> Reply {
    let response = response.0;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().into_bytes().await.unwrap();
    let mut http_response = http::Response::new(body);
    *http_response.status_mut() = status;
    *http_response.headers_mut() = headers;
    reply_of(http_response)
}

/// A salvo test response, its body read whole, seen as a client would see it.
#[cfg(feature = "salvo")]
pub async fn salvo_reply(mut response: salvo::Response) -> Reply {
    use salvo::test::ResponseExt;
    let body = response.take_bytes(None).await.unwrap();
    let mut http_response = http::Response::new(body);
    *http_response.status_mut() = response.status_code.unwrap();
    *http_response.headers_mut() = response.headers().clone();
    reply_of(http_response)
}

/// An IMF-fixdate (RFC 9110 §5.6.7), checked character class by character class.
pub fn is_imf_fixdate(text: &str) -> bool {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = text.split(' ').collect();
    let digits =
        |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_digit());
    let time_ok = |part: &str| {
        let fields: Vec<&str> = part.split(':').collect();
        fields.len() == 3 && fields.iter().all(|field| digits(field, 2))
    };
    parts.len() == 6
        && parts[0]
            .strip_suffix(',')
            .is_some_and(|day| DAYS.contains(&day))
        && digits(parts[1], 2)
        && MONTHS.contains(&parts[2])
        && digits(parts[3], 4)
        && time_ok(parts[4])
        && parts[5] == "GMT"
}

/// An upstream body that sends its first bytes, `upstream 5f0e, `, and then stalls for good:
/// a layer that waits for the rest never answers.
pub struct Trickle<E> {
    sent: bool,
    error: std::marker::PhantomData<fn() -> E>,
}

impl<E> Default for Trickle<E> {
    fn default() -> Self {
        Self {
            sent: false,
            error: std::marker::PhantomData,
        }
    }
}

impl<E> futures_core::Stream for Trickle<E> {
    type Item = Result<bytes::Bytes, E>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        if self.sent {
            return std::task::Poll::Pending;
        }
        self.sent = true;
        std::task::Poll::Ready(Some(Ok(bytes::Bytes::from_static(b"upstream 5f0e, "))))
    }
}
