//! `WWW-Authenticate` challenges, built and quoted by RFC 9110 §11, RFC 6750 and RFC 7617.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use http::HeaderValue;

use crate::intern::InternTable;
use crate::syntax::{is_token, is_token68};

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

#[derive(Debug, Clone, PartialEq, Eq)]
struct Param {
    name: Cow<'static, str>,
    value: Cow<'static, str>,
}

/// The scheme, then each in-line parameter's name and value.
const STATIC_KEY_PARTS: usize = 1 + 2 * INLINE_PARAMS;

/// Where the parts of an all-`'static` challenge lie and how long they are. `'static` text
/// never changes, so equal keys are equal text; unequal keys may still be equal text, which
/// only costs an encoding.
#[derive(Clone, Copy, PartialEq, Eq)]
struct StaticKey {
    parts: [(usize, usize); STATIC_KEY_PARTS],
}

/// How many all-`'static` challenges each thread keeps encoded: an app has a handful.
const ENCODED_PER_THREAD: usize = 32;

thread_local! {
    static ENCODED: std::cell::RefCell<Vec<(StaticKey, HeaderValue)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The header value of the challenge `key` names: encoded once per thread, then a reference
/// count (`Unauthorized::new(Challenge::bearer("example"))` is the same text on every
/// request; the refusals' own constructors intern theirs for the process instead).
fn encoded_once(
    key: StaticKey,
    encode: impl FnOnce() -> Result<HeaderValue, InvalidChallenge>,
) -> Result<HeaderValue, InvalidChallenge> {
    let found = ENCODED
        .try_with(|cache| {
            let cache = cache.try_borrow().ok()?;
            cache
                .iter()
                .find(|(known, _)| *known == key)
                .map(|(_, value)| value.clone())
        })
        .ok()
        .flatten();
    if let Some(value) = found {
        return Ok(value);
    }
    let value = encode()?;
    let _ = ENCODED.try_with(|cache| {
        if let Ok(mut cache) = cache.try_borrow_mut() {
            if cache.len() < ENCODED_PER_THREAD {
                cache.push((key, value.clone()));
            }
        }
    });
    Ok(value)
}

/// How many challenges of `'static` text the process interns: an app has a handful.
const INTERNED_CHALLENGE_SLOTS: usize = 64;

// A slot's index is kept in a `u8`.
const _: () = assert!(INTERNED_CHALLENGE_SLOTS <= 256);

/// A compact challenge of `'static` text: its scheme, and where each text lies and how long
/// it is. Equal keys are equal challenges, as `'static` text never changes.
#[derive(Clone, Copy, PartialEq, Eq)]
struct InternKey {
    kind: Scheme,
    realm: (usize, usize),
    error: Option<BearerError>,
    description: Option<(usize, usize)>,
}

/// A challenge of `'static` text, kept once for the process with its header value encoded
/// into `'static` bytes.
struct Interned {
    challenge: Challenge,
    header_value: HeaderValue,
}

/// The interned challenge of `known`, whose texts are `'static`: checked, and its header
/// value encoded into leaked `'static` bytes (at most [`INTERNED_CHALLENGE_SLOTS`] small
/// texts, for the life of the process, as the process-wide default bodies are).
fn interned(known: &Known) -> Option<Interned> {
    let encoded = encode(&known.scheme, None, known.params()).ok()?;
    let encoded: &'static [u8] = encoded.as_bytes().to_vec().leak();
    let header_value = HeaderValue::from_maybe_shared(Bytes::from_static(encoded)).ok()?;
    Some(Interned {
        challenge: Challenge(Repr::Known(known.clone())),
        header_value,
    })
}

/// The process's interned challenges.
static INTERNED: InternTable<InternKey, Interned, INTERNED_CHALLENGE_SLOTS> = InternTable::new();

/// The parts of a challenge the crate builds for its refusals (`Bearer` or `Basic`, a realm,
/// an error code with its description), before they are checked: one of `'static` text that
/// the process interned already is found by where its text lies, without checking it again.
pub(crate) struct KnownParts {
    scheme: &'static str,
    kind: Scheme,
    realm: Cow<'static, str>,
    error: Option<(BearerError, Cow<'static, str>)>,
}

impl KnownParts {
    pub(crate) fn bearer(realm: Cow<'static, str>) -> Self {
        Self {
            scheme: BEARER,
            kind: Scheme::Bearer,
            realm,
            error: None,
        }
    }

    pub(crate) fn basic(realm: Cow<'static, str>) -> Self {
        Self {
            scheme: BASIC,
            kind: Scheme::Basic,
            realm,
            error: None,
        }
    }

    pub(crate) fn bearer_error(
        realm: Cow<'static, str>,
        error: BearerError,
        description: Cow<'static, str>,
    ) -> Self {
        Self {
            scheme: BEARER,
            kind: Scheme::Bearer,
            realm,
            error: Some((error, description)),
        }
    }

    /// The Bearer error code, if any.
    pub(crate) fn bearer_error_code(&self) -> Option<BearerError> {
        self.error.as_ref().map(|(error, _)| *error)
    }

    fn intern_key(&self) -> Option<InternKey> {
        let description = match &self.error {
            Some((_, description)) => Some(static_part(description)?),
            None => None,
        };
        Some(InternKey {
            kind: self.kind,
            realm: static_part(&self.realm)?,
            error: self.bearer_error_code(),
            description,
        })
    }

    /// The challenge, checked.
    pub(crate) fn build(self) -> Challenge {
        Challenge::known(self.scheme, self.kind, self.realm, self.error)
    }
}

/// A compact challenge of `'static` text (`Unauthorized::bearer("example")`,
/// `invalid_token("example", "the token expired")`), interned for the process: an error that
/// carries it needs no box for it, and a response takes its header value without encoding it
/// or counting a reference.
#[derive(Clone, Copy)]
pub(crate) struct InternedChallenge(u8);

impl InternedChallenge {
    /// The challenge `parts` build, if the process interned it already: found by where its
    /// texts lie, without checking them again.
    #[inline]
    pub(crate) fn find(parts: &KnownParts) -> Option<Self> {
        Self::find_key(&parts.intern_key()?)
    }

    // Out of line: inlined into the constructors, it made a 401 about ten instructions dearer.
    #[inline(never)]
    fn find_key(key: &InternKey) -> Option<Self> {
        let (index, _) = INTERNED.find(key)?;
        Self::at(index)
    }

    /// The challenge `parts` build, which [`find`](Self::find) did not find, checked and
    /// interned now while the table has room. Otherwise the challenge, to be kept by the
    /// error: one not all of `'static` text, not in the compact form, or that cannot be sent.
    #[inline(never)]
    pub(crate) fn intern(parts: KnownParts) -> Result<Self, Challenge> {
        let key = parts.intern_key();
        let challenge = parts.build();
        let interned = match (&challenge.0, key) {
            (Repr::Known(known), Some(key)) if known.is_usable() => INTERNED
                .intern_missing(key, || interned(known))
                .and_then(|(index, _)| Self::at(index)),
            _ => None,
        };
        interned.ok_or(challenge)
    }

    /// The interned challenge in slot `index`.
    fn at(index: usize) -> Option<Self> {
        u8::try_from(index).ok().map(Self)
    }

    /// The challenge. (`None` cannot happen: a slot, once set, stays set.)
    pub(crate) fn challenge(self) -> Option<&'static Challenge> {
        INTERNED
            .get(usize::from(self.0))
            .map(|interned| &interned.challenge)
    }

    /// Its header value, `'static` bytes.
    pub(crate) fn header_value(self) -> Option<HeaderValue> {
        INTERNED
            .get(usize::from(self.0))
            .map(|interned| interned.header_value.clone())
    }
}

/// Whether the process's table holds each challenge once.
#[cfg(test)]
pub(crate) fn interned_are_distinct() -> bool {
    INTERNED.count_and_distinct().1
}

/// How many parameters a challenge keeps in line: a Bearer challenge sends at most `realm`,
/// `error`, `error_description` and `scope` (or `error_uri`).
const INLINE_PARAMS: usize = 4;

const NO_PARAM: Param = Param {
    name: Cow::Borrowed(""),
    value: Cow::Borrowed(""),
};

/// A challenge's parameters, in order: up to [`INLINE_PARAMS`] in line, so that building the
/// usual challenge allocates nothing of its own; all of them in a `Vec` past that.
#[derive(Clone)]
struct Params {
    len: u8,
    inline: [Param; INLINE_PARAMS],
    /// Every parameter, once there are more than fit in line; empty until then.
    spilled: Vec<Param>,
}

impl Params {
    const fn new() -> Self {
        Self {
            len: 0,
            inline: [NO_PARAM; INLINE_PARAMS],
            spilled: Vec::new(),
        }
    }

    fn as_slice(&self) -> &[Param] {
        if self.spilled.is_empty() {
            &self.inline[..usize::from(self.len)]
        } else {
            &self.spilled
        }
    }

    fn as_mut_slice(&mut self) -> &mut [Param] {
        if self.spilled.is_empty() {
            &mut self.inline[..usize::from(self.len)]
        } else {
            &mut self.spilled
        }
    }

    fn iter(&self) -> std::slice::Iter<'_, Param> {
        self.as_slice().iter()
    }

    fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }

    fn push(&mut self, param: Param) {
        let len = usize::from(self.len);
        if self.spilled.is_empty() && len < INLINE_PARAMS {
            self.inline[len] = param;
            self.len += 1;
            return;
        }
        if self.spilled.is_empty() {
            self.spilled = self.inline[..len]
                .iter_mut()
                .map(|slot| std::mem::replace(slot, NO_PARAM))
                .collect();
            self.len = 0;
        }
        self.spilled.push(param);
    }

    /// Puts `param` first, before the others.
    fn insert_first(&mut self, param: Param) {
        let was_empty = self.is_empty();
        self.push(param);
        if !was_empty {
            self.as_mut_slice().rotate_right(1);
        }
    }

    fn retain(&mut self, mut keep: impl FnMut(&Param) -> bool) {
        if !self.spilled.is_empty() {
            self.spilled.retain(keep);
            return;
        }
        let len = usize::from(self.len);
        let mut kept = 0;
        for index in 0..len {
            if keep(&self.inline[index]) {
                self.inline.swap(kept, index);
                kept += 1;
            }
        }
        for slot in &mut self.inline[kept..len] {
            *slot = NO_PARAM;
        }
        // `kept` is at most `len`, a `u8`.
        self.len = u8::try_from(kept).unwrap_or(self.len);
    }
}

impl PartialEq for Params {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Params {}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
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

/// A `Bearer` or `Basic` challenge whose every value is valid, with, in this order, at most a
/// `realm`, a Bearer `error` code and one more parameter its RFC defines: every challenge the
/// crate builds (`Unauthorized::bearer`, `basic`, `invalid_token`, `invalid_request`,
/// `Forbidden::missing_scope`, the Basic extractor's). A flood of 401s is what credential
/// stuffing looks like: this form is a quarter of the size of the general one, needs no check
/// when sent, and drops nothing but its text.
#[derive(Clone)]
struct Known {
    scheme: Cow<'static, str>,
    /// `Bearer` or `Basic`.
    kind: Scheme,
    realm: Option<Cow<'static, str>>,
    /// Bearer only.
    error: Option<BearerError>,
    last: Option<(Defined, Cow<'static, str>)>,
}

/// The parameters past `realm` and `error` that `Bearer` (RFC 6750) and `Basic` (RFC 7617)
/// define and a [`Known`] challenge can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Defined {
    Description,
    Scope,
    Charset,
}

impl Defined {
    /// The parameter `name` names on a challenge of `kind`, if it is one of these and `value`
    /// is valid for it.
    fn valid(kind: Scheme, name: &str, value: &str) -> Option<Self> {
        let defined = match kind {
            Scheme::Bearer if name.eq_ignore_ascii_case("error_description") => Self::Description,
            Scheme::Bearer if name.eq_ignore_ascii_case("scope") => Self::Scope,
            Scheme::Basic if name.eq_ignore_ascii_case("charset") => Self::Charset,
            _ => return None,
        };
        let valid = match defined {
            Self::Description => is_bearer_text(value),
            Self::Scope => check_scope(value).is_ok(),
            Self::Charset => value.eq_ignore_ascii_case("UTF-8"),
        };
        valid.then_some(defined)
    }

    const fn name(self) -> &'static str {
        match self {
            Self::Description => "error_description",
            Self::Scope => "scope",
            Self::Charset => "charset",
        }
    }
}

const BEARER: &str = "Bearer";
const BASIC: &str = "Basic";

impl Known {
    /// What [`Challenge::edit`] leaves for the instant it converts a known challenge.
    const PLACEHOLDER: Self = Self {
        scheme: Cow::Borrowed(BASIC),
        kind: Scheme::Basic,
        realm: None,
        error: None,
        last: None,
    };

    /// The parameters in the order they are sent, each a name and a value.
    fn params(&self) -> impl Iterator<Item = (&str, &str)> + Clone {
        let realm = self.realm.as_deref().map(|realm| ("realm", realm));
        let error = self.error.map(|error| ("error", error.as_str()));
        let last = self
            .last
            .as_ref()
            .map(|(defined, value)| (defined.name(), &**value));
        [realm, error, last].into_iter().flatten()
    }

    fn check_usable(&self) -> Result<(), InvalidChallenge> {
        if self.is_usable() {
            return Ok(());
        }
        let scheme = self.scheme.to_string();
        Err(match self.kind {
            Scheme::Basic => InvalidChallenge::NoRealm(scheme),
            _ => InvalidChallenge::Bare(scheme),
        })
    }

    /// A Bearer challenge needs a parameter, a Basic one its realm.
    fn is_usable(&self) -> bool {
        match self.kind {
            Scheme::Basic => self.realm.is_some(),
            _ => self.realm.is_some() || self.error.is_some() || self.last.is_some(),
        }
    }

    /// Where each part of the text lies and how long it is, when every part is `'static`.
    /// Each parameter has its own slots, left empty when it is not set: a key with an empty
    /// slot between full ones is no general challenge's, whose parts follow one another.
    fn static_key(&self) -> Option<StaticKey> {
        let mut key = StaticKey::EMPTY;
        key.parts[0] = static_part(&self.scheme)?;
        if let Some(realm) = &self.realm {
            key.parts[1] = static_str_part("realm");
            key.parts[2] = static_part(realm)?;
        }
        if let Some(error) = self.error {
            key.parts[3] = static_str_part("error");
            key.parts[4] = static_str_part(error.as_str());
        }
        if let Some((defined, value)) = &self.last {
            key.parts[5] = static_str_part(defined.name());
            key.parts[6] = static_part(value)?;
        }
        Some(key)
    }

    fn header_value(&self) -> Result<HeaderValue, InvalidChallenge> {
        match self.static_key() {
            Some(key) => encoded_once(key, || encode(&self.scheme, None, self.params())),
            None => encode(&self.scheme, None, self.params()),
        }
    }

    fn into_built(self) -> Built {
        let mut params = Params::new();
        if let Some(realm) = self.realm {
            params.push(Param {
                name: Cow::Borrowed("realm"),
                value: realm,
            });
        }
        if let Some(error) = self.error {
            params.push(Param {
                name: Cow::Borrowed("error"),
                value: Cow::Borrowed(error.as_str()),
            });
        }
        if let Some((defined, value)) = self.last {
            params.push(Param {
                name: Cow::Borrowed(defined.name()),
                value,
            });
        }
        Built {
            scheme: self.scheme,
            kind: self.kind,
            bearer_error: self.error,
            token68: None,
            params,
            unusable: None,
            left_out: Vec::new(),
        }
    }
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
        Self::known(BEARER, Scheme::Bearer, realm.into(), None)
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
        Self::known(BASIC, Scheme::Basic, realm.into(), None)
    }

    /// A challenge of a scheme known to be a valid token of that kind, with its realm and, for
    /// Bearer, an error code and its description: what [`new`](Self::new),
    /// [`with_realm`](Self::with_realm), [`with_error`](Self::with_error) and
    /// [`with_description`](Self::with_description) build one after the other, built directly.
    #[inline]
    fn known(
        scheme: &'static str,
        kind: Scheme,
        realm: Cow<'static, str>,
        error: Option<(BearerError, Cow<'static, str>)>,
    ) -> Self {
        let valid = is_quotable(&realm)
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
            realm: Some(realm),
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
    /// ASCII without `"` and `\`. Text outside that range is left out of the header.
    #[must_use]
    pub fn with_description(self, description: impl Into<Cow<'static, str>>) -> Self {
        self.with_param("error_description", description)
    }

    /// Sets `scope`: space-separated scope tokens (RFC 6750 §3). A scope that breaks the
    /// grammar, the empty one included, is left out of the header.
    #[must_use]
    pub fn with_scope(self, scope: impl Into<Cow<'static, str>>) -> Self {
        self.with_param("scope", scope)
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
    #[inline]
    pub(crate) fn is_usable(&self) -> bool {
        match &self.0 {
            Repr::Known(known) => known.is_usable(),
            Repr::Built(built) => built.is_usable(),
        }
    }

    /// [`to_header_value`](Self::to_header_value) for a challenge known to be usable.
    pub(crate) fn usable_header_value(&self) -> Option<HeaderValue> {
        debug_assert!(self.is_usable());
        match &self.0 {
            Repr::Known(known) => known.header_value().ok(),
            Repr::Built(built) => built.usable_header_value(),
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

/// Any challenge the compact form cannot hold: any scheme, any parameters in any order, a
/// token68, and the values refused, kept to be reported.
#[derive(Clone, PartialEq, Eq)]
struct Built {
    scheme: Cow<'static, str>,
    kind: Scheme,
    bearer_error: Option<BearerError>,
    token68: Option<Cow<'static, str>>,
    params: Params,
    unusable: Option<InvalidChallenge>,
    left_out: Vec<InvalidChallenge>,
}

impl Built {
    fn new(scheme: Cow<'static, str>) -> Self {
        let unusable = (!is_token(&scheme)).then(|| InvalidChallenge::Scheme(scheme.to_string()));
        Self {
            kind: Scheme::of(&scheme),
            bearer_error: None,
            scheme,
            token68: None,
            params: Params::new(),
            unusable,
            left_out: Vec::new(),
        }
    }

    #[inline]
    fn known(
        scheme: &'static str,
        kind: Scheme,
        realm: Cow<'static, str>,
        error: Option<(BearerError, Cow<'static, str>)>,
    ) -> Self {
        debug_assert!(error.is_none() || kind == Scheme::Bearer);
        let mut params = [NO_PARAM; INLINE_PARAMS];
        let mut len: u8 = 0;
        let mut push = |param: Param| {
            params[usize::from(len)] = param;
            len += 1;
        };
        let unusable = match check_quoted("realm", &realm) {
            Ok(()) => {
                push(Param {
                    name: Cow::Borrowed("realm"),
                    value: realm,
                });
                None
            }
            Err(problem) => Some(problem),
        };
        let mut bearer_error = None;
        let mut left_out = Vec::new();
        if let Some((error, description)) = error {
            bearer_error = Some(error);
            push(Param {
                name: Cow::Borrowed("error"),
                value: Cow::Borrowed(error.as_str()),
            });
            match check_bearer_text("error_description", &description) {
                Ok(()) => push(Param {
                    name: Cow::Borrowed("error_description"),
                    value: description,
                }),
                Err(problem) => left_out.push(problem),
            }
        }
        Self {
            scheme: Cow::Borrowed(scheme),
            kind,
            bearer_error,
            token68: None,
            params: Params {
                len,
                inline: params,
                spilled: Vec::new(),
            },
            unusable,
            left_out,
        }
    }

    fn set_realm(&mut self, realm: Cow<'static, str>) {
        match check_quoted("realm", &realm) {
            Ok(()) => {
                // A realm replaces the one refused before it.
                if self
                    .unusable
                    .as_ref()
                    .and_then(InvalidChallenge::param_name)
                    == Some("realm")
                {
                    self.unusable = None;
                }
                self.params
                    .retain(|param| !param.name.eq_ignore_ascii_case("realm"));
                self.params.insert_first(Param {
                    name: Cow::Borrowed("realm"),
                    value: realm,
                });
            }
            Err(problem) => {
                self.unusable.get_or_insert(problem);
            }
        }
    }

    fn set_error(&mut self, error: BearerError) {
        if self.kind != Scheme::Bearer {
            return self.set_param(Cow::Borrowed("error"), Cow::Borrowed(error.as_str()));
        }
        // A code of the enum is a valid value: nothing to check.
        self.bearer_error = Some(error);
        self.forget_refused("error");
        self.set(Cow::Borrowed("error"), Cow::Borrowed(error.as_str()));
    }

    fn set_param(&mut self, name: Cow<'static, str>, value: Cow<'static, str>) {
        if name.eq_ignore_ascii_case("realm") {
            self.set_realm(value);
            return;
        }
        let (name, checked) = match self.defined_param(&name) {
            Some(defined) => (Cow::Borrowed(defined), self.check_defined(defined, &value)),
            None if is_token(&name) => {
                let checked = check_quoted(&name, &value);
                (name, checked)
            }
            None => {
                let problem = InvalidChallenge::ParamName(name.to_string());
                (name, Err(problem))
            }
        };
        if self.kind == Scheme::Bearer && name == "error" {
            self.bearer_error = checked
                .as_ref()
                .ok()
                .and_then(|()| BearerError::from_code(&value));
        }
        match checked {
            Ok(()) => {
                self.forget_refused(&name);
                self.set(name, value);
            }
            Err(problem) => {
                self.params
                    .retain(|param| !param.name.eq_ignore_ascii_case(&name));
                self.left_out.push(problem);
            }
        }
    }

    fn set_token68(&mut self, token68: Cow<'static, str>) {
        if self.kind != Scheme::Other {
            self.unusable
                .get_or_insert(InvalidChallenge::Token68NotAllowed(self.scheme.to_string()));
        } else if is_token68(&token68) {
            self.token68 = Some(token68);
        } else {
            self.unusable
                .get_or_insert(InvalidChallenge::Token68(token68.to_string()));
        }
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|param| param.name.eq_ignore_ascii_case(name))
            .map(|param| &*param.value)
    }

    fn validate(&self) -> Result<(), InvalidChallenge> {
        self.check_usable()?;
        match self.left_out.first() {
            Some(problem) => Err(problem.clone()),
            None => Ok(()),
        }
    }

    fn to_header_value(&self) -> Result<HeaderValue, InvalidChallenge> {
        self.check_usable()?;
        match self.static_key() {
            Some(key) => encoded_once(key, || self.encode()),
            None => self.encode(),
        }
    }

    /// The parameters in the order they are sent, each a name and a value.
    fn param_pairs(&self) -> impl Iterator<Item = (&str, &str)> + Clone {
        self.params
            .iter()
            .map(|param| (&*param.name, &*param.value))
    }

    /// Where each part of the text lies and how long it is, when every part is `'static`.
    fn static_key(&self) -> Option<StaticKey> {
        let params = self.params.as_slice();
        if params.len() > INLINE_PARAMS {
            return None;
        }
        let mut key = StaticKey::EMPTY;
        key.parts[0] = static_part(&self.scheme)?;
        if let Some(token68) = &self.token68 {
            key.parts[1] = static_part(token68)?;
            return Some(key);
        }
        for (index, param) in params.iter().enumerate() {
            key.parts[1 + 2 * index] = static_part(&param.name)?;
            key.parts[2 + 2 * index] = static_part(&param.value)?;
        }
        Some(key)
    }

    fn encode(&self) -> Result<HeaderValue, InvalidChallenge> {
        encode(&self.scheme, self.token68.as_deref(), self.param_pairs())
    }

    fn check_usable(&self) -> Result<(), InvalidChallenge> {
        if let Some(problem) = &self.unusable {
            return Err(problem.clone());
        }
        let scheme = || self.scheme.to_string();
        if self.token68.is_some() {
            return if self.params.is_empty() {
                Ok(())
            } else {
                Err(InvalidChallenge::Token68WithParams(scheme()))
            };
        }
        match self.kind {
            Scheme::Bearer if self.params.is_empty() => Err(InvalidChallenge::Bare(scheme())),
            Scheme::Basic if self.param("realm").is_none() => {
                Err(InvalidChallenge::NoRealm(scheme()))
            }
            _ => Ok(()),
        }
    }

    fn defined_param(&self, name: &str) -> Option<&'static str> {
        let defined: &[&'static str] = match self.kind {
            Scheme::Bearer => &["error", "error_description", "error_uri", "scope"],
            Scheme::Basic => &["charset"],
            Scheme::Other => &[],
        };
        defined
            .iter()
            .copied()
            .find(|known| known.eq_ignore_ascii_case(name))
    }

    fn check_defined(&self, name: &'static str, value: &str) -> Result<(), InvalidChallenge> {
        match name {
            "error" if BearerError::from_code(value).is_none() => Err(refuse(
                name,
                value,
                "RFC 6750 defines only invalid_request, invalid_token and insufficient_scope",
            )),
            "error" | "error_description" => check_bearer_text(name, value),
            "error_uri" => check_bearer_uri(value),
            "scope" => check_scope(value),
            "charset" if !value.eq_ignore_ascii_case("UTF-8") => {
                Err(refuse(name, value, "RFC 7617 allows only \"UTF-8\""))
            }
            _ => check_quoted(name, value),
        }
    }

    fn forget_refused(&mut self, name: &str) {
        self.left_out.retain(|problem| {
            !problem
                .param_name()
                .is_some_and(|refused| refused.eq_ignore_ascii_case(name))
        });
    }

    fn set(&mut self, name: Cow<'static, str>, value: Cow<'static, str>) {
        match self
            .params
            .as_mut_slice()
            .iter_mut()
            .find(|param| param.name.eq_ignore_ascii_case(&name))
        {
            Some(existing) => existing.value = value,
            None => self.params.push(Param { name, value }),
        }
    }

    #[inline]
    fn is_usable(&self) -> bool {
        self.unusable.is_none()
            && match (&self.token68, self.kind) {
                (Some(_), _) => self.params.is_empty(),
                (None, Scheme::Bearer) => !self.params.is_empty(),
                (None, Scheme::Basic) => self.param("realm").is_some(),
                (None, Scheme::Other) => true,
            }
    }

    fn usable_header_value(&self) -> Option<HeaderValue> {
        debug_assert!(self.is_usable());
        match self.static_key() {
            Some(key) => encoded_once(key, || self.encode()).ok(),
            None => self.encode().ok(),
        }
    }
}

impl fmt::Debug for Built {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Challenge")
            .field("scheme", &self.scheme)
            .field("kind", &self.kind)
            .field("bearer_error", &self.bearer_error)
            .field("token68", &self.token68)
            .field("params", &self.params)
            .field("unusable", &self.unusable)
            .field("left_out", &self.left_out)
            .finish()
    }
}

/// Where a `'static` text lies and how long it is; `None` for an owned one.
// Whether the text is borrowed or owned is what matters here.
#[allow(clippy::ptr_arg)]
fn static_part(text: &Cow<'static, str>) -> Option<(usize, usize)> {
    match text {
        Cow::Borrowed(text) => Some(static_str_part(text)),
        Cow::Owned(_) => None,
    }
}

fn static_str_part(text: &'static str) -> (usize, usize) {
    (text.as_ptr() as usize, text.len())
}

impl StaticKey {
    const EMPTY: Self = Self {
        parts: [(0, 0); STATIC_KEY_PARTS],
    };
}

/// The header value of a challenge of `scheme` with a `token68`, or else with `params`, each
/// value a quoted-string.
fn encode<'a>(
    scheme: &str,
    token68: Option<&str>,
    params: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> Result<HeaderValue, InvalidChallenge> {
    let mut text = String::with_capacity(encoded_len(scheme, token68, params.clone()));
    text.push_str(scheme);
    if let Some(token68) = token68 {
        text.push(' ');
        text.push_str(token68);
    } else {
        for (index, (name, value)) in params.enumerate() {
            text.push_str(if index == 0 { " " } else { ", " });
            text.push_str(name);
            text.push_str("=\"");
            let mut rest = value;
            while let Some(at) = rest.find(['"', '\\']) {
                text.push_str(&rest[..at]);
                text.push('\\');
                text.push_str(&rest[at..=at]);
                rest = &rest[at + 1..];
            }
            text.push_str(rest);
            text.push('"');
        }
    }
    HeaderValue::from_maybe_shared(Bytes::from(text))
        .map_err(|_| InvalidChallenge::Scheme(scheme.to_owned()))
}

/// The length of what [`encode`] writes.
fn encoded_len<'a>(
    scheme: &str,
    token68: Option<&str>,
    params: impl Iterator<Item = (&'a str, &'a str)>,
) -> usize {
    if let Some(token68) = token68 {
        return scheme.len() + 1 + token68.len();
    }
    let params: usize = params
        .map(|(name, value)| {
            let escapes = value.bytes().filter(|b| matches!(b, b'"' | b'\\'));
            2 + name.len() + 3 + value.len() + escapes.count()
        })
        .sum();
    // The first parameter follows one space, not a comma and a space.
    scheme.len() + params.saturating_sub(1)
}

fn refuse(name: &str, value: &str, rule: &'static str) -> InvalidChallenge {
    InvalidChallenge::ParamValue {
        name: name.to_owned(),
        value: value.to_owned(),
        rule,
    }
}

/// quoted-string content (RFC 9110 §5.6.4), limited to ASCII: HTAB, SP and visible characters.
fn check_quoted(name: &str, value: &str) -> Result<(), InvalidChallenge> {
    if is_quotable(value) {
        Ok(())
    } else {
        Err(refuse(
            name,
            value,
            "a quoted-string carries only tab, space and visible ASCII",
        ))
    }
}

/// RFC 6750 §3: `error_description` is %x20-21 / %x23-5B / %x5D-7E.
fn check_bearer_text(name: &str, value: &str) -> Result<(), InvalidChallenge> {
    if is_bearer_text(value) {
        Ok(())
    } else {
        Err(refuse(
            name,
            value,
            "RFC 6750 allows only printable ASCII without '\"' and '\\'",
        ))
    }
}

fn is_quotable(value: &str) -> bool {
    every_byte(value, |b| b == b'\t' || (b' '..=b'~').contains(&b))
}

fn is_bearer_text(value: &str) -> bool {
    every_byte(value, |b| b == b' ' || is_visible_unquoted(b))
}

/// Whether every byte of `text` is `allowed`: without stopping at the first that is not, so
/// that the loop runs many bytes at a time. Text that fails is a bug of the caller's, not the
/// common case.
#[inline]
fn every_byte(text: &str, allowed: impl Fn(u8) -> bool) -> bool {
    text.bytes().fold(true, |all, byte| all & allowed(byte))
}

/// RFC 6750 §3's characters of `scope` and `error_uri`: %x21 / %x23-5B / %x5D-7E.
fn is_visible_unquoted(byte: u8) -> bool {
    (b'!'..=b'~').contains(&byte) && byte != b'"' && byte != b'\\'
}

/// RFC 6750 §3: `error-uri` is a URI-reference of %x21 / %x23-5B / %x5D-7E.
fn check_bearer_uri(value: &str) -> Result<(), InvalidChallenge> {
    if !value.is_empty() && value.bytes().all(is_visible_unquoted) {
        Ok(())
    } else {
        Err(refuse(
            "error_uri",
            value,
            "RFC 6750 allows a URI of visible ASCII without '\"' and '\\'",
        ))
    }
}

/// RFC 6750 §3: `scope = scope-token *( SP scope-token )`, scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
fn check_scope(value: &str) -> Result<(), InvalidChallenge> {
    if !value.is_empty()
        && value
            .split(' ')
            .all(|token| !token.is_empty() && token.bytes().all(is_visible_unquoted))
    {
        Ok(())
    } else {
        Err(refuse(
            "scope",
            value,
            "RFC 6750 allows space-separated tokens of visible ASCII without '\"' and '\\'",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parameters_past_the_inline_ones_keep_their_order() {
        let mut challenge = Challenge::new("DPoP");
        for index in 0..7 {
            challenge = challenge.with_param(format!("p{index}"), format!("v{index}"));
        }
        let challenge = challenge.with_realm("r").with_param("p3", "again");
        let challenge = challenge.with_param("p5", "bad\u{1}");
        assert_eq!(
            challenge.to_header_value().unwrap(),
            r#"DPoP realm="r", p0="v0", p1="v1", p2="v2", p3="again", p4="v4", p6="v6""#
        );
    }

    #[test]
    fn a_refused_value_leaves_the_inline_parameters_in_order() {
        let challenge = Challenge::bearer("r")
            .with_scope("a")
            .with_description("d")
            .with_scope("bad\"scope");
        assert_eq!(
            challenge.to_header_value().unwrap(),
            r#"Bearer realm="r", error_description="d""#
        );
    }

    #[test]
    fn a_static_challenge_is_encoded_once_and_an_owned_one_every_time() {
        let first = Challenge::bearer("cached").to_header_value().unwrap();
        let again = Challenge::bearer("cached").to_header_value().unwrap();
        assert_eq!(first, again);
        // The same text, not `'static`: encoded again, to the same bytes.
        let owned = Challenge::bearer(String::from("cached"))
            .to_header_value()
            .unwrap();
        assert_eq!(owned, first);
        // More static challenges than a thread keeps: all still encoded right.
        let realms: Vec<&'static str> = (0..ENCODED_PER_THREAD + 8)
            .map(|index| &*Box::leak(format!("realm{index}").into_boxed_str()))
            .collect();
        for _ in 0..2 {
            for realm in &realms {
                let value = Challenge::bearer(*realm).to_header_value().unwrap();
                assert_eq!(value, format!("Bearer realm=\"{realm}\"").as_str());
            }
        }
    }

    /// The direct builds (`bearer`, `basic`, `Unauthorized::invalid_token`'s challenge) are
    /// the step-by-step ones, for every mix of valid and refused realm and description.
    #[test]
    fn a_challenge_built_directly_is_the_one_built_step_by_step() {
        let realms = [
            "example",
            "",
            "tab\there \"quoted\"",
            "line\nbreak",
            "caf\u{e9}",
        ];
        let descriptions = ["the token expired", "", "quote \"", "back\\slash", "\u{1}"];
        let errors = [
            BearerError::InvalidRequest,
            BearerError::InvalidToken,
            BearerError::InsufficientScope,
        ];
        for realm in realms {
            for description in descriptions {
                // A `'static` description is encoded once per thread; an owned one every time.
                let given = [
                    Cow::Borrowed(description),
                    Cow::Owned(description.to_owned()),
                ];
                for (error, description) in errors.into_iter().zip(given.iter().cycle()) {
                    let direct =
                        KnownParts::bearer_error(Cow::Borrowed(realm), error, description.clone())
                            .build();
                    let stepwise = Challenge::new("Bearer")
                        .with_realm(realm)
                        .with_error(error)
                        .with_description(description.to_string());
                    assert_eq!(direct, stepwise, "{realm:?} {description:?} {error}");
                    assert_eq!(direct.validate(), stepwise.validate());
                    assert_eq!(direct.to_header_value(), stepwise.to_header_value());
                }
            }
            for (direct, scheme) in [
                (Challenge::bearer(realm), "Bearer"),
                (Challenge::basic(realm), "Basic"),
            ] {
                let stepwise = Challenge::new(scheme).with_realm(realm);
                assert_eq!(direct, stepwise, "{scheme} {realm:?}");
                assert_eq!(direct.validate(), stepwise.validate());
                assert_eq!(direct.to_header_value(), stepwise.to_header_value());
            }
        }
    }

    /// Empties this thread's cache of encoded challenges, so that the next ones are encoded
    /// afresh.
    fn forget_encoded() {
        ENCODED.with(|cache| cache.borrow_mut().clear());
    }

    /// One step of building a challenge, applied alike to a [`Challenge`] and to the general
    /// form alone.
    #[derive(Debug, Clone)]
    enum Step {
        Realm(Cow<'static, str>),
        Error(BearerError),
        Param(&'static str, Cow<'static, str>),
        Token68(Cow<'static, str>),
    }

    /// A text, `'static` or owned: an owned one is never taken from the per-thread cache.
    fn text() -> impl Strategy<Value = Cow<'static, str>> {
        let texts = prop::sample::select(vec![
            "example",
            "",
            "UTF-8",
            "utf-8",
            "read write",
            "invalid_token",
            "insufficient_scope",
            "quote \"",
            "back\\slash",
            "line\nbreak",
            "caf\u{e9}",
            "YII=",
        ]);
        (texts, any::<bool>()).prop_map(|(text, owned)| {
            if owned {
                Cow::Owned(text.to_owned())
            } else {
                Cow::Borrowed(text)
            }
        })
    }

    fn step() -> impl Strategy<Value = Step> {
        let names = prop::sample::select(vec![
            "realm",
            "REALM",
            "error",
            "error_description",
            "Error_Description",
            "scope",
            "error_uri",
            "charset",
            "custom",
            "not a token",
        ]);
        let errors = prop::sample::select(vec![
            BearerError::InvalidRequest,
            BearerError::InvalidToken,
            BearerError::InsufficientScope,
        ]);
        prop_oneof![
            text().prop_map(Step::Realm),
            errors.prop_map(Step::Error),
            (names, text()).prop_map(|(name, value)| Step::Param(name, value)),
            text().prop_map(Step::Token68),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4_000))]

        /// Whatever the steps, the compact form and the general one hold the same challenge:
        /// equal, with the same parameters, checks and bytes.
        #[test]
        fn the_compact_form_is_the_general_one(
            scheme in prop::sample::select(vec!["Bearer", "bearer", "Basic", "DPoP"]),
            direct in prop::option::of((
                text(),
                prop::option::of((
                    prop::sample::select(vec![
                        BearerError::InvalidRequest,
                        BearerError::InvalidToken,
                        BearerError::InsufficientScope,
                    ]),
                    text(),
                )),
            )),
            steps in prop::collection::vec(step(), 0..6),
            cached in any::<bool>(),
        ) {
            if !cached {
                forget_encoded();
            }
            let (mut challenge, mut built) = match direct {
                Some((realm, error)) if scheme == "Bearer" || scheme == "Basic" => {
                    let kind = Scheme::of(scheme);
                    let error = error.filter(|_| kind == Scheme::Bearer);
                    let scheme = if kind == Scheme::Bearer { BEARER } else { BASIC };
                    (
                        Challenge::known(scheme, kind, realm.clone(), error.clone()),
                        Built::known(scheme, kind, realm, error),
                    )
                }
                _ => (Challenge::new(scheme), Built::new(Cow::Borrowed(scheme))),
            };
            for step in steps {
                match step {
                    Step::Realm(realm) => {
                        challenge = challenge.with_realm(realm.clone());
                        built.set_realm(realm);
                    }
                    Step::Error(error) => {
                        challenge = challenge.with_error(error);
                        built.set_error(error);
                    }
                    Step::Param(name, value) => {
                        challenge = challenge.with_param(name, value.clone());
                        built.set_param(Cow::Borrowed(name), value);
                    }
                    Step::Token68(token68) => {
                        challenge = challenge.with_token68(token68.clone());
                        built.set_token68(token68);
                    }
                }
            }
            prop_assert_eq!(&*challenge.view(), &built);
            prop_assert_eq!(challenge.scheme(), &*built.scheme);
            prop_assert_eq!(challenge.bearer_error(), built.bearer_error);
            for name in ["realm", "error", "error_description", "scope", "charset", "custom"] {
                prop_assert_eq!(challenge.param(name), built.param(name));
            }
            prop_assert_eq!(challenge.validate(), built.validate());
            prop_assert_eq!(challenge.is_usable(), built.is_usable());
            for status in [http::StatusCode::BAD_REQUEST, http::StatusCode::UNAUTHORIZED] {
                let fits = built.bearer_error.map_or(true, |error| error.status() == status);
                prop_assert_eq!(challenge.fits(status), fits);
            }
            // Encoded afresh and taken from the cache, the same bytes.
            let encoded = built.encode();
            for _ in 0..2 {
                prop_assert_eq!(challenge.to_header_value(), built.to_header_value());
                if challenge.is_usable() {
                    prop_assert_eq!(challenge.usable_header_value(), built.usable_header_value());
                    prop_assert_eq!(challenge.usable_header_value(), encoded.clone().ok());
                }
            }
        }
    }

    /// The constructors the crate's refusals use keep the compact form.
    #[test]
    fn the_crates_challenges_are_compact() {
        let challenges = [
            Challenge::bearer("example"),
            Challenge::basic("example").with_utf8_charset(),
            KnownParts::bearer_error(
                Cow::Borrowed("example"),
                BearerError::InvalidToken,
                Cow::Owned(String::from("the token expired")),
            )
            .build(),
            Challenge::new("Bearer")
                .with_error(BearerError::InsufficientScope)
                .with_scope("reports:export")
                .with_realm("example"),
        ];
        for challenge in challenges {
            assert!(matches!(challenge.0, Repr::Known(_)), "{challenge:?}");
        }
        assert!(std::mem::size_of::<Known>() * 4 <= std::mem::size_of::<Built>());
        // The general form is boxed: a challenge is the size of the compact one.
        assert_eq!(
            std::mem::size_of::<Challenge>(),
            std::mem::size_of::<Known>()
        );
    }

    /// `is_usable` answers what `check_usable` would, without building its error.
    #[test]
    fn usable_is_what_the_check_says() {
        let challenges = [
            Challenge::new("Bearer"),
            Challenge::bearer("r"),
            Challenge::bearer("bad\n"),
            Challenge::bearer("bad\n").with_scope("read"),
            Challenge::basic("r"),
            Challenge::new("Basic"),
            Challenge::new("basic").with_param("charset", "UTF-8"),
            Challenge::new("Negotiate"),
            Challenge::new("Negotiate").with_token68("YII="),
            Challenge::new("Negotiate")
                .with_token68("YII=")
                .with_param("a", "b"),
            Challenge::new("Negotiate").with_token68("not token68!"),
            Challenge::bearer("r").with_token68("abc"),
            Challenge::new("bad scheme"),
        ];
        for challenge in challenges {
            let check = match &challenge.0 {
                Repr::Known(known) => known.check_usable(),
                Repr::Built(built) => built.check_usable(),
            };
            assert_eq!(challenge.is_usable(), check.is_ok(), "{challenge:?}");
        }
    }

    #[test]
    fn setting_a_parameter_twice_keeps_one() {
        let challenge = Challenge::bearer("a").with_realm("b");
        assert_eq!(challenge.view().params.as_slice().len(), 1);
        assert_eq!(challenge.param("realm"), Some("b"));
    }

    #[test]
    fn an_invalid_optional_value_replaces_nothing_and_is_reported() {
        let challenge = Challenge::bearer("a")
            .with_scope("read")
            .with_scope("bad\"scope");
        assert_eq!(challenge.param("scope"), None);
        assert!(matches!(
            challenge.validate(),
            Err(InvalidChallenge::ParamValue { .. })
        ));
        assert!(challenge.is_usable());
    }

    #[test]
    fn an_invalid_realm_makes_the_challenge_unusable() {
        let challenge = Challenge::bearer("line\r\nbreak");
        assert!(!challenge.is_usable());
        assert!(challenge.to_header_value().is_err());
    }

    #[test]
    fn encoded_length_is_exact() {
        let challenge = Challenge::basic(r#"a "quoted" \ realm"#).with_utf8_charset();
        let value = challenge.to_header_value().unwrap();
        let built = challenge.view();
        let length = encoded_len(&built.scheme, None, built.param_pairs());
        assert_eq!(value.len(), length);
    }

    /// A challenge of `'static` text is interned when first built, and found when built again;
    /// one with owned text is not.
    #[test]
    fn a_challenge_of_static_text_is_found_when_built_again() {
        let parts = || {
            KnownParts::bearer_error(
                Cow::Borrowed("found again"),
                BearerError::InvalidToken,
                Cow::Borrowed("expired"),
            )
        };
        assert!(InternedChallenge::find(&parts()).is_none());
        let first = InternedChallenge::intern(parts()).ok().unwrap();
        let again = InternedChallenge::find(&parts()).unwrap();
        assert_eq!(first.0, again.0);
        let owned = || KnownParts::bearer(Cow::Owned(String::from("found again")));
        assert!(InternedChallenge::intern(owned()).is_err());
        assert!(InternedChallenge::find(&owned()).is_none());
    }
}
