//! JSON request bodies, read the same way in every framework: the checks a client can fix, in
//! the order it should fix them.

use serde::de::{DeserializeOwned, IgnoredAny};

use crate::syntax::trim_ows;
use crate::body::BodyFormat;
use crate::error::HttpError;

/// The largest JSON body a `Json` extractor reads where the app sets no limit: 2 MiB.
#[cfg(any(feature = "poem", feature = "salvo"))]
pub(crate) const DEFAULT_LIMIT: usize = 2 * 1024 * 1024;

/// `value` as a JSON response body, or the crate's 500 for a value that does not serialize
/// (the serializer's error its hidden source).
#[cfg(any(feature = "poem", feature = "salvo"))]
pub(crate) fn response_body<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, HttpError> {
    serde_json::to_vec(value).map_err(|error| HttpError::internal().with_source(error))
}

/// `application/json` or any `application/...+json` type, in any case, with or without
/// parameters.
pub(crate) fn is_json_content_type(content_type: &[u8]) -> bool {
    // The crate's own two values, as it writes them, first: a layer asks this of every error
    // response it passes on.
    if content_type == BodyFormat::Json.content_type().as_bytes()
        || content_type == BodyFormat::Problem.content_type().as_bytes()
    {
        return true;
    }
    let media_type = content_type
        .split(|&b| b == b';')
        .next()
        .unwrap_or_default();
    let media_type = trim_ows(media_type);
    let Some(subtype) = strip_prefix_ignore_case(media_type, b"application/") else {
        return false;
    };
    subtype.eq_ignore_ascii_case(b"json")
        || (subtype.len() > 5 && subtype[subtype.len() - 5..].eq_ignore_ascii_case(b"+json"))
}

fn strip_prefix_ignore_case<'a>(text: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// The 415 for a body that is not JSON.
pub(crate) fn not_json() -> HttpError {
    HttpError::with_status(http::StatusCode::UNSUPPORTED_MEDIA_TYPE)
        .with_note("the request body is not application/json")
}

with_framework! {
    checks_json_head:
    /// The checks a JSON request fails before a byte of its body is read, in the order a client
    /// should fix them: 415 without a JSON `Content-Type`, 413 when `Content-Length` says more than
    /// `limit` bytes. `header` gives a header's value.
    pub(crate) fn check_head<'h>(
        header: impl Fn(&http::HeaderName) -> Option<&'h [u8]>,
        limit: usize,
    ) -> Result<(), HttpError> {
        if !header(&http::header::CONTENT_TYPE).is_some_and(is_json_content_type) {
            return Err(not_json());
        }
        let declared = header(&http::header::CONTENT_LENGTH)
            .and_then(|value| std::str::from_utf8(value).ok())
            .and_then(|value| value.parse::<u64>().ok());
        if declared.is_some_and(|length| length > u64::try_from(limit).unwrap_or(u64::MAX)) {
            return Err(too_large(limit));
        }
        Ok(())
    }
}

with_framework! {
    limits_json_bodies:
    /// The 413 for a body over `limit` bytes.
    pub(crate) fn too_large(limit: usize) -> HttpError {
        HttpError::with_status(http::StatusCode::PAYLOAD_TOO_LARGE)
            .with_note(format!("the request body is longer than {limit} bytes"))
    }
}

/// Reads `body` as a `T`. A body wrong in both syntax (400) and shape (422) is a 400,
/// whichever error comes first in it: after a shape error, the syntax of the whole body is
/// checked before answering. A valid body is parsed once.
pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, HttpError> {
    serde_json::from_slice::<T>(body).map_err(|error| {
        let syntax = serde_json::from_slice::<IgnoredAny>(body).err();
        HttpError::invalid_json_body(syntax.as_ref().unwrap_or(&error))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_media_types_are_recognised_exactly() {
        for yes in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/problem+json",
            "application/vnd.api+json",
        ] {
            assert!(is_json_content_type(yes.as_bytes()), "{yes}");
        }
        for no in [
            "text/plain",
            "application/jsonx",
            "application/+json",
            "json",
            "",
            "application/json-seq",
        ] {
            assert!(!is_json_content_type(no.as_bytes()), "{no}");
        }
    }

    #[test]
    fn syntax_is_checked_before_shape() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Order {
            item: String,
        }
        assert_eq!(parse::<Order>(br#"{"item":1"#).unwrap_err().status(), 400);
        assert_eq!(parse::<Order>(br#"{"item":1}"#).unwrap_err().status(), 422);
        assert_eq!(parse::<Order>(br#"{"item":"a"}"#).unwrap().item, "a");
    }
}
