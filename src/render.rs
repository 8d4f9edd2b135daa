//! The one rendering path: every framework sends what this decides.

use bytes::Bytes;
use http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, Response, StatusCode};

use crate::config::Settings;
use crate::{body, HttpError};

/// Decides the status, headers and body bytes of `error`.
///
/// Default bodies are rendered in advance, so the common refusals copy nothing; a body with
/// its own message or reason takes one allocation of its exact size.
pub(crate) fn render(error: &HttpError, settings: &'static Settings) -> Response<Bytes> {
    if let Some(report) = settings.report {
        report(error);
    }
    let mut status = error.status();
    let usable_challenges = || error.challenges().iter().filter(|c| c.is_usable());
    if status == StatusCode::UNAUTHORIZED && usable_challenges().next().is_none() {
        // A 401 without a challenge would break RFC 9110; the challenge itself is the bug.
        status = StatusCode::INTERNAL_SERVER_ERROR;
        return finish(settings, status, default_body(settings, status), HeaderMap::new());
    }

    let body = match (error.own_message(), error.reason()) {
        (None, None) => default_body(settings, status),
        (message, reason) => {
            let message = message.unwrap_or_else(|| settings.default_message(status));
            Bytes::from(body::render(settings.format, status, message, reason))
        }
    };

    let mut headers = HeaderMap::new();
    for challenge in usable_challenges() {
        if let Ok(value) = challenge.to_header_value() {
            headers.append(WWW_AUTHENTICATE, value);
        }
    }
    if let Some(allow) = error.allow() {
        headers.insert(ALLOW, allow.clone());
    }
    if let Some(retry_after) = error.retry_after_header() {
        headers.insert(RETRY_AFTER, retry_after);
    }
    finish(settings, status, body, headers)
}

fn default_body(settings: &'static Settings, status: StatusCode) -> Bytes {
    match settings.prerendered(status) {
        Some(body) => Bytes::from_static(body),
        None => Bytes::from(body::render(
            settings.format,
            status,
            settings.default_message(status),
            None,
        )),
    }
}

fn finish(
    settings: &Settings,
    status: StatusCode,
    body: Bytes,
    mut headers: HeaderMap,
) -> Response<Bytes> {
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(settings.format.content_type()),
    );
    if status == StatusCode::NOT_FOUND {
        // A 404 is heuristically cacheable (RFC 9110 §15.5.5). A concealed one must not
        // outlive a change of permission, and a genuine one must look the same.
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}
