//! The one rendering path: every framework sends what this decides, for every request.

use std::borrow::Cow;

use bytes::Bytes;
use http::header::{
    ALLOW, CACHE_CONTROL, CONTENT_LANGUAGE, CONTENT_TYPE, RETRY_AFTER, VARY, WWW_AUTHENTICATE,
};
use http::{HeaderMap, HeaderValue, Response, StatusCode};

use crate::body::{self, BodyFormat, RequestMembers};
use crate::config::{self, KeptBody, Language, Settings};
use crate::context::{self, RequestContext};
use crate::error::HttpError;
use crate::error::{Forbidden, Unauthorized};
use crate::reason::Reason;
use crate::report::{report_once, Report, RequestView};

impl HttpError {
    /// Renders the response every framework sends: status, headers and body bytes, decided
    /// once here with the installed [`Config`](crate::Config), or, while a framework layer
    /// serves a request on this thread, with that app's settings and what the request says
    /// (its id, path, `Accept` and `Accept-Language`).
    ///
    /// ```
    /// let response = denied::Forbidden::new().render();
    /// assert_eq!(response.status(), 403);
    /// assert_eq!(response.headers()["content-type"], "application/json");
    /// ```
    ///
    /// A response rendered so is not known to a framework layer as the crate's own: to answer
    /// a request with an error, return the error (or convert it with `Into`), and a layer
    /// sends it as it is; a JSON 5xx the layer does not know is given the generic body (see
    /// [`Config::foreign_json`](crate::Config::foreign_json)).
    #[must_use]
    pub fn render(&self) -> Response<Bytes> {
        context::with_current(|request| {
            let settings = match request {
                Some(request) => request.settings(),
                None => config::settings(),
            };
            render(self, settings, request, std::convert::identity)
        })
    }

    /// [`render`](Self::render) with the body bytes wrapped in a framework's body type, for
    /// the response a request is answered with: with the settings and request of the app
    /// serving the request in scope, if a framework layer put one there, which then knows the
    /// response as the crate's own.
    pub(crate) fn render_with<B>(&self, wrap: impl FnOnce(Bytes) -> B) -> Response<B> {
        context::with_current(|request| {
            let settings = match request {
                Some(request) => {
                    // Marked before, so that the response is built where it is returned.
                    request.mark_sent(self.status());
                    request.settings()
                }
                None => config::settings(),
            };
            render(self, settings, request, wrap)
        })
    }
}

impl From<HttpError> for Response<Bytes> {
    fn from(error: HttpError) -> Self {
        error.render_with(std::convert::identity)
    }
}

/// What a refusal type renders: its [`HttpError`]'s response, rendered where the refusal is.
macro_rules! render_refusal {
    ($($refusal:ident),*) => {$(
        impl $refusal {
            /// Renders the response every framework sends (see [`HttpError::render`]).
            #[must_use]
            pub fn render(&self) -> Response<Bytes> {
                self.as_http_error().render()
            }

        }

        with_framework! {
            renders_refusals_in_place:
            impl $refusal {
                /// [`HttpError::render_with`] for the adapters: the refusal is rendered where
                /// it is, not moved into an `HttpError` first.
                pub(crate) fn render_with<B>(
                    &self,
                    wrap: impl FnOnce(Bytes) -> B,
                ) -> Response<B> {
                    self.as_http_error().render_with(wrap)
                }
            }
        }

        impl From<$refusal> for Response<Bytes> {
            fn from(refusal: $refusal) -> Self {
                refusal.as_http_error().render_with(std::convert::identity)
            }
        }
    )*};
}

render_refusal!(Forbidden, Unauthorized);

/// Decides the status, headers and body bytes of `error`, with `settings` and, when a
/// framework layer serves it, what its `request` says; `wrap` only turns the bytes into a
/// framework's body type, so that an adapter builds its response in place.
///
/// Default bodies are rendered in advance, so the common refusals copy nothing; a body with
/// its own message or reason, or with the request's id or path, takes one allocation of its
/// exact size.
#[inline(always)]
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
    if settings.report.is_none() && !cfg!(feature = "tracing") {
        return;
    }
    let request = request.map_or_else(RequestView::default, |request| RequestView {
        method: request.method(),
        path: request.path(),
        id: request.request_id.as_ref().and_then(|id| id.to_str().ok()),
    });
    let report = Report::new(error, request);
    #[cfg(feature = "tracing")]
    crate::trace::rendered(&report);
    if let Some(hook) = &settings.report {
        report_once(hook, &report);
    }
}

/// [`render`] without calling the report hook: for a render whose report is made elsewhere.
#[inline(always)]
pub(crate) fn render_unreported<B>(
    error: &HttpError,
    settings: &Settings,
    request: Option<&RequestContext>,
    wrap: impl FnOnce(Bytes) -> B,
) -> Response<B> {
    let shape = Shape::new(settings, request);
    match shape.default_refusal(error) {
        Some((verdict, body)) => shape.respond(error, &verdict, body.for_response(wrap)),
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
        Some(own) if !verdict.for_want_of_challenge => own,
        _ => verdict.language.sentence(verdict.status),
    };
    (shape.respond(error, &verdict, ()), message)
}

/// The status an error is sent with and the language it speaks.
struct Verdict<'a> {
    status: StatusCode,
    language: &'a Language,
    /// Sent as a generic 500 for want of a challenge that can be sent: with the 500's default
    /// body, and none of the error's own message or headers.
    for_want_of_challenge: bool,
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
                .and_then(RequestContext::instance),
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

    /// The verdict and the body, rendered in advance, of an error that is its status's default
    /// refusal: one whose body has nothing of its own (no exposed message, reason or member),
    /// to a request that adds nothing to the body either (no request id, no `instance`), and
    /// that does not need a challenge it lacks. Nothing is left to decide but the headers: its
    /// own are added as on the decided way, the ones that cannot be sent left out. The
    /// refusals of a flood (a 403, a concealed 404, an unknown route, a 401 with its challenge,
    /// a 429 with `Retry-After`) take this way.
    #[inline(always)]
    fn default_refusal(&self, error: &HttpError) -> Option<(Verdict<'a>, &'a KeptBody)> {
        if !error.has_default_body() || !self.request_members.is_empty() {
            return None;
        }
        // A 401 without a usable challenge, or an error whose challenges none fits, goes the
        // decided way, out as a 500.
        if error.lacks_usable_challenge() {
            return None;
        }
        let status = error.built_status();
        let language = self.language(status);
        let prerendered = language.prerendered(self.format, status)?;
        let verdict = Verdict {
            status,
            language,
            for_want_of_challenge: false,
        };
        Some((verdict, &prerendered.default_body))
    }

    /// The verdict and the kept body of an error whose body is its own message of `'static`
    /// text and nothing else, unless it lacks a challenge it needs: the body is rendered
    /// once and kept by the settings, while they have room for it.
    #[inline(always)]
    fn kept_own_message(&self, error: &HttpError) -> Option<(Verdict<'a>, &'a KeptBody)> {
        let message = error.exposed_static_message()?;
        if error.reason().is_some()
            || error.members().is_some()
            || !self.request_members.is_empty()
            || error.lacks_usable_challenge()
        {
            return None;
        }
        let status = error.built_status();
        // An error's own message is in no catalog: its body is the base language's.
        let language = self.settings.base();
        let prerendered = language.prerendered(self.format, status)?;
        let body = self.settings.kept_own_message_body(prerendered, message)?;
        let verdict = Verdict {
            status,
            language,
            for_want_of_challenge: false,
        };
        Some((verdict, body))
    }

    /// Sends `error` with the body its settings keep for its own message, if they keep one;
    /// otherwise decides its status, headers and body one by one.
    #[inline(never)]
    fn render_decided<B>(&self, error: &HttpError, wrap: impl FnOnce(Bytes) -> B) -> Response<B> {
        if let Some((verdict, body)) = self.kept_own_message(error) {
            return self.respond(error, &verdict, body.for_response(wrap));
        }
        self.render_general(error, wrap)
    }

    /// Decides the status, headers and body of `error` one by one, its body rendered for this
    /// response.
    #[inline(always)]
    fn render_general<B>(&self, error: &HttpError, wrap: impl FnOnce(Bytes) -> B) -> Response<B> {
        let verdict = self.verdict(error);
        let body = self.body(error, &verdict);
        self.respond(error, &verdict, wrap(body))
    }

    fn verdict(&self, error: &HttpError) -> Verdict<'a> {
        if error.lacks_usable_challenge() {
            let status = StatusCode::INTERNAL_SERVER_ERROR;
            return Verdict {
                status,
                language: self.language(status),
                for_want_of_challenge: true,
            };
        }
        let status = error.built_status();
        // An error's own message is in no catalog: its body and `Content-Language` are the
        // base language's.
        let language = match error.exposed_message() {
            Some(_) => self.settings.base(),
            None => self.language(status),
        };
        Verdict {
            status,
            language,
            for_want_of_challenge: false,
        }
    }

    /// The language the request prefers, among those with a sentence for `status`.
    #[inline(always)]
    fn language(&self, status: StatusCode) -> &'a Language {
        let preferred_language = self.request.map_or(0, RequestContext::language);
        self.settings.language_for(preferred_language, status)
    }

    fn body(&self, error: &HttpError, verdict: &Verdict<'_>) -> Bytes {
        let Verdict {
            status, language, ..
        } = *verdict;
        if verdict.for_want_of_challenge {
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
                        prerendered.default_body.as_bytes(),
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
    #[inline(always)]
    fn respond<B>(&self, error: &HttpError, verdict: &Verdict<'_>, body: B) -> Response<B> {
        let mut response = Response::new(body);
        self.set_head(&mut response, verdict.status, verdict.language);
        if !verdict.for_want_of_challenge && error.has_extra_headers() {
            append_own_headers(error, response.headers_mut(), self.settings);
        }
        response
    }
}

/// Appends the challenges, `Allow` and `Retry-After` of `error` that can be sent. A `Bearer`
/// or `Basic` challenge without a realm of its own takes the app's.
#[inline(never)]
fn append_own_headers(error: &HttpError, headers: &mut HeaderMap, settings: &Settings) {
    if let Some(interned) = error.interned_challenge() {
        // An interned challenge is the error's only header of its own.
        if let Some(value) = settings.interned_challenge_value(interned) {
            headers.append(WWW_AUTHENTICATE, value);
        }
        return;
    }
    for challenge in error.sendable_challenges() {
        if let Some(value) = challenge.header_value_in(&settings.realm) {
            headers.append(WWW_AUTHENTICATE, value);
        }
    }
    if let Some(allow) = error.allow() {
        headers.insert(ALLOW, allow.clone());
    }
    if let Some(retry_after) = error.retry_after_header() {
        headers.insert(RETRY_AFTER, retry_after);
    }
}

impl Shape<'_> {
    #[inline]
    fn default_body(&self, status: StatusCode, language: &Language) -> Bytes {
        match language.prerendered(self.format, status) {
            Some(prerendered) if self.request_members.is_empty() => {
                prerendered.default_body.to_bytes()
            }
            Some(prerendered) => Bytes::from(body::default_with(
                prerendered.default_body.as_bytes(),
                self.format,
                None,
                &self.request_members,
            )),
            None => self.general_body(status, language, language.sentence(status), None, None),
        }
    }

    /// Whether a problem with `reason` (and no type of its own) has a `type` of its own
    /// reason: with a problem type base, for a code that is URI-safe.
    fn types_problem(&self, reason: &Reason) -> bool {
        self.format == BodyFormat::Problem
            && self.settings.problem_type_base.is_some()
            && is_unreserved(reason.code())
    }

    fn general_body(
        &self,
        status: StatusCode,
        language: &Language,
        message: &str,
        reason: Option<&Reason>,
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

    /// Sets the status of `response` and the headers every refusal of that status carries.
    /// (The response is built by the caller, which returns it: built here and returned, it
    /// would be copied once more.)
    #[inline(always)]
    fn set_head<B>(&self, response: &mut Response<B>, status: StatusCode, language: &Language) {
        *response.status_mut() = status;
        let headers = response.headers_mut();
        let content_type = match self.format {
            BodyFormat::Json => JSON,
            BodyFormat::Problem => PROBLEM_JSON,
        };
        headers.insert(CONTENT_TYPE, content_type);
        if status == StatusCode::NOT_FOUND {
            // A 404 is heuristically cacheable (RFC 9110 §15.5.5). A concealed one must not
            // outlive a change of permission, and a genuine one must look the same.
            headers.insert(CACHE_CONTROL, NO_STORE);
        }
        if self.settings.names_language() {
            headers.insert(CONTENT_LANGUAGE, language.content_language.clone());
        }
        if let Some(request) = self.request {
            let vary = match (self.settings.negotiate, self.settings.offers_languages()) {
                (true, true) => Some(VARY_BOTH),
                (true, false) => Some(VARY_ACCEPT),
                (false, true) => Some(VARY_LANGUAGE),
                (false, false) => None,
            };
            if let Some(vary) = vary {
                headers.insert(VARY, vary);
            }
            if let (Some(name), Some(id)) = (&self.settings.request_id_header, &request.request_id)
            {
                headers.insert(name.clone(), id.clone());
            }
        }
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

#[cfg(test)]
mod tests;
