//! App-wide settings, chosen once at start-up: the body format, the default sentences and a
//! hook that sees every refusal before it is rendered.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use http::StatusCode;

use crate::body;
use crate::{Challenge, HttpError, InvalidChallenge};

/// The shape of every error body.
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

/// A function that sees every error just before it is rendered, with its hidden cause: the
/// place to log what the client is not told.
pub type ReportHook = fn(&HttpError);

/// App-wide settings: build once at start-up, then [`install`](Config::install).
///
/// Handlers never name it: every error renders with the installed settings, or with the
/// defaults when none were installed.
///
/// ```
/// use denied::{BodyFormat, Config};
/// use http::StatusCode;
///
/// Config::new()
///     .format(BodyFormat::Problem)
///     .message(StatusCode::FORBIDDEN, "Zugriff verweigert")
///     .report(|error| eprintln!("refused: {error}"))
///     .install()?;
/// # Ok::<(), denied::InstallError>(())
/// ```
#[derive(Clone)]
pub struct Config {
    format: BodyFormat,
    messages: Vec<(StatusCode, Cow<'static, str>)>,
    report: Option<ReportHook>,
    realm: Cow<'static, str>,
    problem_type_base: Option<Cow<'static, str>>,
    reason_details: bool,
}

/// The realm of the app's challenges when [`Config::realm`] does not name one.
const DEFAULT_REALM: &str = "api";

impl Default for Config {
    fn default() -> Self {
        Self {
            format: BodyFormat::default(),
            messages: Vec::new(),
            report: None,
            realm: Cow::Borrowed(DEFAULT_REALM),
            problem_type_base: None,
            reason_details: true,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("format", &self.format)
            .field("messages", &self.messages)
            .field("report", &self.report.is_some())
            .field("realm", &self.realm)
            .field("problem_type_base", &self.problem_type_base)
            .field("reason_details", &self.reason_details)
            .finish()
    }
}

/// Why [`Config::install`] refused the settings.
///
/// Its `Debug` says what its `Display` says, so `main` returning it prints the reason.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InstallError {
    /// Settings are already in force: `install` was called before, or an error was rendered
    /// before it (with the defaults, which then stay).
    #[error(
        "denied is already configured: install the config once, before the first error renders"
    )]
    AlreadyInstalled,
    /// The [`realm`](Config::realm) cannot be carried in a challenge, so a 401 could not
    /// carry the challenge it needs.
    #[error("the realm cannot be sent in a challenge: {0}")]
    Realm(InvalidChallenge),
}

impl fmt::Debug for InstallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Config {
    /// The defaults: JSON bodies, English sentences, no report hook, realm `api`.
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

    /// Replaces the default sentence of a status, for example to translate it. Errors built
    /// with their own message keep it.
    ///
    /// The crate's sentences:
    ///
    /// | status | sentence |
    /// |---|---|
    /// | 400 | The request is invalid |
    /// | 401 | Authentication is required to access this resource |
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
    /// | 421 | The request was sent to a server that cannot answer it |
    /// | 422 | The request is well-formed but cannot be processed |
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
    /// | 510 | The request lacks an extension the server requires |
    /// | 511 | The network requires authentication before access |
    /// | any other 4xx | The request could not be completed |
    /// | any other 5xx | The server could not complete the request |
    #[must_use]
    pub fn message(mut self, status: StatusCode, message: impl Into<Cow<'static, str>>) -> Self {
        let message = message.into();
        match self.messages.iter_mut().find(|(known, _)| *known == status) {
            Some(entry) => entry.1 = message,
            None => self.messages.push((status, message)),
        }
        self
    }

    /// Calls `hook` with every error just before it is rendered. A hook may render the error
    /// it is given (to log the response): that inner render does not call the hook again.
    #[must_use]
    pub fn report(mut self, hook: ReportHook) -> Self {
        self.report = Some(hook);
        self
    }

    /// Names the realm of the app's challenges (default `api`): the credential extractors
    /// answer a request without usable credentials with `Bearer realm="..."` or
    /// `Basic realm="..."`, and the framework layers give a 401 that arrives without a
    /// challenge `Bearer realm="..."`.
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
    #[must_use]
    pub fn reason_details(mut self, send: bool) -> Self {
        self.reason_details = send;
        self
    }

    /// Puts these settings in force for the rest of the process.
    ///
    /// Install before the first error renders: the first render fixes the settings in force
    /// (the defaults, if none were installed), so that every response of the process agrees.
    /// Building errors and reading them ([`HttpError::message`], [`HttpError::status`]) fixes
    /// nothing.
    ///
    /// # Errors
    ///
    /// Settings are already in force ([`InstallError::AlreadyInstalled`]), or the realm cannot
    /// be sent in a challenge ([`InstallError::Realm`]).
    pub fn install(self) -> Result<(), InstallError> {
        Challenge::bearer(self.realm.clone())
            .validate()
            .map_err(InstallError::Realm)?;
        INSTALLED
            .set(Settings::new(self))
            .map_err(|_| InstallError::AlreadyInstalled)
    }
}

static INSTALLED: OnceLock<Settings> = OnceLock::new();

/// The settings in force, fixed on first use: for rendering, so that every response of the
/// process is rendered with the same settings.
#[inline]
pub(crate) fn settings() -> &'static Settings {
    INSTALLED.get_or_init(|| Settings::new(Config::default()))
}

/// The settings in force, or the defaults without fixing them: for reading, so that reading
/// an error before [`Config::install`] does not make the install fail.
pub(crate) fn current_settings() -> &'static Settings {
    static DEFAULTS: OnceLock<Settings> = OnceLock::new();
    match INSTALLED.get() {
        Some(installed) => installed,
        None => DEFAULTS.get_or_init(|| Settings::new(Config::default())),
    }
}

/// A [`Config`] with every default body rendered in advance, so that the common refusals
/// copy no bytes at all.
pub(crate) struct Settings {
    pub(crate) format: BodyFormat,
    messages: Vec<(StatusCode, Cow<'static, str>)>,
    pub(crate) report: Option<ReportHook>,
    pub(crate) realm: Cow<'static, str>,
    pub(crate) problem_type_base: Option<Cow<'static, str>>,
    pub(crate) reason_details: bool,
    prerendered: Vec<Prerendered>,
    /// For each error status, its place in `prerendered`.
    prerendered_index: [Option<u8>; ERROR_STATUS_COUNT],
}

const FIRST_ERROR_STATUS: usize = 400;
const ERROR_STATUS_COUNT: usize = 200;

/// A status's default body, and the template for bodies with their own message.
pub(crate) struct Prerendered {
    status: StatusCode,
    pub(crate) default_body: Box<[u8]>,
    pub(crate) template: body::Template,
}

impl Settings {
    pub(crate) fn new(config: Config) -> Self {
        let mut settings = Self {
            format: config.format,
            messages: config.messages,
            report: config.report,
            realm: config.realm,
            problem_type_base: config.problem_type_base,
            reason_details: config.reason_details,
            prerendered: Vec::new(),
            prerendered_index: [None; ERROR_STATUS_COUNT],
        };
        let mut statuses: Vec<StatusCode> = BUILT_IN_MESSAGES
            .iter()
            .map(|(status, _)| *status)
            .chain(settings.messages.iter().map(|(status, _)| *status))
            .filter(|status| status.is_client_error() || status.is_server_error())
            .collect();
        statuses.sort_unstable();
        statuses.dedup();
        settings.prerendered = statuses
            .into_iter()
            .map(|status| {
                let message = settings.default_message(status);
                let default_body = body::render_plain(settings.format, status, message);
                Prerendered {
                    status,
                    default_body: default_body.into_boxed_slice(),
                    template: body::Template::new(settings.format, status),
                }
            })
            .collect();
        for (index, prerendered) in settings.prerendered.iter().enumerate() {
            let slot = usize::from(prerendered.status.as_u16()) - FIRST_ERROR_STATUS;
            if let (Some(entry), Ok(index)) = (
                settings.prerendered_index.get_mut(slot),
                u8::try_from(index),
            ) {
                *entry = Some(index);
            }
        }
        settings
    }

    /// The sentence a status gets when the error has no message of its own.
    pub(crate) fn default_message(&self, status: StatusCode) -> &str {
        if let Some((_, message)) = self.messages.iter().find(|(known, _)| *known == status) {
            return message;
        }
        built_in_message(status)
    }

    /// What was rendered in advance for a status, if it was.
    #[inline]
    pub(crate) fn prerendered(&self, status: StatusCode) -> Option<&Prerendered> {
        let slot = usize::from(status.as_u16()).checked_sub(FIRST_ERROR_STATUS)?;
        let index = *self.prerendered_index.get(slot)?;
        self.prerendered.get(usize::from(index?))
    }
}

/// The crate's sentence for every status it names; any other status gets a generic one.
const BUILT_IN_MESSAGES: &[(StatusCode, &str)] = &[
    (StatusCode::BAD_REQUEST, "The request is invalid"),
    (
        StatusCode::UNAUTHORIZED,
        "Authentication is required to access this resource",
    ),
    (
        StatusCode::FORBIDDEN,
        "You do not have permission to access this resource",
    ),
    (
        StatusCode::NOT_FOUND,
        "The requested resource was not found",
    ),
    (
        StatusCode::METHOD_NOT_ALLOWED,
        "This method is not allowed for this resource",
    ),
    (
        StatusCode::NOT_ACCEPTABLE,
        "The resource has no representation the client accepts",
    ),
    (
        StatusCode::PROXY_AUTHENTICATION_REQUIRED,
        "Authentication with the proxy is required",
    ),
    (
        StatusCode::REQUEST_TIMEOUT,
        "The server timed out waiting for the request",
    ),
    (
        StatusCode::CONFLICT,
        "The request conflicts with the current state of the resource",
    ),
    (
        StatusCode::GONE,
        "The requested resource is no longer available",
    ),
    (
        StatusCode::LENGTH_REQUIRED,
        "The request must state the length of its body",
    ),
    (
        StatusCode::PRECONDITION_FAILED,
        "A precondition of the request was not met",
    ),
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        "The request body is too large",
    ),
    (StatusCode::URI_TOO_LONG, "The request URI is too long"),
    (
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "The media type of the request body is not supported",
    ),
    (
        StatusCode::MISDIRECTED_REQUEST,
        "The request was sent to a server that cannot answer it",
    ),
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        "The request is well-formed but cannot be processed",
    ),
    (
        StatusCode::TOO_EARLY,
        "The server will not process a request that might be replayed",
    ),
    (
        StatusCode::UPGRADE_REQUIRED,
        "The server requires another protocol for this request",
    ),
    (
        StatusCode::PRECONDITION_REQUIRED,
        "The request must be conditional",
    ),
    (
        StatusCode::TOO_MANY_REQUESTS,
        "Too many requests; try again later",
    ),
    (
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "The request header fields are too large",
    ),
    (
        StatusCode::UNAVAILABLE_FOR_LEGAL_REASONS,
        "The requested resource is unavailable for legal reasons",
    ),
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "An internal error occurred",
    ),
    (
        StatusCode::NOT_IMPLEMENTED,
        "The server does not support this request",
    ),
    (
        StatusCode::BAD_GATEWAY,
        "The server received an invalid response from an upstream server",
    ),
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "The service is temporarily unavailable; try again later",
    ),
    (
        StatusCode::GATEWAY_TIMEOUT,
        "The server did not receive a timely response from an upstream server",
    ),
    (
        StatusCode::HTTP_VERSION_NOT_SUPPORTED,
        "The HTTP version of the request is not supported",
    ),
    (
        StatusCode::NOT_EXTENDED,
        "The request lacks an extension the server requires",
    ),
    (
        StatusCode::NETWORK_AUTHENTICATION_REQUIRED,
        "The network requires authentication before access",
    ),
];

fn built_in_message(status: StatusCode) -> &'static str {
    match BUILT_IN_MESSAGES.iter().find(|(known, _)| *known == status) {
        Some((_, message)) => message,
        None if status.is_server_error() => "The server could not complete the request",
        None => "The request could not be completed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_status_is_prerendered_in_order() {
        let settings = Settings::new(Config::new());
        assert_eq!(settings.prerendered.len(), BUILT_IN_MESSAGES.len());
        assert!(settings
            .prerendered
            .windows(2)
            .all(|pair| pair[0].status < pair[1].status));
    }

    #[test]
    fn an_app_wide_message_replaces_the_built_in_one() {
        let settings = Settings::new(Config::new().message(StatusCode::FORBIDDEN, "Nein"));
        assert_eq!(settings.default_message(StatusCode::FORBIDDEN), "Nein");
        assert_eq!(
            settings.default_message(StatusCode::NOT_FOUND),
            "The requested resource was not found"
        );
    }

    #[test]
    fn body_format_names_parse() {
        assert_eq!("json".parse(), Ok(BodyFormat::Json));
        assert_eq!("problem".parse(), Ok(BodyFormat::Problem));
        assert!("xml".parse::<BodyFormat>().is_err());
    }
}
