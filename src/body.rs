//! Error bodies: how they are written, and how a client reads them back.

use std::io;

use http::StatusCode;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::{BodyFormat, Reason};

/// The largest body [`ErrorBody::from_slice`] reads: an error body is a few hundred bytes.
pub const MAX_BODY_LEN: usize = 64 * 1024;

/// The `error` member or the problem `title`: the status's reason phrase.
pub(crate) fn reason_phrase(status: StatusCode) -> &'static str {
    match status.canonical_reason() {
        Some(phrase) => phrase,
        None if status.is_server_error() => "Server Error",
        None => "Client Error",
    }
}

/// What one body says, borrowed, written field by field without building a JSON tree.
struct View<'a> {
    format: BodyFormat,
    status: StatusCode,
    message: &'a str,
    reason: Option<&'a Reason>,
}

impl Serialize for View<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        let phrase = reason_phrase(self.status);
        match self.format {
            BodyFormat::Json => {
                map.serialize_entry("error", phrase)?;
                map.serialize_entry("message", self.message)?;
                map.serialize_entry("status", &self.status.as_u16())?;
            }
            BodyFormat::Problem => {
                map.serialize_entry("type", "about:blank")?;
                map.serialize_entry("title", phrase)?;
                map.serialize_entry("status", &self.status.as_u16())?;
                map.serialize_entry("detail", self.message)?;
            }
        }
        if let Some(reason) = self.reason {
            map.serialize_entry("reason", reason.code())?;
            if let Some((member, value)) = reason.detail() {
                map.serialize_entry(member, value)?;
            }
        }
        map.end()
    }
}

/// Counts the bytes a serializer writes, so the body is allocated once at its exact size.
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

/// Writes a body into one allocation of exactly its length.
pub(crate) fn render(
    format: BodyFormat,
    status: StatusCode,
    message: &str,
    reason: Option<&Reason>,
) -> Vec<u8> {
    let view = View {
        format,
        status,
        message,
        reason,
    };
    let mut counter = ByteCounter(0);
    // Serializing a map of strings and a number into memory cannot fail.
    let _ = serde_json::to_writer(&mut counter, &view);
    let mut body = Vec::with_capacity(counter.0);
    let _ = serde_json::to_writer(&mut body, &view);
    body
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
    /// The body is longer than [`MAX_BODY_LEN`].
    #[error("error body of {0} bytes is longer than the {MAX_BODY_LEN}-byte limit")]
    TooLong(usize),
    /// The body is not JSON of the expected shape.
    #[error("error body is not of the expected shape")]
    Malformed(#[source] serde_json::Error),
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
    fn the_body_is_allocated_at_its_exact_length() {
        let body = render(
            BodyFormat::Json,
            StatusCode::FORBIDDEN,
            "quote \" backslash \\ newline \n bell \u{7} snow \u{2603}",
            Some(&Reason::MissingRole("ad\"min".into())),
        );
        assert_eq!(body.len(), body.capacity());
    }

    #[test]
    fn an_unknown_status_still_has_a_phrase() {
        let status = StatusCode::from_u16(499).unwrap();
        assert_eq!(reason_phrase(status), "Client Error");
        let status = StatusCode::from_u16(599).unwrap();
        assert_eq!(reason_phrase(status), "Server Error");
    }
}
