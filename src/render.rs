//! The one rendering path: every framework sends what this decides.

use std::borrow::Cow;
use std::cell::Cell;

use bytes::Bytes;
use http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderValue, Response, StatusCode};

use crate::config::Settings;
use crate::{body, BodyFormat, HttpError, ReportHook};

/// Decides the status, headers and body bytes of `error`; `wrap` only turns the bytes into a
/// framework's body type, so that an adapter builds its response in place.
///
/// Default bodies are rendered in advance, so the common refusals copy nothing; a body with
/// its own message or reason takes one allocation of its exact size.
pub(crate) fn render<B>(
    error: &HttpError,
    settings: &'static Settings,
    wrap: impl FnOnce(Bytes) -> B,
) -> Response<B> {
    if let Some(report) = settings.report {
        report_once(report, error);
    }
    // Decided once: it walks the challenges, and everything below depends on it.
    if error.lacks_usable_challenge() {
        let status = StatusCode::INTERNAL_SERVER_ERROR;
        return response(settings, status, wrap(default_body(settings, status)));
    }
    let status = error.built_status();
    if error.is_plain() {
        return response(settings, status, wrap(default_body(settings, status)));
    }

    let body = match (error.exposed_message(), error.reason(), error.members()) {
        (None, None, None) => default_body(settings, status),
        (Some(message), None, None) => match settings.prerendered(status) {
            Some(prerendered) => Bytes::from(prerendered.template.render(message)),
            None => Bytes::from(body::render_plain(settings.format, status, message)),
        },
        (message, reason, members) => {
            let own_type = members.and_then(|members| members.problem_type.as_deref());
            let problem_type = match (own_type, reason, &settings.problem_type_base) {
                (Some(own), _, _) => Cow::Borrowed(own),
                (None, Some(reason), Some(base)) => Cow::Owned(format!("{base}{}", reason.code())),
                _ => Cow::Borrowed(body::ABOUT_BLANK),
            };
            Bytes::from(body::render(&body::Parts {
                format: settings.format,
                status,
                message: message.unwrap_or_else(|| settings.default_message(status)),
                reason: reason.map(|reason| (reason, settings.reason_details)),
                problem_type: &problem_type,
                members,
            }))
        }
    };

    let mut response = response(settings, status, wrap(body));
    if !error.has_extra_headers() {
        return response;
    }
    let headers = response.headers_mut();
    for challenge in error.sendable_challenges() {
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
    response
}

thread_local! {
    /// Set while the report hook runs, so that a hook that renders an error does not call
    /// itself again.
    static REPORTING: Cell<bool> = const { Cell::new(false) };
}

/// Calls the report hook, unless this render happens inside it.
fn report_once(report: ReportHook, error: &HttpError) {
    /// Clears the flag even when the hook panics.
    struct Reporting;
    impl Drop for Reporting {
        fn drop(&mut self) {
            let _ = REPORTING.try_with(|reporting| reporting.set(false));
        }
    }
    // Inside the hook already, or while the thread's locals are torn down: no report.
    let already_reporting = REPORTING.try_with(|reporting| reporting.replace(true));
    if !matches!(already_reporting, Ok(false)) {
        return;
    }
    let _reporting = Reporting;
    report(error);
}

#[inline]
fn default_body(settings: &'static Settings, status: StatusCode) -> Bytes {
    match settings.prerendered(status) {
        Some(prerendered) => Bytes::from_static(&prerendered.default_body),
        None => Bytes::from(body::render_plain(
            settings.format,
            status,
            settings.default_message(status),
        )),
    }
}

const JSON: HeaderValue = HeaderValue::from_static(BodyFormat::Json.content_type());
const PROBLEM_JSON: HeaderValue = HeaderValue::from_static(BodyFormat::Problem.content_type());
const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");

/// The response with the headers every refusal of `status` carries.
fn response<B>(settings: &Settings, status: StatusCode, body: B) -> Response<B> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    let content_type = match settings.format {
        BodyFormat::Json => JSON,
        BodyFormat::Problem => PROBLEM_JSON,
    };
    headers.insert(CONTENT_TYPE, content_type);
    if status == StatusCode::NOT_FOUND {
        // A 404 is heuristically cacheable (RFC 9110 §15.5.5). A concealed one must not
        // outlive a change of permission, and a genuine one must look the same.
        headers.insert(CACHE_CONTROL, NO_STORE);
    }
    response
}
