//! The one rendering path: every framework sends what this decides, for every request.

use std::borrow::Cow;

use bytes::Bytes;
use http::header::{
    ALLOW, CACHE_CONTROL, CONTENT_LANGUAGE, CONTENT_TYPE, RETRY_AFTER, VARY, WWW_AUTHENTICATE,
};
use http::{HeaderMap, HeaderValue, Response, StatusCode};

use crate::body::{self, RequestMembers};
use crate::config::{Language, Prerendered, Settings};
use crate::context::RequestContext;
use crate::report::{report_once, Report};
use crate::{BodyFormat, HttpError};

/// Decides the status, headers and body bytes of `error`, with `settings` and, when a
/// framework layer serves it, what its `request` says; `wrap` only turns the bytes into a
/// framework's body type, so that an adapter builds its response in place.
///
/// Default bodies are rendered in advance, so the common refusals copy nothing; a body with
/// its own message or reason, or with the request's id or path, takes one allocation of its
/// exact size.
pub(crate) fn render<B>(
    error: &HttpError,
    settings: &Settings,
    request: Option<&RequestContext>,
    wrap: impl FnOnce(Bytes) -> B,
) -> Response<B> {
    report(error, settings, request);
    render_unreported(error, settings, request, wrap)
}

/// Calls the settings' report hook with `error` and the request it answers, and, with the
/// `tracing` feature, emits its event.
pub(crate) fn report(error: &HttpError, settings: &Settings, request: Option<&RequestContext>) {
    #[cfg(feature = "tracing")]
    crate::trace::rendered(error, request);
    if let Some(hook) = &settings.report {
        report_once(hook, &Report::new(error, request));
    }
}

/// [`render`] without calling the report hook: for a render whose report is made elsewhere.
pub(crate) fn render_unreported<B>(
    error: &HttpError,
    settings: &Settings,
    request: Option<&RequestContext>,
    wrap: impl FnOnce(Bytes) -> B,
) -> Response<B> {
    let shape = Shape::new(settings, request);
    match shape.prebuilt(error) {
        Some(prebuilt) => shape.with_prebuilt_head(prebuilt, wrap(prebuilt.default_body.clone())),
        None => shape.render_decided(error, wrap),
    }
}

/// What [`render`] sends for `error` but its body: the status and headers, and the sentence
/// the body would carry. For a protocol whose errors carry a message instead of a body (gRPC).
#[cfg(feature = "tonic")]
pub(crate) fn render_head<'a>(
    error: &'a HttpError,
    settings: &'a Settings,
    request: Option<&'a RequestContext>,
) -> (Response<()>, &'a str) {
    report(error, settings, request);
    let shape = Shape::new(settings, request);
    let verdict = shape.verdict(error);
    let message = match error.exposed_message() {
        Some(own) if !verdict.plain => own,
        _ => verdict.language.sentence(verdict.status),
    };
    (shape.respond(error, &verdict, ()), message)
}

/// The status an error is sent with and the language it speaks.
struct Verdict<'a> {
    status: StatusCode,
    language: &'a Language,
    /// Sent as the status's default refusal: a plain error, or one whose challenge cannot be
    /// sent (then a 500), with none of its own headers.
    plain: bool,
}

/// What the settings and the request decide for every body and response.
struct Shape<'a> {
    settings: &'a Settings,
    request: Option<&'a RequestContext>,
    format: BodyFormat,
    request_members: RequestMembers<'a>,
}

impl<'a> Shape<'a> {
    fn new(settings: &'a Settings, request: Option<&'a RequestContext>) -> Self {
        let format = request
            .and_then(RequestContext::format)
            .unwrap_or(settings.format);
        let request_members = RequestMembers {
            instance: request
                .filter(|_| settings.instance_from_path && format == BodyFormat::Problem)
                .and_then(RequestContext::path),
            request_id: request
                .and_then(|request| request.request_id.as_ref())
                .and_then(|id| id.to_str().ok()),
        };
        Self {
            settings,
            request,
            format,
            request_members,
        }
    }

    /// A refusal with nothing of its own (no message, reason, member or header), to a request
    /// that adds nothing to it either (no request id, no `instance`), is its status's default
    /// refusal: the settings built it in advance, head and body, so nothing is left to decide.
    /// The common refusals of a flood (a 403, a concealed 404, an unknown route) take this way.
    #[inline]
    fn prebuilt(&self, error: &HttpError) -> Option<&'a Prerendered> {
        if !error.is_plain() || !self.request_members.is_empty() || self.echoes_request_id() {
            return None;
        }
        let status = error.built_status();
        // Headers are all it lacks, so only a 401 lacks a challenge: it goes the general way,
        // out as a 500.
        if status == StatusCode::UNAUTHORIZED {
            return None;
        }
        let preferred_language = self.request.map_or(0, RequestContext::language);
        self.settings
            .language_for(preferred_language, status)
            .prerendered(self.format, status)
    }

    /// Whether the response names the request's id in a header.
    fn echoes_request_id(&self) -> bool {
        self.settings.request_id_header.is_some()
            && self
                .request
                .is_some_and(|request| request.request_id.is_some())
    }

    /// The response of `prebuilt`'s status with `body` and the head the settings built for
    /// that status: one copy of a map instead of hashing each header in.
    fn with_prebuilt_head<B>(&self, prebuilt: &Prerendered, body: B) -> Response<B> {
        let mut response = Response::new(body);
        *response.status_mut() = prebuilt.status();
        let head = prebuilt.head(self.request.is_some()).clone();
        // A new response's map is empty, and `HeaderMap::new` allocates nothing: forgetting it
        // frees nothing and saves the drop of an empty map, about 50 instructions, a fifth of
        // what the default refusal costs over the floor (`benches/render.rs`). Were a new map
        // ever to allocate, `tests/allocations.rs` would count one allocation more.
        std::mem::forget(std::mem::replace(response.headers_mut(), head));
        response
    }

    /// Decides the status, headers and body of `error` one by one.
    fn render_decided<B>(&self, error: &HttpError, wrap: impl FnOnce(Bytes) -> B) -> Response<B> {
        let verdict = self.verdict(error);
        let body = self.body(error, &verdict);
        self.respond(error, &verdict, wrap(body))
    }

    fn verdict(&self, error: &HttpError) -> Verdict<'a> {
        let preferred_language = self.request.map_or(0, RequestContext::language);
        // Asked once: it walks the challenges.
        let lacks_usable_challenge = error.lacks_usable_challenge();
        if lacks_usable_challenge || error.is_plain() {
            let status = if lacks_usable_challenge {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                error.built_status()
            };
            let language = self.settings.language_for(preferred_language, status);
            return Verdict {
                status,
                language,
                plain: true,
            };
        }
        let status = error.built_status();
        // An error's own message is in no catalog: its body and `Content-Language` are the
        // base language's.
        let language = match error.exposed_message() {
            Some(_) => self.settings.base(),
            None => self.settings.language_for(preferred_language, status),
        };
        Verdict {
            status,
            language,
            plain: false,
        }
    }

    fn body(&self, error: &HttpError, verdict: &Verdict<'_>) -> Bytes {
        let Verdict {
            status, language, ..
        } = *verdict;
        if verdict.plain {
            return self.default_body(status, language);
        }
        match (error.exposed_message(), error.reason(), error.members()) {
            (None, None, None) => self.default_body(status, language),
            (Some(message), None, None) => match language.prerendered(self.format, status) {
                Some(prerendered) => {
                    Bytes::from(prerendered.template.render(message, &self.request_members))
                }
                None => self.general_body(status, language, message, None, None),
            },
            // The default body and the reason's members after it, when the body's `type` is
            // the default body's.
            (None, Some(reason), None) if !self.types_problem(reason) => {
                match language.prerendered(self.format, status) {
                    Some(prerendered) => Bytes::from(body::default_with(
                        &prerendered.default_body,
                        self.format,
                        Some((reason, self.settings.reason_details)),
                        &self.request_members,
                    )),
                    None => self.general_body(
                        status,
                        language,
                        language.sentence(status),
                        Some(reason),
                        None,
                    ),
                }
            }
            (message, reason, members) => self.general_body(
                status,
                language,
                message.unwrap_or_else(|| language.sentence(status)),
                reason,
                members,
            ),
        }
    }

    /// The response with its status, the headers every refusal of that status carries, and
    /// the error's own.
    fn respond<B>(&self, error: &HttpError, verdict: &Verdict<'_>, body: B) -> Response<B> {
        let mut response = self.response(verdict.status, verdict.language, body);
        if verdict.plain || !error.has_extra_headers() {
            return response;
        }
        let headers = response.headers_mut();
        for challenge in error.sendable_challenges() {
            if let Some(value) = challenge.usable_header_value() {
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
}

impl Shape<'_> {
    #[inline]
    fn default_body(&self, status: StatusCode, language: &Language) -> Bytes {
        match language.prerendered(self.format, status) {
            Some(prerendered) if self.request_members.is_empty() => {
                prerendered.default_body.clone()
            }
            Some(prerendered) => Bytes::from(body::default_with(
                &prerendered.default_body,
                self.format,
                None,
                &self.request_members,
            )),
            None => self.general_body(status, language, language.sentence(status), None, None),
        }
    }

    /// Whether a problem with `reason` (and no type of its own) has a `type` of its own
    /// reason: with a problem type base, for a code that is URI-safe.
    fn types_problem(&self, reason: &crate::Reason) -> bool {
        self.format == BodyFormat::Problem
            && self.settings.problem_type_base.is_some()
            && is_unreserved(reason.code())
    }

    fn general_body(
        &self,
        status: StatusCode,
        language: &Language,
        message: &str,
        reason: Option<&crate::Reason>,
        members: Option<&body::Members>,
    ) -> Bytes {
        let own_type = members.and_then(|members| members.problem_type.as_deref());
        let problem_type = match (own_type, reason, &self.settings.problem_type_base) {
            // Only a problem carries a type.
            _ if self.format != BodyFormat::Problem => Cow::Borrowed(body::ABOUT_BLANK),
            (Some(own), _, _) => Cow::Borrowed(own),
            // A custom code that is not URI-safe (`out of stock`) names no type.
            (None, Some(reason), Some(base)) if self.types_problem(reason) => {
                Cow::Owned([base.as_ref(), reason.code()].concat())
            }
            _ => Cow::Borrowed(body::ABOUT_BLANK),
        };
        Bytes::from(body::render(&body::Parts {
            format: self.format,
            status,
            phrase: language.phrase(status),
            message,
            reason: reason.map(|reason| (reason, self.settings.reason_details)),
            problem_type: &problem_type,
            members,
            request: self.request_members,
        }))
    }

    /// The response with the headers every refusal of `status` carries.
    fn response<B>(&self, status: StatusCode, language: &Language, body: B) -> Response<B> {
        let mut response = Response::new(body);
        *response.status_mut() = status;
        let headers = response.headers_mut();
        let head = Head {
            format: self.format,
            status,
            content_language: self
                .settings
                .names_language()
                .then_some(&language.content_language),
            vary: self
                .request
                .and_then(|_| vary(self.settings.negotiate, self.settings.names_language())),
        };
        head.insert_into(headers);
        if let Some(request) = self.request {
            if let (Some(name), Some(id)) = (&self.settings.request_id_header, &request.request_id)
            {
                headers.insert(name.clone(), id.clone());
            }
        }
        response
    }
}

/// The headers every refusal of a status carries, whatever the error: the settings build them
/// in advance for each status, and [`Shape::response`] inserts them for the others.
pub(crate) struct Head<'a> {
    pub(crate) format: BodyFormat,
    pub(crate) status: StatusCode,
    /// The language's tag, when the settings name it.
    pub(crate) content_language: Option<&'a HeaderValue>,
    /// Sent to a request whose headers chose the format or the language.
    pub(crate) vary: Option<HeaderValue>,
}

impl Head<'_> {
    pub(crate) fn insert_into(self, headers: &mut HeaderMap) {
        let content_type = match self.format {
            BodyFormat::Json => JSON,
            BodyFormat::Problem => PROBLEM_JSON,
        };
        headers.insert(CONTENT_TYPE, content_type);
        if self.status == StatusCode::NOT_FOUND {
            // A 404 is heuristically cacheable (RFC 9110 §15.5.5). A concealed one must not
            // outlive a change of permission, and a genuine one must look the same.
            headers.insert(CACHE_CONTROL, NO_STORE);
        }
        if let Some(content_language) = self.content_language {
            headers.insert(CONTENT_LANGUAGE, content_language.clone());
        }
        if let Some(vary) = self.vary {
            headers.insert(VARY, vary);
        }
    }
}

/// The `Vary` of a response to a request: the headers the settings let choose its format
/// (`negotiate`) and its language (`names_language`).
pub(crate) fn vary(negotiate: bool, names_language: bool) -> Option<HeaderValue> {
    match (negotiate, names_language) {
        (true, true) => Some(VARY_BOTH),
        (true, false) => Some(VARY_ACCEPT),
        (false, true) => Some(VARY_LANGUAGE),
        (false, false) => None,
    }
}

/// Whether `code` is made of URI unreserved characters (RFC 3986 §2.3) only.
fn is_unreserved(code: &str) -> bool {
    !code.is_empty()
        && code
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-._~".contains(&byte))
}

const JSON: HeaderValue = HeaderValue::from_static(BodyFormat::Json.content_type());
const PROBLEM_JSON: HeaderValue = HeaderValue::from_static(BodyFormat::Problem.content_type());
const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");
const VARY_ACCEPT: HeaderValue = HeaderValue::from_static("accept");
const VARY_LANGUAGE: HeaderValue = HeaderValue::from_static("accept-language");
const VARY_BOTH: HeaderValue = HeaderValue::from_static("accept, accept-language");

/// Asserts that every response the prebuilt way sends is the one inserting each header sends:
/// the same status, headers in the same order, and body.
#[cfg(test)]
pub(crate) fn assert_prebuilt_is_inserted(
    error: &HttpError,
    settings: &Settings,
    request: Option<&RequestContext>,
) {
    let sent = render_unreported(error, settings, request, |bytes| bytes);
    if error.has_extra_headers() {
        // Never prebuilt: its headers follow.
        return;
    }
    let shape = Shape::new(settings, request);
    let verdict = shape.verdict(error);
    let inserted = shape.response(
        verdict.status,
        verdict.language,
        shape.body(error, &verdict),
    );
    let head = |response: &Response<Bytes>| -> Vec<(String, Vec<u8>)> {
        response
            .headers()
            .iter()
            .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
            .collect()
    };
    assert_eq!(sent.status(), inserted.status(), "{error:?}");
    assert_eq!(head(&sent), head(&inserted), "{error:?}");
    assert_eq!(sent.body(), inserted.body(), "{error:?}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Catalog, Config, Forbidden, Reason};

    /// Every status, plain or with a message or reason of its own, concealed or not, in each
    /// format, language setting and negotiation setting: what the prebuilt head and default
    /// body send is what inserting each header sends.
    #[test]
    fn a_prebuilt_response_is_the_one_built_header_by_header() {
        let mut prebuilt_any = false;
        for format in [BodyFormat::Json, BodyFormat::Problem] {
            for negotiate in [false, true] {
                for languages in [false, true] {
                    let mut config = Config::new().format(format).negotiate(negotiate);
                    if languages {
                        config = config.language(
                            "de",
                            Catalog::new().message(StatusCode::FORBIDDEN, "Verboten"),
                        );
                    }
                    let settings = config.build().unwrap();
                    for code in 400..=599 {
                        let status = StatusCode::from_u16(code).unwrap();
                        let errors = [
                            HttpError::new(status),
                            HttpError::new(status).with_message("its own"),
                            HttpError::new(status).with_reason(Reason::Custom("taken".into())),
                        ];
                        for error in &errors {
                            assert_prebuilt_is_inserted(error, &settings, None);
                        }
                        prebuilt_any |= Shape::new(&settings, None).prebuilt(&errors[0]).is_some();
                    }
                    for error in [
                        Forbidden::not_owner().conceal(),
                        crate::Unauthorized::bearer("example").into(),
                    ] {
                        assert_prebuilt_is_inserted(&error, &settings, None);
                    }
                }
            }
        }
        assert!(prebuilt_any, "no status took the prebuilt way");
    }

    /// A reason on the default sentence is sent as the default body with the reason's members
    /// appended, whenever the body's `type` allows; the bytes are those of the body rendered
    /// whole, whatever the settings.
    #[test]
    fn a_reason_on_the_default_sentence_is_the_body_rendered_whole() {
        let errors = || -> Vec<HttpError> {
            vec![
                Forbidden::missing_role("admin").into(),
                Forbidden::missing_scope("quote \" and \u{2603}").into(),
                Forbidden::not_owner().into(),
                Forbidden::new()
                    .with_reason(Reason::Custom("out of stock".into()))
                    .into(),
                HttpError::new(StatusCode::CONFLICT).with_reason(Reason::Custom("taken".into())),
                // No body rendered in advance for this status.
                HttpError::new(StatusCode::from_u16(499).unwrap_or(StatusCode::CONFLICT))
                    .with_reason(Reason::Custom("gone_fishing".into())),
            ]
        };
        for format in [BodyFormat::Json, BodyFormat::Problem] {
            for base in [None, Some("https://example.com/problems/")] {
                for details in [true, false] {
                    let mut config = Config::new()
                        .format(format)
                        .reason_details(details)
                        .message(StatusCode::FORBIDDEN, "Nope \"quoted\"");
                    if let Some(base) = base {
                        config = config.problem_type_base(base);
                    }
                    let settings = config.build().unwrap();
                    for error in errors() {
                        let sent = render_unreported(&error, &settings, None, |bytes| bytes);
                        let shape = Shape::new(&settings, None);
                        let verdict = shape.verdict(&error);
                        let whole = shape.general_body(
                            verdict.status,
                            verdict.language,
                            verdict.language.sentence(verdict.status),
                            error.reason(),
                            None,
                        );
                        assert_eq!(
                            sent.body(),
                            &whole,
                            "{error:?} {format:?} base {base:?} details {details}"
                        );
                    }
                }
            }
        }
    }
}
