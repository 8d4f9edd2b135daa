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

/// A response's headers, in order, as text and bytes.
#[cfg(test)]
fn head(response: &Response<Bytes>) -> Vec<(String, Vec<u8>)> {
    response
        .headers()
        .iter()
        .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
        .collect()
}

/// Asserts that `error` is sent the same whether it takes the way of a default refusal (or of a
/// kept own message) or has every part decided and its body rendered for the response: the
/// same status, headers in the same order, and body. Both ways add the error's own headers
/// with [`Shape::respond`], so these are also checked against the error itself: each
/// challenge that can be sent on its own line, `Allow` and `Retry-After`, or none of them on a
/// 500 for want of a challenge. Says whether [`Shape::default_refusal`] takes it the first
/// way.
#[cfg(test)]
pub(crate) fn assert_default_refusal_is_decided_alike(
    error: &HttpError,
    settings: &Settings,
    request: Option<&RequestContext>,
) -> bool {
    let sent = render_unreported(error, settings, request, |bytes| bytes);
    let shape = Shape::new(settings, request);
    let decided = shape.render_general(error, |bytes| bytes);
    assert_eq!(sent.status(), decided.status(), "{error:?}");
    assert_eq!(head(&sent), head(&decided), "{error:?}");
    assert_eq!(sent.body(), decided.body(), "{error:?}");

    let own_names = [WWW_AUTHENTICATE, ALLOW, RETRY_AFTER];
    let own_headers_sent: Vec<(String, Vec<u8>)> = head(&sent)
        .into_iter()
        .filter(|(name, _)| own_names.iter().any(|own| own.as_str() == name))
        .collect();
    let own_headers = if error.lacks_usable_challenge() {
        Vec::new()
    } else {
        let challenges = error
            .challenges()
            .iter()
            .filter(|challenge| challenge.fits(error.built_status()))
            .filter_map(|challenge| {
                // A `Bearer` or `Basic` challenge whose only want is a realm is sent in the
                // app's.
                let in_app_realm = || {
                    challenge
                        .clone()
                        .with_realm(settings.realm.clone())
                        .to_header_value()
                        .ok()
                };
                let is_bearer_or_basic = ["Bearer", "Basic"]
                    .iter()
                    .any(|scheme| challenge.scheme().eq_ignore_ascii_case(scheme));
                match challenge.to_header_value() {
                    Ok(_) if is_bearer_or_basic && challenge.param("realm").is_none() => {
                        in_app_realm()
                    }
                    Ok(value) => Some(value),
                    Err(
                        crate::challenge::InvalidChallenge::Bare(_)
                        | crate::challenge::InvalidChallenge::NoRealm(_),
                    ) => in_app_realm(),
                    Err(_) => None,
                }
            })
            .map(|value| (WWW_AUTHENTICATE, value));
        let allow = error.allow().cloned().map(|value| (ALLOW, value));
        let retry_after = error.retry_after_header().map(|value| (RETRY_AFTER, value));
        challenges
            .chain(allow)
            .chain(retry_after)
            .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
            .collect()
    };
    assert_eq!(own_headers_sent, own_headers, "{error:?}");
    shape.default_refusal(error).is_some()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use http::Method;

    use super::*;
    use crate::error::ErrorStatus;

    /// The general error of any status: a status that needs a header of its own, which the
    /// general constructor refuses, as the generic 500 an app would send instead.
    fn general(status: StatusCode) -> HttpError {
        ErrorStatus::try_from(status).map_or_else(|_| HttpError::internal(), HttpError::new)
    }
    use crate::challenge::{BearerError, Challenge};
    use crate::config::{Catalog, Config};

    /// Every status, plain or with a message, reason or header of its own, concealed or not,
    /// in each format, language setting and negotiation setting: an error sent as its status's
    /// default refusal is sent as deciding every part sends it, and exactly the errors with a
    /// default body rendered in advance that do not lack a challenge they need are. Their own
    /// headers that cannot be sent are left out either way.
    #[test]
    fn a_default_refusal_is_sent_as_deciding_every_part_sends_it() {
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
                    for settings in for_both_lifetimes(config) {
                        let takes_default_way = |error: &HttpError, expected: bool| {
                            assert_eq!(
                                assert_default_refusal_is_decided_alike(error, &settings, None),
                                expected,
                                "{error:?}"
                            );
                        };
                        for code in 400..=599 {
                            let status = StatusCode::from_u16(code).unwrap();
                            let plain = general(status);
                            let prerendered = settings
                                .base()
                                .prerendered(format, plain.built_status())
                                .is_some();
                            takes_default_way(&plain, prerendered);
                            // A 5xx withholds its own message: its body is the default one.
                            let own_message = general(status).with_message("its own");
                            let withheld = plain.built_status().is_server_error();
                            takes_default_way(&own_message, prerendered && withheld);
                            let exposed = general(status).with_exposed_message("its own");
                            takes_default_way(&exposed, false);
                            let reason =
                                general(status).with_reason(Reason::Custom("taken".into()));
                            takes_default_way(&reason, false);
                            let retry_after =
                                general(status).with_retry_after(Duration::from_secs(30));
                            takes_default_way(&retry_after, prerendered);
                        }
                        takes_default_way(&Forbidden::not_owner().conceal(), true);
                        let allow = HttpError::method_not_allowed([Method::GET, Method::HEAD]);
                        takes_default_way(&allow, true);
                        // Challenges, the ones that cannot be sent left out: one that cannot be
                        // encoded, and a Bearer code of another status.
                        let misfit =
                            Challenge::bearer("example").with_error(BearerError::InvalidRequest);
                        let challenged: [HttpError; 9] = [
                            Unauthorized::bearer().into(),
                            Unauthorized::bearer().with_realm("example").into(),
                            Unauthorized::invalid_token("the token expired").into(),
                            Unauthorized::bearer()
                                .with_challenge(Challenge::basic("example"))
                                .into(),
                            Unauthorized::bearer()
                                .with_challenge(Challenge::basic("a\r\nb"))
                                .into(),
                            Unauthorized::bearer().with_challenge(misfit).into(),
                            HttpError::malformed_credentials("two tokens were sent"),
                            Unauthorized::new(Challenge::new("Basic").with_utf8_charset()).into(),
                            Unauthorized::new(
                                Challenge::bearer("example")
                                    .with_error(BearerError::InsufficientScope),
                            )
                            .into(),
                        ];
                        for error in challenged {
                            takes_default_way(&error, true);
                        }
                        // A date IMF-fixdate cannot write is left out.
                        let before_1970 = SystemTime::UNIX_EPOCH - Duration::from_secs(1);
                        let unwritable =
                            HttpError::too_many_requests().with_retry_after(before_1970);
                        takes_default_way(&unwritable, true);
                        // A challenge that cannot be sent, or a 401 with none at all (no public
                        // constructor builds one), goes the general way and out as a 500.
                        let unusable: HttpError =
                            Unauthorized::bearer().with_realm("line\r\nbreak").into();
                        let bare_401 = HttpError::with_status(StatusCode::UNAUTHORIZED);
                        for error in [unusable, bare_401] {
                            takes_default_way(&error, false);
                            let sent = render_unreported(&error, &settings, None, |bytes| bytes);
                            assert_eq!(sent.status(), StatusCode::INTERNAL_SERVER_ERROR);
                        }
                    }
                }
            }
        }
    }

    /// An app's own settings, and the same made as the process-wide settings are, whose kept
    /// bodies are `'static`.
    fn for_both_lifetimes(config: Config) -> [Settings; 2] {
        [
            config.clone().build().unwrap(),
            config.build().unwrap().for_the_process(),
        ]
    }

    /// An own message of `'static` text is sent as the same message built per request is:
    /// its body kept once per status, format and message, for each app's settings apart (and
    /// for the process-wide settings, which keep it `'static`), and sent from there on the
    /// first response and every later one. A status without a body rendered in advance, a
    /// message built per request or a request that adds a member to the body has its body
    /// rendered per response, and nothing kept.
    #[test]
    fn an_own_message_of_static_text_is_sent_as_one_built_per_request() {
        const MESSAGES: [&str; 2] = ["Only the owner may archive it", "A \"quote\" and \u{2603}"];
        let statuses = [
            StatusCode::BAD_REQUEST,
            StatusCode::FORBIDDEN,
            StatusCode::NOT_FOUND,
            StatusCode::CONFLICT,
            StatusCode::SERVICE_UNAVAILABLE,
            // No body rendered in advance for this status.
            StatusCode::from_u16(499).unwrap(),
        ];
        for format in [BodyFormat::Json, BodyFormat::Problem] {
            for negotiate in [false, true] {
                let config = Config::new().format(format).negotiate(negotiate).language(
                    "de",
                    Catalog::new().message(StatusCode::FORBIDDEN, "Verboten"),
                );
                for settings in for_both_lifetimes(config) {
                    for status in statuses {
                        for message in MESSAGES {
                            let built = general(status).with_exposed_message(message.to_owned());
                            let expected =
                                render_unreported(&built, &settings, None, |bytes| bytes);
                            let kept = general(status).with_exposed_message(message);
                            // Kept alive together, so that bodies rendered per response lie apart.
                            let sent: Vec<Response<Bytes>> = (0..3)
                                .map(|_| render_unreported(&kept, &settings, None, |bytes| bytes))
                                .collect();
                            for sent in &sent {
                                assert_eq!(sent.status(), expected.status(), "{kept:?}");
                                assert_eq!(head(sent), head(&expected), "{kept:?}");
                                assert_eq!(sent.body(), expected.body(), "{kept:?}");
                            }
                            // A kept body is shared by every response that sends it; one rendered
                            // per response (no body in advance for 499) is not.
                            let first = sent[0].body().as_ptr();
                            let shared = sent.iter().all(|sent| sent.body().as_ptr() == first);
                            assert_eq!(shared, status.as_u16() != 499, "{kept:?}");
                        }
                    }
                    // One body per status rendered in advance and message, in the one format
                    // these settings send without a request.
                    let kept_bodies = (statuses.len() - 1) * MESSAGES.len();
                    assert_eq!(settings.own_message_bodies_kept(), (kept_bodies, true));

                    // A request member in the body: rendered for the request, nothing kept.
                    let mut shape = Shape::new(&settings, None);
                    shape.request_members.request_id = Some("req-7");
                    let error = Forbidden::new().with_message("Kept for no request");
                    let sent = shape.render_decided(&error.into_http_error(), |bytes| bytes);
                    let body = String::from_utf8(sent.body().to_vec()).unwrap();
                    assert!(body.contains("Kept for no request"), "{body}");
                    assert!(body.contains("req-7"), "{body}");
                    assert_eq!(settings.own_message_bodies_kept(), (kept_bodies, true));
                }
            }
        }
    }

    /// Past the bodies the settings keep, an own message of `'static` text is rendered per
    /// response, the same bytes.
    #[test]
    fn own_messages_past_the_kept_ones_are_rendered_per_response() {
        let settings = Config::new().build().unwrap();
        let messages: Vec<&'static str> = (0..70)
            .map(|index| &*Box::leak(format!("Message {index}").into_boxed_str()))
            .collect();
        for message in &messages {
            let built =
                HttpError::new(ErrorStatus::CONFLICT).with_exposed_message(message.to_string());
            let expected = render_unreported(&built, &settings, None, |bytes| bytes);
            for _ in 0..2 {
                let kept = HttpError::new(ErrorStatus::CONFLICT).with_exposed_message(*message);
                let sent = render_unreported(&kept, &settings, None, |bytes| bytes);
                assert_eq!(sent.body(), expected.body(), "{message}");
            }
        }
        assert_eq!(settings.own_message_bodies_kept(), (64, true));
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
                HttpError::new(ErrorStatus::CONFLICT).with_reason(Reason::Custom("taken".into())),
                // No body rendered in advance for this status.
                general(StatusCode::from_u16(499).unwrap())
                    .with_reason(Reason::Custom("gone_fishing".into())),
            ]
        };
        for format in [BodyFormat::Json, BodyFormat::Problem] {
            for base in [None, Some("https://example.com/problems/")] {
                for details in [true, false] {
                    let mut config = Config::new()
                        .format(format)
                        .reason_details(details)
                        .base_language(
                            "en",
                            Catalog::new().message(StatusCode::FORBIDDEN, "Nope \"quoted\""),
                        );
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

    with_framework! {
        request_head:
        use crate::context::test_request;

        /// To a request, too, an error sent as its status's default refusal is sent as deciding
        /// every part sends it: with `Vary` and the negotiated format and language. A request
        /// whose id goes in the body has every part decided.
        #[test]
        fn a_default_refusal_to_a_request_is_sent_as_deciding_every_part_sends_it() {
            let cases: [(&[(&str, &str)], bool); 5] = [
                (&[], true),
                (
                    &[("accept", "application/problem+json"), ("accept-language", "de")],
                    true,
                ),
                (&[("accept-language", "de-AT")], true),
                (&[("x-request-id", "req-1")], false),
                (&[("x-request-id", "not valid")], true),
            ];
            for (lines, default_refusal) in cases {
                let context = test_request::of(Config::new(), lines);
                for error in [
                    HttpError::new(ErrorStatus::FORBIDDEN),
                    HttpError::new(ErrorStatus::GONE),
                    Forbidden::not_owner().conceal(),
                    Unauthorized::invalid_token("expired").with_realm("example").into(),
                    HttpError::method_not_allowed([Method::GET, Method::HEAD]),
                    HttpError::too_many_requests()
                        .with_retry_after(std::time::Duration::from_secs(30)),
                ] {
                    let taken = assert_default_refusal_is_decided_alike(
                        &error,
                        context.settings(),
                        Some(&context),
                    );
                    assert_eq!(taken, default_refusal, "{lines:?} {error:?}");
                }
                // An own message of `'static` text is kept unless the request adds to the body:
                // sent alike either way, with the error's own headers.
                let own_messages: [HttpError; 4] = [
                    HttpError::new(ErrorStatus::FORBIDDEN).with_message("its own"),
                    HttpError::new(ErrorStatus::FORBIDDEN)
                        .with_message(String::from("its own, built")),
                    HttpError::too_many_requests()
                        .with_message("slow down")
                        .with_retry_after(std::time::Duration::from_secs(30)),
                    Unauthorized::bearer().with_realm("example")
                        .with_message("sign in first")
                        .into(),
                ];
                for own in own_messages {
                    assert!(!assert_default_refusal_is_decided_alike(
                        &own,
                        context.settings(),
                        Some(&context),
                    ));
                }
                // The three of `'static` text were kept, and sent from there, unless the
                // request's id goes in the body.
                let (kept, distinct) = context.settings().own_message_bodies_kept();
                assert!(distinct, "{lines:?}");
                assert_eq!(kept, if default_refusal { 3 } else { 0 }, "{lines:?}");
            }
            // With `instance` from the path, a problem carries the path in its body; a flat JSON
            // body has no `instance`.
            let accepts = [("application/problem+json", false), ("application/json", true)];
            for (accept, default_refusal) in accepts {
                let config = Config::new().instance_from_path(true);
                let context = test_request::of(config, &[("accept", accept)]);
                let error = HttpError::new(ErrorStatus::FORBIDDEN);
                let taken = assert_default_refusal_is_decided_alike(
                    &error,
                    context.settings(),
                    Some(&context),
                );
                assert_eq!(taken, default_refusal, "{accept}");
            }
        }
    }
}
