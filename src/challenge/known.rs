//! The compact form: a `Bearer` or `Basic` challenge with at most a realm, an error code and one
//! more parameter its RFC defines.

use std::borrow::Cow;

use http::HeaderValue;

use super::built::Built;
use super::encode::encode;
use super::interned::{
    encoded_once, static_part, static_str_part, InternKey, StaticKey, APP_REALM,
};
use super::params::{Param, Params};
use super::rules::{check_scope, is_bearer_text};
use super::{BearerError, Challenge, InvalidChallenge, Scheme};

/// The parts of a challenge the crate builds for its refusals (`Bearer` or `Basic` in the
/// app's realm, an error code with its description), before they are checked: one of
/// `'static` text that the process interned already is found by where its text lies, without
/// checking it again.
pub(crate) struct KnownParts {
    scheme: &'static str,
    kind: Scheme,
    error: Option<(BearerError, Cow<'static, str>)>,
}

impl KnownParts {
    pub(crate) fn bearer() -> Self {
        Self {
            scheme: BEARER,
            kind: Scheme::Bearer,
            error: None,
        }
    }

    pub(crate) fn basic() -> Self {
        Self {
            scheme: BASIC,
            kind: Scheme::Basic,
            error: None,
        }
    }

    pub(crate) fn bearer_error(error: BearerError, description: Cow<'static, str>) -> Self {
        Self {
            scheme: BEARER,
            kind: Scheme::Bearer,
            error: Some((error, description)),
        }
    }

    /// The Bearer error code, if any.
    pub(crate) fn bearer_error_code(&self) -> Option<BearerError> {
        self.error.as_ref().map(|(error, _)| *error)
    }

    pub(super) fn intern_key(&self) -> Option<InternKey> {
        let description = match &self.error {
            Some((_, description)) => Some(static_part(description)?),
            None => None,
        };
        Some(InternKey {
            kind: self.kind,
            realm: APP_REALM,
            error: self.bearer_error_code(),
            description,
        })
    }

    /// The challenge, checked.
    pub(crate) fn build(self) -> Challenge {
        Challenge::known(self.scheme, self.kind, None, self.error)
    }
}

/// A `Bearer` or `Basic` challenge whose every value is valid, with, in this order, at most a
/// `realm`, a Bearer `error` code and one more parameter its RFC defines: every challenge the
/// crate builds (`Unauthorized::bearer`, `basic`, `invalid_token`,
/// `HttpError::malformed_credentials`, `Forbidden::missing_scope`, the Basic extractor's). A
/// flood of 401s is what credential stuffing looks like: this form is under a third of the
/// size of the general one, needs no check when sent, and drops nothing but its text.
#[derive(Clone)]
pub(super) struct Known {
    pub(super) scheme: Cow<'static, str>,
    /// `Bearer` or `Basic`.
    pub(super) kind: Scheme,
    pub(super) realm: Option<Cow<'static, str>>,
    /// Bearer only.
    pub(super) error: Option<BearerError>,
    pub(super) last: Option<(Defined, Cow<'static, str>)>,
}

/// The parameters past `realm` and `error` that `Bearer` (RFC 6750) and `Basic` (RFC 7617)
/// define and a [`Known`] challenge can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Defined {
    Description,
    Scope,
    Charset,
}

impl Defined {
    /// The parameter `name` names on a challenge of `kind`, if it is one of these and `value`
    /// is valid for it.
    pub(super) fn valid(kind: Scheme, name: &str, value: &str) -> Option<Self> {
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

    pub(super) const fn name(self) -> &'static str {
        match self {
            Self::Description => "error_description",
            Self::Scope => "scope",
            Self::Charset => "charset",
        }
    }
}

pub(super) const BEARER: &str = "Bearer";

pub(super) const BASIC: &str = "Basic";

impl Known {
    /// What [`Challenge::edit`] leaves for the instant it converts a known challenge.
    pub(super) const PLACEHOLDER: Self = Self {
        scheme: Cow::Borrowed(BASIC),
        kind: Scheme::Basic,
        realm: None,
        error: None,
        last: None,
    };

    /// Its key in the process's table of interned challenges, if its texts are `'static`
    /// and it has what [`KnownParts`] can build: the scheme's own spelling, and past the
    /// error code only a description.
    pub(super) fn intern_key(&self) -> Option<InternKey> {
        let scheme = match self.kind {
            Scheme::Bearer => BEARER,
            Scheme::Basic => BASIC,
            Scheme::Other => return None,
        };
        if static_part(&self.scheme)? != static_str_part(scheme) {
            return None;
        }
        let realm = match &self.realm {
            Some(realm) => static_part(realm)?,
            None => APP_REALM,
        };
        let description = match &self.last {
            None => None,
            Some((Defined::Description, description)) => Some(static_part(description)?),
            Some(_) => return None,
        };
        Some(InternKey {
            kind: self.kind,
            realm,
            error: self.error,
            description,
        })
    }

    /// The parameters in the order they are sent, each a name and a value.
    pub(super) fn params(&self) -> impl Iterator<Item = (&str, &str)> + Clone {
        let realm = self.realm.as_deref().map(|realm| ("realm", realm));
        let error = self.error.map(|error| ("error", error.as_str()));
        let last = self
            .last
            .as_ref()
            .map(|(defined, value)| (defined.name(), &**value));
        [realm, error, last].into_iter().flatten()
    }

    pub(super) fn check_usable(&self) -> Result<(), InvalidChallenge> {
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
    pub(super) fn is_usable(&self) -> bool {
        match self.kind {
            Scheme::Basic => self.realm.is_some(),
            _ => self.realm.is_some() || self.error.is_some() || self.last.is_some(),
        }
    }

    /// Where each part of the text lies and how long it is, when every part is `'static`.
    /// Each parameter has its own slots, left empty when it is not set: a key with an empty
    /// slot between full ones is no general challenge's, whose parts follow one another.
    pub(super) fn static_key(&self) -> Option<StaticKey> {
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

    pub(super) fn header_value(&self) -> Result<HeaderValue, InvalidChallenge> {
        match self.static_key() {
            Some(key) => encoded_once(key, || encode(&self.scheme, None, self.params())),
            None => encode(&self.scheme, None, self.params()),
        }
    }

    /// The header value in a refusal of an app whose realm is `app_realm`: a challenge without
    /// a realm of its own takes the app's.
    // Whether the realm is borrowed `'static` text decides whether its encoding is kept.
    #[allow(clippy::ptr_arg)]
    pub(super) fn header_value_in(&self, app_realm: &Cow<'static, str>) -> Option<HeaderValue> {
        if self.realm.is_some() {
            return self.header_value().ok();
        }
        let params = std::iter::once(("realm", &**app_realm)).chain(self.params());
        let key = self.static_key().zip(static_part(app_realm));
        match key {
            Some((mut key, realm)) => {
                key.parts[1] = static_str_part("realm");
                key.parts[2] = realm;
                encoded_once(key, || encode(&self.scheme, None, params)).ok()
            }
            None => encode(&self.scheme, None, params).ok(),
        }
    }

    pub(super) fn into_built(self) -> Built {
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
            unusable: Vec::new(),
            left_out: Vec::new(),
        }
    }
}
