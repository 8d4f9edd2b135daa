//! An app's settings, chosen at start-up: the body format, the default sentences and their
//! translations, what a request may choose, and a hook that sees every refusal before it is
//! rendered.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};

use http::{HeaderName, StatusCode};

use crate::body::BodyFormat;
use crate::challenge::{Challenge, InvalidChallenge};
use crate::error::HttpError;
use crate::negotiate;
use crate::report::{Report, ReportHook};

mod settings;
#[cfg(test)]
mod tests;

use settings::built_in_message;
pub(crate) use settings::{KeptBody, Language, Settings};

/// An app's settings: build them at start-up, then [`install`](Config::install) them for the
/// whole process, or give them to one app's layer (`with_config` of each framework's layer:
/// `ErrorLayer::with_config` in axum, tower and tonic, `ErrorHandling::with_config` in
/// actix-web, poem, rocket and salvo, `error_handling_with_config` in warp).
///
/// Handlers never name it: every error renders with the settings of the app that serves the
/// request, or with the installed ones, or with the defaults.
///
/// ```
/// use denied::{BodyFormat, Catalog, Config};
/// use denied::http::StatusCode;
///
/// Config::new()
///     .format(BodyFormat::Problem)
///     .base_language("en", Catalog::new().message(StatusCode::FORBIDDEN, "Access denied"))
///     .language(
///         "de",
///         Catalog::new().message(StatusCode::FORBIDDEN, "Zugriff verweigert"),
///     )
///     .report(|report| eprintln!("refused: {report}"))
///     .install()?;
/// # Ok::<(), denied::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Config {
    format: BodyFormat,
    report: Option<ReportHook>,
    realm: Cow<'static, str>,
    problem_type_base: Option<Cow<'static, str>>,
    reason_details: bool,
    foreign_json: ForeignJson,
    request_id_header: Option<HeaderName>,
    instance_from_path: bool,
    negotiate: bool,
    /// The app's own language and sentences; `None`: the crate's English, unnamed.
    base_language: Option<(Cow<'static, str>, Catalog)>,
    languages: Vec<(Cow<'static, str>, Catalog)>,
}

/// The realm of the app's challenges when [`Config::realm`] does not name one.
const DEFAULT_REALM: &str = "api";

/// The header a request id is read from when [`Config::request_id_header`] names none.
const DEFAULT_REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

impl Default for Config {
    fn default() -> Self {
        Self {
            format: BodyFormat::default(),
            report: None,
            realm: Cow::Borrowed(DEFAULT_REALM),
            problem_type_base: None,
            reason_details: true,
            foreign_json: ForeignJson::default(),
            request_id_header: Some(DEFAULT_REQUEST_ID_HEADER),
            instance_from_path: false,
            negotiate: false,
            base_language: None,
            languages: Vec::new(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("format", &self.format)
            .field("report", &self.report.is_some())
            .field("realm", &self.realm)
            .field("problem_type_base", &self.problem_type_base)
            .field("reason_details", &self.reason_details)
            .field("foreign_json", &self.foreign_json)
            .field("request_id_header", &self.request_id_header)
            .field("instance_from_path", &self.instance_from_path)
            .field("negotiate", &self.negotiate)
            .field("base_language", &self.base_language)
            .field("languages", &self.languages)
            .finish()
    }
}

/// What a framework layer does with an error response that is JSON already but that the crate
/// did not render: the app's own `Json(..)` error, a proxied `application/problem+json`. See
/// [`Config::foreign_json`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ForeignJson {
    /// A 5xx gets the crate's generic body, its own kept as the hidden note (a database
    /// error, an internal host, a stack); a 4xx, which apps send on purpose, passes as written.
    #[default]
    RewriteServerErrors,
    /// Every 4xx and 5xx gets the crate's body, its own kept as the hidden note.
    RewriteAll,
    /// Every JSON error passes as written: the app vouches for its 5xx bodies.
    Pass,
}

with_framework! {
    impl ForeignJson {
        /// Whether an error of `status` the crate did not make gets the crate's body (or, in
        /// gRPC, its sentence).
        pub(crate) fn rewrites(self, status: u16) -> bool {
            match self {
                Self::RewriteServerErrors => status >= 500,
                Self::RewriteAll => true,
                Self::Pass => false,
            }
        }
    }
}

/// Sentences in one language, for [`Config::base_language`] and [`Config::language`].
///
/// ```
/// use denied::Catalog;
/// use denied::http::StatusCode;
///
/// let german = Catalog::new()
///     .message(StatusCode::FORBIDDEN, "Sie haben keine Berechtigung für diese Ressource")
///     .phrase(StatusCode::FORBIDDEN, "Verboten");
/// let config = denied::Config::new().language("de", german);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    messages: Vec<(StatusCode, Cow<'static, str>)>,
    phrases: Vec<(StatusCode, Cow<'static, str>)>,
}

impl Catalog {
    /// An empty catalog.
    ///
    /// ```
    /// let catalog = denied::Catalog::new();
    /// # let _ = catalog;
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The sentence of a status in this language. A status without one answers in the app's
    /// base language, or in the crate's English where that has none either, and says which in
    /// `Content-Language`. (The crate's English sentences are listed at
    /// [`Config::base_language`].)
    ///
    /// ```
    /// use denied::http::StatusCode;
    ///
    /// let french = denied::Catalog::new()
    ///     .message(StatusCode::NOT_FOUND, "La ressource demandée est introuvable");
    /// # let _ = french;
    /// ```
    #[must_use]
    pub fn message(mut self, status: StatusCode, message: impl Into<Cow<'static, str>>) -> Self {
        set(&mut self.messages, status, message.into());
        self
    }

    /// The `error` member (problem details: `title`) of a status in this language, instead of
    /// its English reason phrase. Used only with a [`message`](Self::message) for the status.
    ///
    /// ```
    /// use denied::http::StatusCode;
    ///
    /// let german = denied::Catalog::new()
    ///     .message(StatusCode::NOT_FOUND, "Die angeforderte Ressource wurde nicht gefunden")
    ///     .phrase(StatusCode::NOT_FOUND, "Nicht gefunden");
    /// # let _ = german;
    /// ```
    #[must_use]
    pub fn phrase(mut self, status: StatusCode, phrase: impl Into<Cow<'static, str>>) -> Self {
        set(&mut self.phrases, status, phrase.into());
        self
    }

    /// The sentence of `status` in this language, if the catalog has one.
    fn message_of(&self, status: StatusCode) -> Option<&str> {
        self.messages
            .iter()
            .find(|(known, _)| *known == status)
            .map(|(_, message)| &**message)
    }
}

/// Sets the text of `status` in `entries`, replacing an earlier one.
fn set(
    entries: &mut Vec<(StatusCode, Cow<'static, str>)>,
    status: StatusCode,
    text: Cow<'static, str>,
) {
    match entries.iter_mut().find(|(known, _)| *known == status) {
        Some(entry) => entry.1 = text,
        None => entries.push((status, text)),
    }
}

/// Why settings were refused, by [`Config::install`] or a layer's `with_config`.
///
/// Its `Debug` says what its `Display` says, so `main` returning it prints the reason.
///
/// ```
/// use denied::{Catalog, Config, ConfigError};
///
/// let refused = Config::new().language("de_DE", Catalog::new()).install();
/// assert_eq!(refused, Err(ConfigError::LanguageTag("de_DE".to_owned())));
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Settings are already in force: `install` was called before, or an error was rendered
    /// or a request served before it (with the defaults, which then stay).
    #[error(
        "denied is already configured: install the config once, before the first error renders"
    )]
    AlreadyInstalled,
    /// The [`realm`](Config::realm) cannot be carried in a challenge, so a 401 could not
    /// carry the challenge it needs.
    #[error("the realm cannot be sent in a challenge: {0}")]
    Realm(InvalidChallenge),
    /// A language tag of [`Config::language`] or [`Config::base_language`] is not one
    /// (RFC 5646: subtags of 1 to 8 letters or digits joined by `-`, the first all letters).
    #[error("{0:?} is not a language tag")]
    LanguageTag(String),
    /// [`Config::language`] names the app's base language (`en` unless
    /// [`Config::base_language`] names another), in any case.
    #[error("the app has the language {0:?} twice")]
    LanguageTwice(String),
    /// The [`problem_type_base`](Config::problem_type_base) cannot start a URI reference: it
    /// is empty or has whitespace or a control character.
    #[error("the problem type base {0:?} is not a URI reference")]
    ProblemTypeBase(String),
}

impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Config {
    /// The defaults: JSON bodies, English sentences, no report hook, realm `api`, request ids
    /// from `X-Request-Id`, no negotiation.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Chooses the body format.
    #[must_use]
    pub fn format(mut self, format: BodyFormat) -> Self {
        self.format = format;
        self
    }

    /// The sentence an app with these settings sends for `error`, in its base language: the
    /// error's own ([`HttpError::message`]) if it sends one, or else these settings' sentence
    /// for the status it is sent with. (A request that prefers another of the app's languages
    /// may get that language's sentence instead.) The error itself reads no settings: ask the
    /// settings that render it.
    ///
    /// ```
    /// use denied::http::StatusCode;
    /// use denied::{Catalog, Config, Forbidden, HttpError};
    ///
    /// let config = Config::new()
    ///     .base_language("en", Catalog::new().message(StatusCode::FORBIDDEN, "Access denied"));
    /// assert_eq!(config.sentence_for(&Forbidden::new().into()), "Access denied");
    /// let own: HttpError = Forbidden::new().with_message("Only the owner may archive it").into();
    /// assert_eq!(config.sentence_for(&own), "Only the owner may archive it");
    /// let hidden = HttpError::internal().with_message("pool exhausted");
    /// assert_eq!(Config::new().sentence_for(&hidden), "An internal error occurred");
    /// ```
    #[must_use]
    pub fn sentence_for<'a>(&'a self, error: &'a HttpError) -> &'a str {
        if let Some(own) = error.message() {
            return own;
        }
        let status = error.status();
        let base_catalog = self.base_language.as_ref().map(|(_, catalog)| catalog);
        match base_catalog.and_then(|catalog| catalog.message_of(status)) {
            Some(message) => message,
            None => built_in_message(status),
        }
    }

    /// Calls `hook` with every error just before it is rendered, and with the request it
    /// answers when a framework layer serves it. A hook may render the error it is given (to
    /// log the response): that inner render does not call the hook again. A hook that panics is
    /// stopped there: the panic goes no further, and the response is sent as it would have been.
    ///
    /// ```
    /// let config = denied::Config::new().report(|report| {
    ///     // 'GET /admin (request id 7f3a): 403 forbidden: missing_role admin', and for an
    ///     // error with a hidden source ': caused by: ' and the source's chain, escaped.
    ///     eprintln!("{report}");
    /// });
    /// ```
    #[must_use]
    pub fn report(mut self, hook: impl Fn(&Report<'_>) + Send + Sync + 'static) -> Self {
        self.report = Some(Arc::new(hook));
        self
    }

    /// Names the realm of the app's challenges (default `api`): every `Bearer` or `Basic`
    /// challenge without a realm of its own is sent with it, first. That is every challenge of
    /// `Unauthorized::bearer`, `basic` and `invalid_token`, `Forbidden::missing_scope`,
    /// `HttpError::malformed_credentials` and the credential extractors, and the challenge a
    /// framework layer gives a 401 that arrives without one.
    #[must_use]
    pub fn realm(mut self, realm: impl Into<Cow<'static, str>>) -> Self {
        self.realm = realm.into();
        self
    }

    /// Gives problem details a `type` per reason: an error with a [`Reason`](crate::Reason) and
    /// no [`with_type`](crate::HttpError::with_type) of its own gets `base` followed by the
    /// reason's code (RFC 9457 §3.1.1 wants a URI per problem type); one without a reason keeps
    /// `about:blank`. `title` stays the status's reason phrase.
    ///
    /// ```
    /// let config = denied::Config::new()
    ///     .format(denied::BodyFormat::Problem)
    ///     .problem_type_base("https://example.com/problems/");
    /// // `missing_role` refusals now say "type":"https://example.com/problems/missing_role".
    /// ```
    #[must_use]
    pub fn problem_type_base(mut self, base: impl Into<Cow<'static, str>>) -> Self {
        self.problem_type_base = Some(base.into());
        self
    }

    /// Whether a reason's detail member (`"role":"admin"`, `"scope":"..."`) is sent; `true` by
    /// default. With `false`, a body says why (`"reason":"missing_role"`) but not what the
    /// caller lacks, which tells an attacker less.
    ///
    /// ```
    /// // `Forbidden::missing_role("admin")` says "reason":"missing_role", not the role.
    /// let config = denied::Config::new().reason_details(false);
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn reason_details(mut self, send: bool) -> Self {
        self.reason_details = send;
        self
    }

    /// What a framework layer does with an error response that is JSON already but that the
    /// crate did not render for the request (see [`ForeignJson`]). By default a 5xx gets the
    /// crate's generic body, whatever its media type, its text kept as the hidden note, and a
    /// 4xx passes as written. tonic's layer treats the message of a gRPC status the crate did
    /// not make the same way, by the HTTP status its code stands for: `Pass` lets an
    /// `Internal` status's own message through too. The layer knows the crate's own responses without looking at
    /// their bodies: an error converted into the response a handler returns, not one rendered
    /// with [`HttpError::render`](crate::HttpError::render) and discarded.
    ///
    /// ```
    /// use denied::{Config, ForeignJson};
    ///
    /// // Our 5xx bodies are written for clients: let them through.
    /// let config = Config::new().foreign_json(ForeignJson::Pass);
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn foreign_json(mut self, rule: ForeignJson) -> Self {
        self.foreign_json = rule;
        self
    }

    /// The header a request's id is read from (default `X-Request-Id`). Under a framework
    /// layer, a request with one such header line of 1 to 128 visible ASCII characters gets
    /// it back on every response, and every error body carries it as `"request_id"`; any other
    /// value is ignored.
    ///
    /// The crate reads ids; making one for requests that come without is the job of
    /// tower-http's `SetRequestIdLayer` (put it outside the crate's layer), or of a proxy.
    ///
    /// ```
    /// use denied::http::HeaderName;
    ///
    /// let config = denied::Config::new().request_id_header(HeaderName::from_static("x-correlation-id"));
    /// ```
    #[must_use]
    pub fn request_id_header(mut self, name: HeaderName) -> Self {
        self.request_id_header = Some(name);
        self
    }

    /// Reads no request id: no header is echoed and no body carries `request_id`.
    ///
    /// ```
    /// let config = denied::Config::new().without_request_id();
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn without_request_id(mut self) -> Self {
        self.request_id_header = None;
        self
    }

    /// Under a framework layer, gives every problem details body `"instance"`: the request's
    /// path without the query, always a path-absolute URI reference (RFC 9457 §3.1.5). A path
    /// that is one is sent as it came (percent-encoding kept); a character a URI cannot carry
    /// (raw UTF-8, a space, `"`) is percent-encoded, and a path starting with `//`, which
    /// would name another host, is written `/.//...`. An error with its own
    /// [`with_instance`](crate::HttpError::with_instance) keeps it. Off by default.
    ///
    /// ```
    /// use denied::{BodyFormat, Config};
    ///
    /// // `GET /repos/secret?tab=1` refused: "instance":"/repos/secret".
    /// let config = Config::new().format(BodyFormat::Problem).instance_from_path(true);
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn instance_from_path(mut self, on: bool) -> Self {
        self.instance_from_path = on;
        self
    }

    /// Under a framework layer, lets a request choose the body format: one whose `Accept`
    /// prefers exactly one of `application/json` and `application/problem+json` (by q-value;
    /// `*/*` and `application/*` prefer neither) gets that format, any other the app's
    /// [`format`](Self::format). A type not named gets the weight of the most specific
    /// wildcard naming it (RFC 9110 §12.5.1). Error responses then carry `Vary: Accept`. Off by
    /// default.
    ///
    /// ```
    /// // `Accept: application/problem+json` gets problem details; `*/*` gets JSON.
    /// let config = denied::Config::new().negotiate(true);
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn negotiate(mut self, on: bool) -> Self {
        self.negotiate = on;
        self
    }

    /// The language of the app's own sentences, and those sentences: a status the catalog
    /// has a [`message`](Catalog::message) for answers with it (and its
    /// [`phrase`](Catalog::phrase), if it has one), in this language; any other status answers
    /// with the crate's English sentence, in English. Once an app names its base language,
    /// every error response names its language in `Content-Language`, so that a sentence set
    /// app-wide is never sent as another language. Without it, an app speaks the crate's
    /// English and sends no `Content-Language` unless it has [other languages](Self::language).
    ///
    /// To change only some of the crate's English sentences, name English:
    ///
    /// ```
    /// use denied::{Catalog, Config};
    /// use denied::http::StatusCode;
    ///
    /// let config = Config::new()
    ///     .base_language("en", Catalog::new().message(StatusCode::FORBIDDEN, "Access denied"));
    /// # let _ = config;
    /// ```
    ///
    /// An app that speaks German first, with English on request:
    ///
    /// ```
    /// use denied::{Catalog, Config};
    /// use denied::http::StatusCode;
    ///
    /// let config = Config::new()
    ///     .base_language(
    ///         "de",
    ///         Catalog::new()
    ///             .message(StatusCode::FORBIDDEN, "Zugriff verweigert")
    ///             .phrase(StatusCode::FORBIDDEN, "Verboten"),
    ///     )
    ///     .language("en", Catalog::new().message(StatusCode::FORBIDDEN, "Access denied"));
    /// // A 403 says "Zugriff verweigert" with `Content-Language: de`; a 404, which the German
    /// // catalog does not cover, says "The requested resource was not found" with
    /// // `Content-Language: en`.
    /// # let _ = config;
    /// ```
    ///
    /// The crate's sentences:
    ///
    /// | status | sentence |
    /// |---|---|
    /// | 400 | The request is invalid |
    /// | 401 | Authentication is required to access this resource |
    /// | 402 | Payment is required to access this resource |
    /// | 403 | You do not have permission to access this resource |
    /// | 404 | The requested resource was not found |
    /// | 405 | This method is not allowed for this resource |
    /// | 406 | The resource has no representation the client accepts |
    /// | 407 | Authentication with the proxy is required |
    /// | 408 | The server timed out waiting for the request |
    /// | 409 | The request conflicts with the current state of the resource |
    /// | 410 | The requested resource is no longer available |
    /// | 411 | The request must state the length of its body |
    /// | 412 | A precondition of the request was not met |
    /// | 413 | The request body is too large |
    /// | 414 | The request URI is too long |
    /// | 415 | The media type of the request body is not supported |
    /// | 416 | The requested range cannot be served from this resource |
    /// | 417 | The expectation of the request cannot be met |
    /// | 421 | The request was sent to a server that cannot answer it |
    /// | 422 | The request is well-formed but cannot be processed |
    /// | 423 | The resource is locked |
    /// | 424 | The request failed because a request it depends on failed |
    /// | 425 | The server will not process a request that might be replayed |
    /// | 426 | The server requires another protocol for this request |
    /// | 428 | The request must be conditional |
    /// | 429 | Too many requests; try again later |
    /// | 431 | The request header fields are too large |
    /// | 451 | The requested resource is unavailable for legal reasons |
    /// | 500 | An internal error occurred |
    /// | 501 | The server does not support this request |
    /// | 502 | The server received an invalid response from an upstream server |
    /// | 503 | The service is temporarily unavailable; try again later |
    /// | 504 | The server did not receive a timely response from an upstream server |
    /// | 505 | The HTTP version of the request is not supported |
    /// | 506 | The server cannot choose a representation of this resource |
    /// | 507 | The server cannot store what the request needs |
    /// | 508 | The server found a loop while processing the request |
    /// | 510 | The request lacks an extension the server requires |
    /// | 511 | The network requires authentication before access |
    /// | any other 4xx | The request could not be completed |
    /// | any other 5xx | The server could not complete the request |
    #[must_use]
    pub fn base_language(mut self, tag: impl Into<Cow<'static, str>>, catalog: Catalog) -> Self {
        self.base_language = Some((tag.into(), catalog));
        self
    }

    /// Sentences in another language. Under a framework layer, a request whose
    /// `Accept-Language` prefers it (RFC 9110 §12.5.4: by q-value; `de-DE` falls back to `de`)
    /// gets them; every error response names its language in `Content-Language` and carries
    /// `Vary: Accept-Language`. An error's own message is never translated. A second catalog
    /// for the same tag replaces the first.
    ///
    /// ```
    /// use denied::{Catalog, Config};
    /// use denied::http::StatusCode;
    ///
    /// let config = Config::new().language(
    ///     "de",
    ///     Catalog::new().message(StatusCode::NOT_FOUND, "Die angeforderte Ressource wurde nicht gefunden"),
    /// );
    /// ```
    #[must_use]
    pub fn language(mut self, tag: impl Into<Cow<'static, str>>, catalog: Catalog) -> Self {
        let tag = tag.into();
        match self
            .languages
            .iter_mut()
            .find(|(known, _)| known.eq_ignore_ascii_case(&tag))
        {
            Some(entry) => entry.1 = catalog,
            None => self.languages.push((tag, catalog)),
        }
        self
    }

    /// Puts these settings in force for the rest of the process, for every app without
    /// settings of its own.
    ///
    /// Install before the first error renders and before the first request reaches a layer
    /// without settings of its own: either fixes the settings in force (the defaults, if none
    /// were installed), so that every response of the process agrees. Building errors and
    /// reading them ([`HttpError::message`](crate::HttpError::message),
    /// [`HttpError::status`](crate::HttpError::status)) fixes nothing.
    ///
    /// # Errors
    ///
    /// Settings are already in force ([`ConfigError::AlreadyInstalled`]), or they are not
    /// valid (see [`ConfigError`]).
    pub fn install(self) -> Result<(), ConfigError> {
        let settings = self.build()?;
        if INSTALLED.get().is_some() {
            return Err(ConfigError::AlreadyInstalled);
        }
        // An install that loses a race (to another install, or to the first render fixing the
        // defaults) leaves its bodies and language tags allocated: a few kilobytes, once per
        // such race.
        let settings = settings.for_the_process();
        INSTALLED
            .set(settings)
            .map_err(|_| ConfigError::AlreadyInstalled)
    }

    /// The settings, checked and with every default body rendered in advance.
    pub(crate) fn build(self) -> Result<Settings, ConfigError> {
        Challenge::bearer(self.realm.clone())
            .validate()
            .map_err(ConfigError::Realm)?;
        let base_tag = self.base_language.as_ref().map_or("en", |(tag, _)| &**tag);
        let tags: Vec<&str> = std::iter::once(base_tag)
            .chain(self.languages.iter().map(|(tag, _)| &**tag))
            .collect();
        for (index, tag) in tags.iter().enumerate() {
            if !negotiate::is_language_tag(tag) {
                return Err(ConfigError::LanguageTag((*tag).to_owned()));
            }
            if tags[..index]
                .iter()
                .any(|earlier| earlier.eq_ignore_ascii_case(tag))
            {
                return Err(ConfigError::LanguageTwice((*tag).to_owned()));
            }
        }
        if let Some(base) = &self.problem_type_base {
            if !crate::syntax::is_uri_reference(base) {
                return Err(ConfigError::ProblemTypeBase(base.to_string()));
            }
        }
        Ok(Settings::new(self))
    }
}

static INSTALLED: OnceLock<Settings> = OnceLock::new();

/// The process-wide settings, fixed on first use: for rendering, so that every response of the
/// process is rendered with the same settings.
#[inline]
pub(crate) fn settings() -> &'static Settings {
    INSTALLED.get_or_init(|| Settings::new(Config::default()).for_the_process())
}

with_framework! {
    unused_without_rewrites_bodies:
    /// The process-wide settings, or the defaults without fixing them: for reading, so that
    /// reading them before [`Config::install`] does not make the install fail.
    pub(crate) fn current_settings() -> &'static Settings {
        static DEFAULTS: OnceLock<Settings> = OnceLock::new();
        match INSTALLED.get() {
            Some(installed) => installed,
            None => DEFAULTS.get_or_init(|| Settings::new(Config::default())),
        }
    }
}
