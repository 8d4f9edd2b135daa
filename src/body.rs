//! Error bodies: how they are written, and how a client reads them back.

use std::borrow::Cow;
use std::io;
use std::str::FromStr;

use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::reason::Reason;

/// The format of every error body: the crate's JSON, or RFC 9457 problem details.
///
/// ```
/// use denied::BodyFormat;
///
/// let format: BodyFormat = "problem".parse()?;
/// assert_eq!(format.content_type(), "application/problem+json");
/// # Ok::<(), denied::UnknownBodyFormat>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum BodyFormat {
    /// `{"error":"Forbidden","message":"...","status":403}` as `application/json`.
    #[default]
    Json,
    /// RFC 9457 problem details as `application/problem+json`.
    Problem,
}

impl BodyFormat {
    /// The `Content-Type` of bodies in this format.
    #[must_use]
    pub const fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Problem => "application/problem+json",
        }
    }
}

/// A name that is not a [`BodyFormat`]: `json` and `problem` are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown body format {0:?}: expected `json` or `problem`")]
pub struct UnknownBodyFormat(String);

impl FromStr for BodyFormat {
    type Err = UnknownBodyFormat;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "json" => Ok(Self::Json),
            "problem" => Ok(Self::Problem),
            _ => Err(UnknownBodyFormat(name.to_owned())),
        }
    }
}

/// The largest body [`ErrorBody::from_slice`] reads: an error body is a few hundred bytes.
pub const MAX_BODY_LEN: usize = 64 * 1024;

/// The `error` member or the problem `title`: the status's reason phrase, as RFC 9110 names it
/// (413 and 422 were renamed there: `http` still has their old phrases).
pub(crate) fn reason_phrase(status: StatusCode) -> &'static str {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return "Content Too Large";
    }
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        return "Unprocessable Content";
    }
    match status.canonical_reason() {
        Some(phrase) => phrase,
        None if status.is_server_error() => "Server Error",
        None => "Client Error",
    }
}

/// Counts the bytes a writer is given, so a body is allocated once at its exact length.
struct ByteCounter(usize);

impl io::Write for ByteCounter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A JSON string: quoted, and escaped by serde_json when it has a byte to escape.
fn write_json_str(out: &mut impl io::Write, text: &str) -> io::Result<()> {
    if needs_escape(text) {
        return serde_json::to_writer(out, text).map_err(io::Error::from);
    }
    out.write_all(b"\"")?;
    out.write_all(text.as_bytes())?;
    out.write_all(b"\"")
}

/// Whether `text` has a byte that a JSON string must escape (RFC 8259 §7: `"`, `\` and the
/// control characters); most text has none, and is copied as it is between quotes.
#[inline]
fn needs_escape(text: &str) -> bool {
    // No early exit, so the scan vectorizes.
    text.bytes().fold(false, |found, b| {
        found | (b < 0x20) | (b == b'"') | (b == b'\\')
    })
}

/// What one error adds to its body beyond message and reason: the problem `type` and
/// `instance`, and extension members.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Members {
    pub(crate) problem_type: Option<Cow<'static, str>>,
    pub(crate) instance: Option<Cow<'static, str>>,
    pub(crate) extensions: Vec<(Cow<'static, str>, serde_json::Value)>,
}

/// Everything before the message: `{"error":"Forbidden","message":` or the problem's
/// `{"type":"about:blank","title":"Forbidden","status":403,"detail":`.
fn write_head(
    out: &mut impl io::Write,
    format: BodyFormat,
    status: StatusCode,
    phrase: &str,
    problem_type: &str,
) -> io::Result<()> {
    match format {
        BodyFormat::Json => {
            out.write_all(br#"{"error":"#)?;
            write_json_str(out, phrase)?;
            out.write_all(br#","message":"#)
        }
        BodyFormat::Problem => {
            out.write_all(br#"{"type":"#)?;
            write_json_str(out, problem_type)?;
            out.write_all(br#","title":"#)?;
            write_json_str(out, phrase)?;
            out.write_all(br#","status":"#)?;
            out.write_all(status.as_str().as_bytes())?;
            out.write_all(br#","detail":"#)
        }
    }
}

/// Everything after the message but the closing brace: the status (flat JSON), the problem's
/// `instance`, the reason members, the extension members.
fn write_tail(
    out: &mut impl io::Write,
    format: BodyFormat,
    status: StatusCode,
    reason: Option<(&Reason, bool)>,
    members: Option<&Members>,
) -> io::Result<()> {
    if format == BodyFormat::Json {
        out.write_all(br#","status":"#)?;
        out.write_all(status.as_str().as_bytes())?;
    }
    if let (BodyFormat::Problem, Some(instance)) = (
        format,
        members.and_then(|members| members.instance.as_deref()),
    ) {
        out.write_all(br#","instance":"#)?;
        write_json_str(out, instance)?;
    }
    write_reason(out, reason)?;
    for (name, value) in members.map_or(&[][..], |members| &members.extensions) {
        out.write_all(b",")?;
        write_json_str(out, name)?;
        out.write_all(b":")?;
        serde_json::to_writer(&mut *out, value).map_err(io::Error::from)?;
    }
    Ok(())
}

/// The reason's members: its code, and its detail (`role`, `scope`) when it is sent.
fn write_reason(out: &mut impl io::Write, reason: Option<(&Reason, bool)>) -> io::Result<()> {
    if let Some((reason, with_detail)) = reason {
        out.write_all(br#","reason":"#)?;
        write_json_str(out, reason.code())?;
        if let Some((member, value)) = reason.detail().filter(|_| with_detail) {
            out.write_all(b",")?;
            write_json_str(out, member)?;
            out.write_all(b":")?;
            write_json_str(out, value)?;
        }
    }
    Ok(())
}

/// The member that carries the request's id.
pub(crate) const REQUEST_ID_MEMBER: &str = "request_id";

/// What the request adds to a body, last, before the closing brace.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RequestMembers<'a> {
    /// The request's path, for problem details without an `instance` of their own.
    pub(crate) instance: Option<&'a str>,
    pub(crate) request_id: Option<&'a str>,
}

impl RequestMembers<'_> {
    pub(crate) fn is_empty(&self) -> bool {
        self.instance.is_none() && self.request_id.is_none()
    }
}

/// The request's members and the closing brace.
fn write_end(
    out: &mut impl io::Write,
    format: BodyFormat,
    request: &RequestMembers<'_>,
) -> io::Result<()> {
    if let (BodyFormat::Problem, Some(instance)) = (format, request.instance) {
        out.write_all(br#","instance":"#)?;
        write_json_str(out, instance)?;
    }
    if let Some(request_id) = request.request_id {
        // `REQUEST_ID_MEMBER`.
        out.write_all(br#","request_id":"#)?;
        write_json_str(out, request_id)?;
    }
    out.write_all(b"}")
}

/// Everything a body is made of.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parts<'a> {
    pub(crate) format: BodyFormat,
    pub(crate) status: StatusCode,
    /// The `error` member or problem `title`.
    pub(crate) phrase: &'a str,
    pub(crate) message: &'a str,
    /// The reason, and whether its detail member (`role`, `scope`) is sent.
    pub(crate) reason: Option<(&'a Reason, bool)>,
    pub(crate) problem_type: &'a str,
    pub(crate) members: Option<&'a Members>,
    pub(crate) request: RequestMembers<'a>,
}

fn write_body(out: &mut impl io::Write, parts: &Parts<'_>) -> io::Result<()> {
    write_head(
        out,
        parts.format,
        parts.status,
        parts.phrase,
        parts.problem_type,
    )?;
    write_json_str(out, parts.message)?;
    write_tail(out, parts.format, parts.status, parts.reason, parts.members)?;
    // The error's own `instance` or `request_id` member wins over the request's.
    let own_instance = parts
        .members
        .is_some_and(|members| members.instance.is_some());
    let own_request_id = parts.members.is_some_and(|members| {
        members
            .extensions
            .iter()
            .any(|(name, _)| name == REQUEST_ID_MEMBER)
    });
    let request = RequestMembers {
        instance: parts.request.instance.filter(|_| !own_instance),
        request_id: parts.request.request_id.filter(|_| !own_request_id),
    };
    write_end(out, parts.format, &request)
}

/// The `type` of a problem without one of its own.
pub(crate) const ABOUT_BLANK: &str = "about:blank";

/// Writes a body into one allocation of exactly its length.
pub(crate) fn render(parts: &Parts<'_>) -> Vec<u8> {
    let mut counter = ByteCounter(0);
    // Writing into memory cannot fail, and neither can serializing a `str` or a JSON value.
    let _ = write_body(&mut counter, parts);
    let mut body = Vec::with_capacity(counter.0);
    let _ = write_body(&mut body, parts);
    body
}

/// A body with nothing but the status's sentence or the error's own message.
pub(crate) fn render_plain(
    format: BodyFormat,
    status: StatusCode,
    phrase: &str,
    message: &str,
) -> Vec<u8> {
    render(&Parts {
        format,
        status,
        phrase,
        message,
        reason: None,
        problem_type: ABOUT_BLANK,
        members: None,
        request: RequestMembers::default(),
    })
}

/// A default body rendered in advance, with a reason's members and the request's: one
/// allocation of exactly its length. The reason's members come right after the default
/// body's last member, as in a body rendered whole, so this is for a body whose `type` is
/// the default body's (flat JSON has none).
pub(crate) fn default_with(
    default_body: &[u8],
    format: BodyFormat,
    reason: Option<(&Reason, bool)>,
    request: &RequestMembers<'_>,
) -> Vec<u8> {
    // Every body ends with its closing brace, which `write_end` writes again.
    let open = default_body.strip_suffix(b"}").unwrap_or(default_body);
    let mut counter = ByteCounter(open.len());
    let _ = write_reason(&mut counter, reason);
    let _ = write_end(&mut counter, format, request);
    let mut body = Vec::with_capacity(counter.0);
    body.extend_from_slice(open);
    let _ = write_reason(&mut body, reason);
    let _ = write_end(&mut body, format, request);
    body
}

/// The fixed parts of one status's body around its message, written once at start-up, so
/// that a body with its own message is two copies around one escaped string.
#[derive(Debug)]
pub(crate) struct Template {
    format: BodyFormat,
    head: Box<[u8]>,
    /// Without the closing brace.
    tail: Box<[u8]>,
}

impl Template {
    pub(crate) fn new(format: BodyFormat, status: StatusCode, phrase: &str) -> Self {
        let mut head = Vec::new();
        let mut tail = Vec::new();
        let _ = write_head(&mut head, format, status, phrase, ABOUT_BLANK);
        let _ = write_tail(&mut tail, format, status, None, None);
        Self {
            format,
            head: head.into_boxed_slice(),
            tail: tail.into_boxed_slice(),
        }
    }

    /// The body with `message` and the request's members, in one allocation of exactly its
    /// length.
    pub(crate) fn render(&self, message: &str, request: &RequestMembers<'_>) -> Vec<u8> {
        if request.is_empty() && !needs_escape(message) {
            // The common case, the closing brace its whole end.
            let mut body =
                Vec::with_capacity(self.head.len() + message.len() + 3 + self.tail.len());
            body.extend_from_slice(&self.head);
            body.push(b'"');
            body.extend_from_slice(message.as_bytes());
            body.push(b'"');
            body.extend_from_slice(&self.tail);
            body.push(b'}');
            return body;
        }
        let mut end = ByteCounter(0);
        let _ = write_end(&mut end, self.format, request);
        let end = end.0;
        if !needs_escape(message) {
            let mut body =
                Vec::with_capacity(self.head.len() + message.len() + 2 + self.tail.len() + end);
            body.extend_from_slice(&self.head);
            body.push(b'"');
            body.extend_from_slice(message.as_bytes());
            body.push(b'"');
            body.extend_from_slice(&self.tail);
            let _ = write_end(&mut body, self.format, request);
            return body;
        }
        let mut counter = ByteCounter(0);
        let _ = write_json_str(&mut counter, message);
        let mut body = Vec::with_capacity(self.head.len() + counter.0 + self.tail.len() + end);
        body.extend_from_slice(&self.head);
        let _ = write_json_str(&mut body, message);
        body.extend_from_slice(&self.tail);
        let _ = write_end(&mut body, self.format, request);
        body
    }
}

/// The default error body, as a client reads it: `{"error","message","status"}` and any
/// extra members, such as `reason`.
///
/// ```
/// let body = denied::ErrorBody::from_slice(
///     br#"{"error":"Forbidden","message":"No","status":403,"reason":"not_owner"}"#,
/// )?;
/// assert_eq!(body.status, 403);
/// assert_eq!(body.reason(), Some("not_owner"));
/// # Ok::<(), denied::BodyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorBody {
    /// The status's reason phrase, such as `Forbidden`.
    pub error: String,
    /// The human sentence.
    pub message: String,
    /// The response's status code.
    pub status: u16,
    /// Members beyond the three above, such as `reason`.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// An RFC 9457 problem details body (`application/problem+json`).
///
/// ```
/// let problem = denied::ProblemDetails::from_slice(
///     br#"{"type":"about:blank","title":"Not Found","status":404,"detail":"Gone fishing"}"#,
/// )?;
/// assert_eq!(problem.detail.as_deref(), Some("Gone fishing"));
/// # Ok::<(), denied::BodyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProblemDetails {
    /// A URI reference naming the problem type; `about:blank` when absent.
    #[serde(rename = "type", default = "about_blank")]
    pub problem_type: String,
    /// A short summary; the reason phrase for `about:blank`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The response's status code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Help for the client about this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A URI reference naming this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Extension members, such as `reason`.
    #[serde(flatten)]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

fn about_blank() -> String {
    "about:blank".to_owned()
}

/// A body a client could not read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// The body is longer than [`MAX_BODY_LEN`]: its length, or, for a body refused while it
    /// was being read, the bytes read when it passed the limit.
    #[error("error body of at least {0} bytes is longer than the {MAX_BODY_LEN}-byte limit")]
    TooLong(usize),
    /// The body is not JSON of the expected shape.
    #[error("error body is not of the expected shape")]
    Malformed(#[source] serde_json::Error),
    /// The body could not be read to its end: the connection broke, or its encoding is
    /// wrong.
    #[error("error body could not be read to its end")]
    Incomplete(#[source] Box<dyn std::error::Error + Send + Sync>),
}

fn parse<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, BodyError> {
    if bytes.len() > MAX_BODY_LEN {
        return Err(BodyError::TooLong(bytes.len()));
    }
    serde_json::from_slice(bytes).map_err(BodyError::Malformed)
}

impl ErrorBody {
    /// Reads a default-format body, refusing bodies over [`MAX_BODY_LEN`].
    ///
    /// # Errors
    ///
    /// The body is too long, is not JSON, or lacks `error`, `message` or `status`.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, BodyError> {
        parse(bytes)
    }

    /// The `reason` member, if the server sent one.
    #[must_use]
    pub fn reason(&self) -> Option<&str> {
        self.extra.get("reason").and_then(serde_json::Value::as_str)
    }
}

impl ProblemDetails {
    /// Reads a problem details body, refusing bodies over [`MAX_BODY_LEN`].
    ///
    /// # Errors
    ///
    /// The body is too long, is not a JSON object, or a member has the wrong type.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, BodyError> {
        parse(bytes)
    }

    /// The `reason` extension member, if the server sent one.
    #[must_use]
    pub fn reason(&self) -> Option<&str> {
        self.extensions
            .get("reason")
            .and_then(serde_json::Value::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let mut texts: Vec<String> = (0u8..0x80)
            .map(|byte| format!("a{}b", byte as char))
            .collect();
        texts.extend(
            [
                "",
                "plain text",
                "Zürich ☃ 𝄞",
                "\u{7f}",
                "\"quoted\"",
                "back\\slash",
            ]
            .map(String::from),
        );
        for text in texts {
            let mut written = Vec::new();
            write_json_str(&mut written, &text).unwrap();
            assert_eq!(written, serde_json::to_vec(&text).unwrap(), "{text:?}");
            let mut counter = ByteCounter(0);
            write_json_str(&mut counter, &text).unwrap();
            assert_eq!(counter.0, written.len());
        }
    }

    #[test]
    fn the_body_is_allocated_at_its_exact_length() {
        let reason = Reason::MissingRole("ad\"min".into());
        let members = Members {
            problem_type: Some("https://example.com/p/\"x\"".into()),
            instance: Some("/a\"b".into()),
            extensions: vec![(
                "trace_id".into(),
                serde_json::json!({"nested": [1, "\u{2603}"]}),
            )],
        };
        let body = render(&Parts {
            format: BodyFormat::Problem,
            status: StatusCode::FORBIDDEN,
            phrase: "Verboten \"",
            message: "quote \" backslash \\ newline \n bell \u{7} snow \u{2603}",
            reason: Some((&reason, true)),
            problem_type: "https://example.com/p",
            members: Some(&members),
            request: RequestMembers {
                instance: Some("/x\"y"),
                request_id: Some(r#"id"\"#),
            },
        });
        assert_eq!(body.len(), body.capacity());
        let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap();
        // The error's own instance wins over the request's path.
        assert_eq!(parsed["instance"], "/a\"b");
        assert_eq!(parsed["request_id"], r#"id"\"#);
    }

    #[test]
    fn a_default_body_with_a_reason_is_the_body_rendered_whole() {
        let reasons = [
            Reason::MissingRole("admin".into()),
            Reason::MissingScope("quote \" and \u{2603}".into()),
            Reason::NotOwner,
        ];
        let requests = [
            RequestMembers::default(),
            RequestMembers {
                instance: Some("/repos/a%20b"),
                request_id: Some("id-1"),
            },
        ];
        for format in [BodyFormat::Json, BodyFormat::Problem] {
            let sentence = "You do not have permission to access this resource";
            let default_body = render_plain(format, StatusCode::FORBIDDEN, "Forbidden", sentence);
            for reason in &reasons {
                for with_detail in [true, false] {
                    for request in requests {
                        let whole = render(&Parts {
                            format,
                            status: StatusCode::FORBIDDEN,
                            phrase: "Forbidden",
                            message: sentence,
                            reason: Some((reason, with_detail)),
                            problem_type: ABOUT_BLANK,
                            members: None,
                            request,
                        });
                        let appended = default_with(
                            &default_body,
                            format,
                            Some((reason, with_detail)),
                            &request,
                        );
                        assert_eq!(appended, whole, "{reason:?} {format:?}");
                        assert_eq!(appended.len(), appended.capacity());
                    }
                }
            }
        }
    }

    #[test]
    fn a_template_writes_the_same_bytes_as_the_general_path() {
        for format in [BodyFormat::Json, BodyFormat::Problem] {
            let template = Template::new(format, StatusCode::FORBIDDEN, "Forbidden");
            let requests = [
                RequestMembers {
                    instance: Some("/r%20s"),
                    request_id: Some("a\"b"),
                },
                RequestMembers {
                    instance: None,
                    request_id: Some("id-1"),
                },
                RequestMembers {
                    instance: Some("/repos/x"),
                    request_id: None,
                },
            ];
            let messages = ["caf\u{e9} \"quoted\"\n", "plain text \u{7f} \u{2603}", ""];
            for (message, request) in messages
                .into_iter()
                .flat_map(|message| requests.iter().map(move |request| (message, *request)))
            {
                let body = template.render(message, &RequestMembers::default());
                let plain = render_plain(format, StatusCode::FORBIDDEN, "Forbidden", message);
                assert_eq!(body, plain);
                assert_eq!(body.len(), body.capacity());
                let with_request = template.render(message, &request);
                let general = render(&Parts {
                    format,
                    status: StatusCode::FORBIDDEN,
                    phrase: "Forbidden",
                    message,
                    reason: None,
                    problem_type: ABOUT_BLANK,
                    members: None,
                    request,
                });
                assert_eq!(with_request, general);
                assert_eq!(with_request.len(), with_request.capacity());
                let appended = default_with(&plain, format, None, &request);
                assert_eq!(appended, general);
                assert_eq!(appended.len(), appended.capacity());
            }
        }
    }

    #[test]
    fn an_unknown_status_still_has_a_phrase() {
        let status = StatusCode::from_u16(499).unwrap();
        assert_eq!(reason_phrase(status), "Client Error");
        let status = StatusCode::from_u16(599).unwrap();
        assert_eq!(reason_phrase(status), "Server Error");
    }
}
