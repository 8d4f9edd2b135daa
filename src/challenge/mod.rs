//! `WWW-Authenticate` challenges, built and quoted by RFC 9110 §11, RFC 6750 and RFC 7617.

use std::borrow::Cow;
use std::fmt;

use http::HeaderValue;

mod built;
mod encode;
mod interned;
mod known;
mod params;
mod rules;
#[cfg(test)]
mod tests;

use built::Built;
#[cfg(test)]
pub(crate) use interned::interned_are_distinct;
pub(crate) use interned::{leaked, InternedChallenge, INTERNED_CHALLENGE_SLOTS};
pub(crate) use known::KnownParts;
use known::{Defined, Known, BASIC, BEARER};
use rules::{check_bearer_text, check_scope, is_bearer_text, is_quotable};

/// An RFC 6750 §3.1 error code carried by a `Bearer` challenge.
///
/// Each code implies the status of the response that carries it: `invalid_request` answers
/// 400, `invalid_token` 401 and `insufficient_scope` 403.
///
/// ```
/// use denied::BearerError;
///
/// assert_eq!(BearerError::InvalidToken.as_str(), "invalid_token");
/// assert_eq!(BearerError::InvalidRequest.status(), http::StatusCode::BAD_REQUEST);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BearerError {
    /// The request is malformed: a missing or repeated parameter, or several credentials (400).
    InvalidRequest,
    /// The token is expired, revoked, malformed or otherwise invalid (401).
    InvalidToken,
    /// The token is valid but lacks the scope the resource requires (403).
    InsufficientScope,
}

impl BearerError {
    /// The code as it is written in the `error` parameter.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
        }
    }

    /// The code written as `code`, if RFC 6750 §3.1 defines it.
    ///
    /// ```
    /// use denied::BearerError;
    ///
    /// assert_eq!(BearerError::from_code("invalid_token"), Some(BearerError::InvalidToken));
    /// assert_eq!(BearerError::from_code("expired"), None);
    /// ```
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::InvalidRequest,
            Self::InvalidToken,
            Self::InsufficientScope,
        ]
        .into_iter()
        .find(|known| known.as_str() == code)
    }

    /// The status RFC 6750 §3.1 gives the response that carries this code.
    #[must_use]
    pub const fn status(self) -> http::StatusCode {
        match self {
            Self::InvalidRequest => http::StatusCode::BAD_REQUEST,
            Self::InvalidToken => http::StatusCode::UNAUTHORIZED,
            Self::InsufficientScope => http::StatusCode::FORBIDDEN,
        }
    }
}

impl fmt::Display for BearerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a value cannot be carried in a `WWW-Authenticate` challenge.
///
/// A value that cannot be carried is never written raw. A required one (the scheme, a
/// `realm`) makes the challenge unusable, and a response that needs it renders as a generic
/// 500 instead; an optional one is left out of the header. [`Challenge::validate`] reports
/// either, so an application can check its challenges at start-up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidChallenge {
    /// The auth-scheme is not an RFC 9110 token.
    #[error("auth scheme {0:?} is not a token")]
    Scheme(String),
    /// A parameter name is not an RFC 9110 token.
    #[error("auth parameter name {0:?} is not a token")]
    ParamName(String),
    /// A parameter value holds a character its grammar does not allow.
    #[error("auth parameter `{name}` cannot carry {value:?}: {rule}")]
    ParamValue {
        /// The parameter's name.
        name: String,
        /// The refused value.
        value: String,
        /// The rule the value breaks.
        rule: &'static str,
    },
    /// A token68 credential is not RFC 9110 token68 syntax.
    #[error("token68 {0:?} is not valid token68 syntax")]
    Token68(String),
    /// The challenge would be sent with no parameter although its scheme needs one.
    #[error("a `{0}` challenge needs at least one auth parameter")]
    Bare(String),
    /// A `Basic` challenge has no `realm`, which RFC 7617 §2 requires.
    #[error("a `{0}` challenge needs a realm")]
    NoRealm(String),
    /// A token68 was given to a scheme whose challenge takes auth parameters only (`Bearer`,
    /// `Basic`).
    #[error("a `{0}` challenge takes auth parameters, not a token68")]
    Token68NotAllowed(String),
    /// A token68 and auth parameters were both given; a challenge carries one or the other
    /// (RFC 9110 §11.2).
    #[error("a `{0}` challenge carries a token68 or auth parameters, not both")]
    Token68WithParams(String),
}

impl InvalidChallenge {
    /// The parameter a refused value was given for.
    fn param_name(&self) -> Option<&str> {
        match self {
            Self::ParamName(name) | Self::ParamValue { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// The schemes whose RFCs give their parameters rules of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    /// RFC 6750: never bare; `error`, `error_description`, `error_uri` and `scope` have their
    /// own character sets.
    Bearer,
    /// RFC 7617: `realm` is required; `charset` can only be `UTF-8`.
    Basic,
    Other,
}

impl Scheme {
    fn of(name: &str) -> Self {
        if name.eq_ignore_ascii_case(BEARER) {
            Self::Bearer
        } else if name.eq_ignore_ascii_case(BASIC) {
            Self::Basic
        } else {
            Self::Other
        }
    }
}

/// One challenge of a `WWW-Authenticate` header: an auth-scheme and its parameters.
///
/// Every value is checked against the grammar of the header and of the scheme's RFC as it is
/// set, whichever method sets it: [`with_param`](Self::with_param) applies the same rules as
/// the named setters to the parameters `Bearer` and `Basic` define. A value that cannot be
/// carried is never written raw: see [`InvalidChallenge`]. Setting a parameter twice keeps the
/// last value, so a parameter name occurs at most once.
///
/// ```
/// use denied::{BearerError, Challenge};
///
/// let challenge = Challenge::bearer("example")
///     .with_error(BearerError::InvalidToken)
///     .with_description("the token expired");
/// challenge.validate()?;
/// assert_eq!(
///     challenge.to_header_value()?,
///     r#"Bearer realm="example", error="invalid_token", error_description="the token expired""#,
/// );
/// # Ok::<(), denied::InvalidChallenge>(())
/// ```
#[derive(Clone)]
pub struct Challenge(Repr);

/// A challenge is kept in one of two forms, which send the same bytes and compare equal.
#[derive(Clone)]
enum Repr {
    /// The common ones, small and in line: see [`Known`].
    Known(Known),
    /// Any other: any scheme, any number of parameters, and the values refused, kept to be
    /// reported.
    Built(Box<Built>),
}

impl Challenge {
    /// A challenge of any scheme, such as `Negotiate` or `DPoP`.
    ///
    /// ```
    /// let challenge = denied::Challenge::new("DPoP").with_param("algs", "ES256 PS256");
    /// assert_eq!(challenge.to_header_value()?, r#"DPoP algs="ES256 PS256""#);
    /// # Ok::<(), denied::InvalidChallenge>(())
    /// ```
    #[must_use]
    pub fn new(scheme: impl Into<Cow<'static, str>>) -> Self {
        let scheme = scheme.into();
        match Scheme::of(&scheme) {
            Scheme::Other => Self(Repr::Built(Box::new(Built::new(scheme)))),
            kind => Self(Repr::Known(Known {
                scheme,
                kind,
                realm: None,
                error: None,
                last: None,
            })),
        }
    }

    /// `Bearer realm="..."` (RFC 6750), the challenge for a request that had no credentials.
    #[must_use]
    pub fn bearer(realm: impl Into<Cow<'static, str>>) -> Self {
        Self::known(BEARER, Scheme::Bearer, Some(realm.into()), None)
    }

    /// `Basic realm="..."` (RFC 7617).
    ///
    /// ```
    /// let challenge = denied::Challenge::basic("staging").with_utf8_charset();
    /// assert_eq!(challenge.to_header_value()?, r#"Basic realm="staging", charset="UTF-8""#);
    /// # Ok::<(), denied::InvalidChallenge>(())
    /// ```
    #[must_use]
    pub fn basic(realm: impl Into<Cow<'static, str>>) -> Self {
        Self::known(BASIC, Scheme::Basic, Some(realm.into()), None)
    }

    /// A challenge of a scheme known to be a valid token of that kind, with its realm and, for
    /// Bearer, an error code and its description: what [`new`](Self::new),
    /// [`with_realm`](Self::with_realm), [`with_error`](Self::with_error) and
    /// [`with_description`](Self::with_description) build one after the other, built directly.
    #[inline]
    fn known(
        scheme: &'static str,
        kind: Scheme,
        realm: Option<Cow<'static, str>>,
        error: Option<(BearerError, Cow<'static, str>)>,
    ) -> Self {
        let valid = realm.as_deref().map_or(true, is_quotable)
            && error
                .as_ref()
                .map_or(true, |(_, description)| is_bearer_text(description));
        if !valid {
            return Self(Repr::Built(Box::new(Built::known(
                scheme, kind, realm, error,
            ))));
        }
        let (error, last) = match error {
            Some((error, description)) => (Some(error), Some((Defined::Description, description))),
            None => (None, None),
        };
        Self(Repr::Known(Known {
            scheme: Cow::Borrowed(scheme),
            kind,
            realm,
            error,
            last,
        }))
    }

    /// Changes the challenge in its general form, which it takes for good.
    fn edit(&mut self, change: impl FnOnce(&mut Built)) {
        match &mut self.0 {
            Repr::Built(built) => change(built),
            Repr::Known(known) => {
                let mut built = Box::new(std::mem::replace(known, Known::PLACEHOLDER).into_built());
                change(&mut built);
                self.0 = Repr::Built(built);
            }
        }
    }

    /// The challenge in its general form, to read or compare.
    fn view(&self) -> Cow<'_, Built> {
        match &self.0 {
            Repr::Known(known) => Cow::Owned(known.clone().into_built()),
            Repr::Built(built) => Cow::Borrowed(built),
        }
    }

    /// Sets the `realm`, always sent first and as a quoted-string. A realm that cannot be
    /// carried makes the challenge unusable.
    #[must_use]
    pub fn with_realm(mut self, realm: impl Into<Cow<'static, str>>) -> Self {
        self.set_realm(realm.into());
        self
    }

    pub(crate) fn set_realm(&mut self, realm: Cow<'static, str>) {
        if let Repr::Known(known) = &mut self.0 {
            if is_quotable(&realm) {
                known.realm = Some(realm);
                return;
            }
        }
        self.edit(|built| built.set_realm(realm));
    }

    /// Sets the RFC 6750 `error` code of a `Bearer` challenge.
    ///
    /// The code decides the status of the response that carries the challenge (see
    /// [`BearerError::status`]); a response of another status leaves the challenge out.
    #[must_use]
    pub fn with_error(mut self, error: BearerError) -> Self {
        self.set_error(error);
        self
    }

    /// [`with_error`](Self::with_error) in place.
    pub(crate) fn set_error(&mut self, error: BearerError) {
        if let Repr::Known(known) = &mut self.0 {
            // A new `error` goes after the parameters set before it.
            if known.kind == Scheme::Bearer && (known.error.is_some() || known.last.is_none()) {
                known.error = Some(error);
                return;
            }
        }
        self.edit(|built| built.set_error(error));
    }

    /// Sets `error_description`: human text for the developer, limited by RFC 6750 to printable
    /// ASCII without `"` and `\`. Text outside that range is left out of the header, whatever
    /// the scheme.
    ///
    /// ```
    /// let challenge = denied::Challenge::new("DPoP").with_description("say \"hi\"");
    /// assert_eq!(challenge.param("error_description"), None);
    /// ```
    #[must_use]
    pub fn with_description(mut self, description: impl Into<Cow<'static, str>>) -> Self {
        let description = description.into();
        let checked = check_bearer_text("error_description", &description);
        self.set_checked_param("error_description", description, checked);
        self
    }

    /// Sets `scope`: space-separated scope tokens (RFC 6750 §3). A scope that breaks the
    /// grammar, the empty one included, is left out of the header, whatever the scheme.
    ///
    /// ```
    /// let challenge = denied::Challenge::new("DPoP").with_scope("");
    /// assert_eq!(challenge.param("scope"), None);
    /// ```
    #[must_use]
    pub fn with_scope(mut self, scope: impl Into<Cow<'static, str>>) -> Self {
        let scope = scope.into();
        let checked = check_scope(&scope);
        self.set_checked_param("scope", scope, checked);
        self
    }

    /// Sets `name` to `value` if `checked` found it valid by RFC 6750's rules; otherwise leaves
    /// it out, as [`with_param`](Self::with_param) does on a Bearer challenge.
    fn set_checked_param(
        &mut self,
        name: &'static str,
        value: Cow<'static, str>,
        checked: Result<(), InvalidChallenge>,
    ) {
        match checked {
            Ok(()) => self.set_param(Cow::Borrowed(name), value),
            Err(problem) => self.edit(|built| built.leave_out(name, problem)),
        }
    }

    /// Sets `charset="UTF-8"` on a Basic challenge (RFC 7617 §2.1).
    #[must_use]
    pub fn with_utf8_charset(self) -> Self {
        self.with_param("charset", "UTF-8")
    }

    /// Sets any auth-param, sent as a quoted-string. A name that is not a token, or a value
    /// that cannot be carried, is left out of the header.
    ///
    /// The parameters a scheme's RFC defines keep that RFC's rules whichever setter names
    /// them: `realm` is [`with_realm`](Self::with_realm); on `Bearer`, `error` must be an RFC
    /// 6750 code, and `error_description`, `error_uri` and `scope` must fit RFC 6750's
    /// character sets; on `Basic`, `charset` can only be `UTF-8`.
    ///
    /// ```
    /// use denied::{BearerError, Challenge};
    ///
    /// let challenge = Challenge::bearer("api").with_param("error", "invalid_token");
    /// assert_eq!(challenge.bearer_error(), Some(BearerError::InvalidToken));
    ///
    /// let refused = Challenge::bearer("api").with_param("error", "bad\\code");
    /// assert_eq!(refused.param("error"), None);
    /// assert!(refused.validate().is_err());
    /// ```
    #[must_use]
    pub fn with_param(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<Cow<'static, str>>,
    ) -> Self {
        self.set_param(name.into(), value.into());
        self
    }

    /// [`with_param`](Self::with_param) in place.
    pub(crate) fn set_param(&mut self, name: Cow<'static, str>, value: Cow<'static, str>) {
        if name.eq_ignore_ascii_case("realm") {
            return self.set_realm(value);
        }
        if let Repr::Known(known) = &mut self.0 {
            if let Some(defined) = Defined::valid(known.kind, &name, &value) {
                match &mut known.last {
                    // Setting a parameter again replaces its value where it is.
                    Some((last, old)) if *last == defined => {
                        *old = value;
                        return;
                    }
                    None => {
                        known.last = Some((defined, value));
                        return;
                    }
                    Some(_) => {}
                }
            }
        }
        self.edit(|built| built.set_param(name, value));
    }

    /// Sends a token68 (`Negotiate YII...`) as the whole challenge. A challenge carries a
    /// token68 or parameters, not both, and `Bearer` and `Basic` take parameters only: either
    /// mistake, or invalid token68 syntax, makes the challenge unusable.
    ///
    /// ```
    /// let negotiate = denied::Challenge::new("Negotiate").with_token68("YII=");
    /// assert_eq!(negotiate.to_header_value()?, "Negotiate YII=");
    ///
    /// let mixed = denied::Challenge::bearer("api").with_token68("abc");
    /// assert!(mixed.validate().is_err());
    /// # Ok::<(), denied::InvalidChallenge>(())
    /// ```
    #[must_use]
    pub fn with_token68(mut self, token68: impl Into<Cow<'static, str>>) -> Self {
        let token68 = token68.into();
        self.edit(|built| built.set_token68(token68));
        self
    }

    /// The auth-scheme.
    #[must_use]
    pub fn scheme(&self) -> &str {
        match &self.0 {
            Repr::Known(known) => &known.scheme,
            Repr::Built(built) => &built.scheme,
        }
    }

    /// The value of a parameter as it will be sent (before quoting), if it is set and valid.
    ///
    /// ```
    /// let challenge = denied::Challenge::bearer("example");
    /// assert_eq!(challenge.param("REALM"), Some("example"));
    /// ```
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&str> {
        match &self.0 {
            Repr::Known(known) => known
                .params()
                .find(|(known, _)| known.eq_ignore_ascii_case(name))
                .map(|(_, value)| value),
            Repr::Built(built) => built.param(name),
        }
    }

    /// The RFC 6750 error code of a `Bearer` challenge, if one is set; `None` for other
    /// schemes.
    #[must_use]
    pub fn bearer_error(&self) -> Option<BearerError> {
        match &self.0 {
            Repr::Known(known) => known.error,
            Repr::Built(built) => built.bearer_error,
        }
    }

    /// Checks every value given to this challenge: the first one that could not be carried
    /// and was not replaced by a later valid one.
    ///
    /// # Errors
    ///
    /// An unusable challenge (bad scheme, realm or token68, a token68 beside parameters, a
    /// `Bearer` without parameters, a `Basic` without realm), or a value that is left out of
    /// the header.
    pub fn validate(&self) -> Result<(), InvalidChallenge> {
        match &self.0 {
            Repr::Known(known) => known.check_usable(),
            Repr::Built(built) => built.validate(),
        }
    }

    /// Encodes the challenge as one `WWW-Authenticate` header value, leaving out the optional
    /// values that cannot be carried.
    ///
    /// # Errors
    ///
    /// The challenge is unusable: see [`validate`](Self::validate).
    pub fn to_header_value(&self) -> Result<HeaderValue, InvalidChallenge> {
        match &self.0 {
            Repr::Known(known) => {
                known.check_usable()?;
                known.header_value()
            }
            Repr::Built(built) => built.to_header_value(),
        }
    }

    /// `check_usable().is_ok()`, without building the error it would report.
    #[cfg(test)]
    pub(crate) fn is_usable(&self) -> bool {
        match &self.0 {
            Repr::Known(known) => known.is_usable(),
            Repr::Built(built) => built.is_usable(),
        }
    }

    /// [`to_header_value`](Self::to_header_value) for a challenge known to be usable.
    #[cfg(test)]
    pub(crate) fn usable_header_value(&self) -> Option<HeaderValue> {
        debug_assert!(self.is_usable());
        match &self.0 {
            Repr::Known(known) => known.header_value().ok(),
            Repr::Built(built) => built.usable_header_value(),
        }
    }

    /// Whether a refusal can send it: usable, or a `Bearer` or `Basic` challenge that lacks
    /// only the realm, which the app's settings give.
    #[inline]
    pub(crate) fn is_sendable(&self) -> bool {
        match &self.0 {
            // Every value of the compact form is valid, and its realm, if missing, is the app's.
            Repr::Known(_) => true,
            Repr::Built(built) => built.is_sendable(),
        }
    }

    /// The header value a refusal of an app whose realm is `app_realm` sends, for a challenge
    /// that [is sendable](Self::is_sendable).
    // Whether the realm is borrowed `'static` text decides whether its encoding is kept.
    #[allow(clippy::ptr_arg)]
    pub(crate) fn header_value_in(&self, app_realm: &Cow<'static, str>) -> Option<HeaderValue> {
        match &self.0 {
            Repr::Known(known) => known.header_value_in(app_realm),
            Repr::Built(built) => built.header_value_in(app_realm),
        }
    }

    /// Whether a response of `status` may carry this challenge: a `Bearer` error code
    /// belongs to one status (RFC 6750 §3.1).
    pub(crate) fn fits(&self, status: http::StatusCode) -> bool {
        self.bearer_error()
            .map_or(true, |error| error.status() == status)
    }
}

impl PartialEq for Challenge {
    fn eq(&self, other: &Self) -> bool {
        self.view() == other.view()
    }
}

impl Eq for Challenge {}

impl fmt::Debug for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.view(), f)
    }
}
