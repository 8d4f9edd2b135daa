//! What an error knows of the request it answers. A framework layer builds it when a request
//! arrives and puts it in scope while the app serves that request; the one rendering path
//! reads it from there.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, OnceLock};

use http::uri::PathAndQuery;
use http::{HeaderName, HeaderValue, Method, StatusCode};

use crate::body::BodyFormat;
use crate::config::{self, Config, ConfigError, Settings};
use crate::negotiate;

/// The settings a framework layer renders with: its app's own, or the process-wide ones.
#[derive(Clone, Default)]
pub(crate) struct AppSettings(Option<Arc<Settings>>);

impl AppSettings {
    /// The process-wide settings ([`Config::install`](crate::Config::install)).
    pub(crate) const fn process_wide() -> Self {
        Self(None)
    }

    /// The app's own settings, checked and rendered in advance once.
    pub(crate) fn own(config: Config) -> Result<Self, ConfigError> {
        Ok(Self(Some(Arc::new(config.build()?))))
    }

    /// The settings in force for the app.
    pub(crate) fn get(&self) -> &Settings {
        self.0.as_deref().unwrap_or_else(|| config::settings())
    }
}

impl std::fmt::Debug for AppSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Some(_) => "AppSettings(the app's own)",
            None => "AppSettings(process-wide)",
        })
    }
}

/// The request an error answers, and the settings of the app that serves it. It lives in
/// every response future of a layer, so what only some settings use and is large is boxed,
/// and only for them; the request id and the kept `Accept` and `Accept-Language` are in line
/// (144 bytes in all), since boxing them would cost every such request an allocation.
pub(crate) struct RequestContext {
    app: AppSettings,
    /// Kept only when the settings use it (`instance`, the report hook).
    line: Option<Box<RequestLine>>,
    pub(crate) request_id: Option<HeaderValue>,
    /// The format the request prefers, when negotiation is on.
    format: Preference<Option<BodyFormat>>,
    /// The app language the request prefers: 0 is the app's base language.
    language: Preference<usize>,
    /// The status of the last error the crate turned into the response to send for this
    /// request (0: none): how a layer knows its own JSON from an app's, without an allocation.
    sent: AtomicU16,
}

/// What a request prefers: its header kept as it came, to be read if an error is rendered
/// (most responses are not errors, and reading `Accept` costs more than keeping it), or
/// read already.
///
/// A kept value shares the request's bytes: for a hyper server, the buffer its head was
/// read into, which stays allocated until the response is done, as it already does for a
/// request id or a kept path.
#[derive(Clone)]
enum Preference<T> {
    Kept(HeaderValue),
    Read(T),
}

impl<T> Preference<T> {
    /// A header's `lines` kept, or read now with `read`; `absent` when there are none.
    fn of(lines: HeaderLines, absent: T, read: impl FnOnce() -> T) -> Self {
        match lines {
            HeaderLines::Absent => Self::Read(absent),
            HeaderLines::One(line) => Self::Kept(line),
            HeaderLines::ReadNow => Self::Read(read()),
        }
    }
}

with_framework! {
    unused_without_http_1:
    /// A header's lines, as a framework layer can keep them for later. With actix-web or
    /// rocket alone, every header is read at once.
    pub(crate) enum HeaderLines {
        /// The request does not carry the header.
        Absent,
        /// One line, kept as it came: for `http` 1 frameworks a reference count, not a copy.
        One(HeaderValue),
        /// Several lines, or a framework whose header values cannot be kept without a copy:
        /// read them now.
        ReadNow,
    }
}

with_framework! {
    http_1:
    impl HeaderLines {
        /// The lines of header `name` in an `http` 1 map.
        pub(crate) fn of(headers: &http::HeaderMap, name: &HeaderName) -> Self {
            let mut lines = headers.get_all(name).iter();
            match (lines.next(), lines.next()) {
                (None, _) => Self::Absent,
                (Some(line), None) => Self::One(line.clone()),
                (Some(_), Some(_)) => Self::ReadNow,
            }
        }
    }

    impl RequestContext {
        /// Puts the request's id on a response that does not name one.
        pub(crate) fn echo_request_id(&self, headers: &mut http::HeaderMap) {
            let Some(id) = &self.request_id else {
                return;
            };
            if let Some(name) = &self.settings().request_id_header {
                if !headers.contains_key(name) {
                    headers.insert(name.clone(), id.clone());
                }
            }
        }
    }
}

/// The request's method and path.
#[derive(Clone)]
struct RequestLine {
    method: Method,
    path: Option<PathAndQuery>,
    /// The path percent-encoded as a path-absolute URI reference, made the first time a
    /// problem's `instance` needs it, for a path that is not one as it was sent.
    encoded_path: OnceLock<Box<str>>,
}

impl RequestContext {
    /// Reads what the settings use from a request. `lines` gives the values of a header;
    /// `keep` what of a header can be kept to be read later; `owned_id` makes the response's
    /// copy of a valid request id; `path` is asked for only when the settings use it.
    pub(crate) fn new<'h, I>(
        app: &AppSettings,
        method: impl FnOnce() -> Method,
        path: impl FnOnce() -> Option<PathAndQuery>,
        lines: impl Fn(&HeaderName) -> I,
        keep: impl Fn(&HeaderName) -> HeaderLines,
        owned_id: impl FnOnce(&HeaderName, &[u8]) -> Option<HeaderValue>,
    ) -> Self
    where
        I: Iterator<Item = &'h [u8]>,
    {
        let settings = app.get();
        let request_id = settings
            .request_id_header
            .as_ref()
            .and_then(|name| match keep(name) {
                HeaderLines::Absent => None,
                // The kept line is the response's copy: no second lookup.
                HeaderLines::One(line) => {
                    negotiate::request_id(std::iter::once(line.as_bytes()))?;
                    Some(line)
                }
                HeaderLines::ReadNow => {
                    let id = negotiate::request_id(lines(name))?;
                    owned_id(name, id)
                }
            });
        let format = if settings.negotiate {
            let accept = &http::header::ACCEPT;
            Preference::of(keep(accept), None, || {
                negotiate::preferred_format(lines(accept))
            })
        } else {
            Preference::Read(None)
        };
        let language = if settings.offers_languages() {
            let accept_language = &http::header::ACCEPT_LANGUAGE;
            Preference::of(keep(accept_language), 0, || {
                preferred_language(|| lines(accept_language), settings)
            })
        } else {
            Preference::Read(0)
        };
        let line =
            (settings.instance_from_path || settings.report.is_some() || traced()).then(|| {
                Box::new(RequestLine {
                    method: method(),
                    path: path(),
                    encoded_path: OnceLock::new(),
                })
            });
        Self {
            app: app.clone(),
            line,
            request_id,
            format,
            language,
            sent: AtomicU16::new(0),
        }
    }

    /// The format the request prefers, when negotiation is on.
    pub(crate) fn format(&self) -> Option<BodyFormat> {
        match &self.format {
            Preference::Kept(accept) => {
                negotiate::preferred_format(std::iter::once(accept.as_bytes()))
            }
            Preference::Read(format) => *format,
        }
    }

    /// The app language the request prefers: 0 is the app's base language.
    pub(crate) fn language(&self) -> usize {
        match &self.language {
            Preference::Kept(accept_language) => preferred_language(
                || std::iter::once(accept_language.as_bytes()),
                self.settings(),
            ),
            Preference::Read(language) => *language,
        }
    }

    /// The settings the app renders with.
    pub(crate) fn settings(&self) -> &Settings {
        self.app.get()
    }

    /// Marks that the crate turned an error into the response of `status` this request is
    /// to be answered with (not one rendered and discarded).
    #[inline]
    pub(crate) fn mark_sent(&self, status: StatusCode) {
        self.sent.store(status.as_u16(), Ordering::Relaxed);
    }

    /// The request's method, when the settings keep it.
    pub(crate) fn method(&self) -> Option<&Method> {
        self.line.as_ref().map(|line| &line.method)
    }

    /// The request's path as it was sent, without the query, when the settings keep it.
    pub(crate) fn path(&self) -> Option<&str> {
        self.line.as_ref()?.path.as_ref().map(PathAndQuery::path)
    }

    /// The request's path as a problem's `instance`: a path-absolute URI reference
    /// ([`syntax::path_absolute`](crate::syntax::path_absolute)).
    pub(crate) fn instance(&self) -> Option<&str> {
        let line = self.line.as_ref()?;
        let path = line.path.as_ref()?.path();
        match crate::syntax::path_absolute(path) {
            Cow::Borrowed(path) => Some(path),
            Cow::Owned(encoded) => Some(line.encoded_path.get_or_init(|| encoded.into())),
        }
    }
}

with_framework! {
    unused_without_rewrites_bodies:
    impl RequestContext {
        /// The same request, answered under `request_id` instead of its own id: for an error
        /// the app's response already names an id for.
        pub(crate) fn answered_as(&self, request_id: Option<HeaderValue>) -> Self {
            Self {
                app: self.app.clone(),
                line: self.line.clone(),
                request_id,
                format: self.format.clone(),
                language: self.language.clone(),
                sent: AtomicU16::new(0),
            }
        }

        /// Whether a response of `status` on its way out is the one the crate made for this
        /// request.
        pub(crate) fn sent(&self, status: u16) -> bool {
            self.sent.load(Ordering::Relaxed) == status
        }

        /// The status of the error the crate made the response of, if it made one.
        #[cfg(feature = "tonic")]
        pub(crate) fn answered_with(&self) -> Option<StatusCode> {
            StatusCode::from_u16(self.sent.load(Ordering::Relaxed)).ok()
        }
    }
}

with_framework! {
    request_head:
    impl RequestContext {
        /// Reads an `http` 1 request's head.
        pub(crate) fn of_request(
            app: &AppSettings,
            method: &Method,
            uri: &http::Uri,
            headers: &http::HeaderMap,
        ) -> Self {
            Self::new(
                app,
                || method.clone(),
                || uri.path_and_query().cloned(),
                |name| headers.get_all(name).iter().map(HeaderValue::as_bytes),
                |name| HeaderLines::of(headers, name),
                |name, _| headers.get(name).cloned(),
            )
        }
    }
}

/// The place in the app's languages of the one `accept_language` prefers; 0, the base
/// language, when it prefers none of them.
fn preferred_language<'h, I: Iterator<Item = &'h [u8]>>(
    accept_language: impl Fn() -> I,
    settings: &Settings,
) -> usize {
    negotiate::preferred_language(accept_language, &settings.language_tags).unwrap_or(0)
}

/// Whether a `tracing` subscriber listens to the crate's events, which name the method and
/// path.
fn traced() -> bool {
    #[cfg(feature = "tracing")]
    return crate::trace::listening();
    #[cfg(not(feature = "tracing"))]
    false
}

with_framework! {
    scoped_tls::scoped_thread_local!(static CURRENT: RequestContext);

    /// Runs `serve` with `context` in scope: every error rendered meanwhile on this thread
    /// answers that request.
    pub(crate) fn serving<R>(context: &RequestContext, serve: impl FnOnce() -> R) -> R {
        CURRENT.set(context, serve)
    }

    /// Calls `read` with the request in scope, if a layer put one there.
    pub(crate) fn with_current<R>(read: impl FnOnce(Option<&RequestContext>) -> R) -> R {
        if CURRENT.is_set() {
            return CURRENT.with(|context| read(Some(context)));
        }
        read(None)
    }
}

with_framework! {
    not:
    /// Without a framework no layer puts a request in scope.
    pub(crate) fn with_current<R>(read: impl FnOnce(Option<&RequestContext>) -> R) -> R {
        read(None)
    }
}

/// Whether a layer put a request in scope.
#[cfg(feature = "warp")]
pub(crate) fn is_serving() -> bool {
    CURRENT.is_set()
}

with_framework! {
    unused_without_rewrites_bodies:
    /// Calls `read` with the settings in force for the request in scope, without fixing the
    /// process-wide ones: for reading, as a layer reads the realm to give a foreign 401 the
    /// app's challenge.
    pub(crate) fn with_settings<R>(read: impl FnOnce(&Settings) -> R) -> R {
        with_current(|context| match context {
            Some(context) => read(context.settings()),
            None => read(config::current_settings()),
        })
    }
}

with_framework! {
    request_head:
    /// Requests for the tests of this module and of the renderer.
    #[cfg(test)]
    pub(crate) mod test_request {
        use super::*;
        use crate::config::Catalog;

        /// The app's languages: a base language and a German catalog.
        pub(crate) const TAGS: [&str; 2] = ["en", "de"];

        /// A request with header `lines` to `/repos/1`, served by an app with `config`,
        /// negotiation on and a German catalog.
        pub(crate) fn of(config: Config, lines: &[(&'static str, &'static str)]) -> RequestContext {
            let app = AppSettings::own(
                config
                    .negotiate(true)
                    .language(TAGS[1], Catalog::new().message(http::StatusCode::FORBIDDEN, "Nein")),
            )
            .unwrap();
            let mut headers = http::HeaderMap::new();
            for (name, value) in lines {
                headers.append(*name, HeaderValue::from_static(value));
            }
            let uri = http::Uri::from_static("/repos/1");
            RequestContext::of_request(&app, &Method::GET, &uri, &headers)
        }
    }

    /// The tests read requests with [`RequestContext::of_request`].
    #[cfg(test)]
    mod tests {
        use super::*;

        const TAGS: [&str; 2] = test_request::TAGS;

        fn context(lines: &[(&'static str, &'static str)]) -> RequestContext {
            test_request::of(Config::new(), lines)
        }

        /// A header of one line is kept and read when asked, one of several lines is read as one
        /// list at once, and both give what reading all its lines at once gives; the request id
        /// is the one line of its header, if valid.
        #[test]
        fn preferences_are_read_from_every_line_now_or_later() {
            let cases: [&[(&str, &str)]; 8] = [
                &[],
                &[
                    ("accept", "application/problem+json"),
                    ("accept-language", "de"),
                    ("x-request-id", "req-1"),
                ],
                &[("accept", "application/json;q=0.1, application/problem+json")],
                &[
                    ("accept", "application/json;q=0.1"),
                    ("accept", "application/problem+json"),
                ],
                &[("accept-language", "en;q=0.1"), ("accept-language", "de-AT")],
                &[("accept", "text/html"), ("accept-language", "fr")],
                &[("x-request-id", "two"), ("x-request-id", "lines")],
                &[("x-request-id", "not valid")],
            ];
            let mut kept_any = false;
            let mut read_at_once_any = false;
            for lines in cases {
                let context = context(lines);
                let values = |name: &'static str| {
                    lines
                        .iter()
                        .filter(move |(line, _)| *line == name)
                        .map(|(_, value)| value.as_bytes())
                };
                assert_eq!(
                    context.format(),
                    negotiate::preferred_format(values("accept")),
                    "{lines:?}"
                );
                assert_eq!(
                    context.language(),
                    negotiate::preferred_language(|| values("accept-language"), &TAGS)
                        .unwrap_or(0),
                    "{lines:?}"
                );
                let id = negotiate::request_id(values("x-request-id"));
                assert_eq!(
                    context.request_id.as_ref().map(HeaderValue::as_bytes),
                    id,
                    "{lines:?}"
                );
                for (name, kept) in [
                    ("accept", matches!(context.format, Preference::Kept(_))),
                    (
                        "accept-language",
                        matches!(context.language, Preference::Kept(_)),
                    ),
                ] {
                    let count = values(name).count();
                    assert_eq!(kept, count == 1, "{name} in {lines:?}");
                    kept_any |= kept;
                    read_at_once_any |= count > 1;
                }
            }
            // Both ways were taken.
            assert!(kept_any && read_at_once_any);
            let problem = context(&[("accept", "application/problem+json")]);
            assert_eq!(problem.format(), Some(BodyFormat::Problem));
            assert_eq!(context(&[("accept-language", "de-AT")]).language(), 1);
        }

        /// The context lives in every response future of a layer: its size is a choice.
        #[test]
        fn the_context_stays_as_small_as_documented() {
            assert!(std::mem::size_of::<RequestContext>() <= 144);
        }
    }
}
