//! The general form: any scheme, any parameters in any order, a token68, and the values refused.

use std::borrow::Cow;
use std::fmt;

use http::HeaderValue;

use super::encode::encode;
use super::interned::{encoded_once, static_part, StaticKey};
use super::params::{Param, Params, INLINE_PARAMS, NO_PARAM};
use super::rules::{check_bearer_text, check_bearer_uri, check_quoted, check_scope, refuse};
use super::{BearerError, InvalidChallenge, Scheme};
use crate::syntax::{is_token, is_token68};

/// Any challenge the compact form cannot hold: any scheme, any parameters in any order, a
/// token68, and the values refused, kept to be reported.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Built {
    pub(super) scheme: Cow<'static, str>,
    pub(super) kind: Scheme,
    pub(super) bearer_error: Option<BearerError>,
    pub(super) token68: Option<Cow<'static, str>>,
    pub(super) params: Params,
    /// Every problem that makes it unusable, in the order recorded: each stays until a later
    /// valid value of the same part replaces it, whatever else is set meanwhile.
    pub(super) unusable: Vec<InvalidChallenge>,
    pub(super) left_out: Vec<InvalidChallenge>,
}

impl Built {
    pub(super) fn new(scheme: Cow<'static, str>) -> Self {
        let unusable = if is_token(&scheme) {
            Vec::new()
        } else {
            vec![InvalidChallenge::Scheme(scheme.to_string())]
        };
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
    pub(super) fn known(
        scheme: &'static str,
        kind: Scheme,
        realm: Option<Cow<'static, str>>,
        error: Option<(BearerError, Cow<'static, str>)>,
    ) -> Self {
        debug_assert!(error.is_none() || kind == Scheme::Bearer);
        let mut params = [NO_PARAM; INLINE_PARAMS];
        let mut len: u8 = 0;
        let mut push = |param: Param| {
            params[usize::from(len)] = param;
            len += 1;
        };
        let unusable = match realm.map(|realm| (check_quoted("realm", &realm), realm)) {
            Some((Ok(()), realm)) => {
                push(Param {
                    name: Cow::Borrowed("realm"),
                    value: realm,
                });
                Vec::new()
            }
            Some((Err(problem), _)) => vec![problem],
            None => Vec::new(),
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

    pub(super) fn set_realm(&mut self, realm: Cow<'static, str>) {
        match check_quoted("realm", &realm) {
            Ok(()) => {
                // A realm replaces the one refused before it, and nothing else.
                self.unusable
                    .retain(|problem| problem.param_name() != Some("realm"));
                self.params
                    .retain(|param| !param.name.eq_ignore_ascii_case("realm"));
                self.params.insert_first(Param {
                    name: Cow::Borrowed("realm"),
                    value: realm,
                });
            }
            Err(problem) => self.unusable.push(problem),
        }
    }

    pub(super) fn set_error(&mut self, error: BearerError) {
        if self.kind != Scheme::Bearer {
            return self.set_param(Cow::Borrowed("error"), Cow::Borrowed(error.as_str()));
        }
        // A code of the enum is a valid value: nothing to check.
        self.bearer_error = Some(error);
        self.forget_refused("error");
        self.set(Cow::Borrowed("error"), Cow::Borrowed(error.as_str()));
    }

    pub(super) fn set_param(&mut self, name: Cow<'static, str>, value: Cow<'static, str>) {
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
            Err(problem) => self.leave_out(&name, problem),
        }
    }

    /// Leaves `name` out of the header, for `problem`, which `validate` reports.
    pub(super) fn leave_out(&mut self, name: &str, problem: InvalidChallenge) {
        self.params
            .retain(|param| !param.name.eq_ignore_ascii_case(name));
        self.left_out.push(problem);
    }

    pub(super) fn set_token68(&mut self, token68: Cow<'static, str>) {
        if self.kind != Scheme::Other {
            self.unusable
                .push(InvalidChallenge::Token68NotAllowed(self.scheme.to_string()));
        } else if is_token68(&token68) {
            // A token68 replaces the one refused before it.
            self.unusable
                .retain(|problem| !matches!(problem, InvalidChallenge::Token68(_)));
            self.token68 = Some(token68);
        } else {
            self.unusable
                .push(InvalidChallenge::Token68(token68.to_string()));
        }
    }

    pub(super) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|param| param.name.eq_ignore_ascii_case(name))
            .map(|param| &*param.value)
    }

    pub(super) fn validate(&self) -> Result<(), InvalidChallenge> {
        self.check_usable()?;
        match self.left_out.first() {
            Some(problem) => Err(problem.clone()),
            None => Ok(()),
        }
    }

    pub(super) fn to_header_value(&self) -> Result<HeaderValue, InvalidChallenge> {
        self.check_usable()?;
        match self.static_key() {
            Some(key) => encoded_once(key, || self.encode()),
            None => self.encode(),
        }
    }

    /// The parameters in the order they are sent, each a name and a value.
    pub(super) fn param_pairs(&self) -> impl Iterator<Item = (&str, &str)> + Clone {
        self.params
            .iter()
            .map(|param| (&*param.name, &*param.value))
    }

    /// Where each part of the text lies and how long it is, when every part is `'static`.
    pub(super) fn static_key(&self) -> Option<StaticKey> {
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

    pub(super) fn encode(&self) -> Result<HeaderValue, InvalidChallenge> {
        encode(&self.scheme, self.token68.as_deref(), self.param_pairs())
    }

    pub(super) fn check_usable(&self) -> Result<(), InvalidChallenge> {
        if let Some(problem) = self.unusable.first() {
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

    pub(super) fn defined_param(&self, name: &str) -> Option<&'static str> {
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

    pub(super) fn check_defined(
        &self,
        name: &'static str,
        value: &str,
    ) -> Result<(), InvalidChallenge> {
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

    pub(super) fn forget_refused(&mut self, name: &str) {
        self.left_out.retain(|problem| {
            !problem
                .param_name()
                .is_some_and(|refused| refused.eq_ignore_ascii_case(name))
        });
    }

    pub(super) fn set(&mut self, name: Cow<'static, str>, value: Cow<'static, str>) {
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
    pub(super) fn is_usable(&self) -> bool {
        self.unusable.is_empty()
            && match (&self.token68, self.kind) {
                (Some(_), _) => self.params.is_empty(),
                (None, Scheme::Bearer) => !self.params.is_empty(),
                (None, Scheme::Basic) => self.param("realm").is_some(),
                (None, Scheme::Other) => true,
            }
    }

    /// Whether a refusal can send it, where a `Bearer` or `Basic` challenge without a realm
    /// takes the app's.
    #[inline]
    pub(super) fn is_sendable(&self) -> bool {
        self.unusable.is_empty()
            && self
                .token68
                .as_ref()
                .map_or(true, |_| self.params.is_empty())
    }

    /// The header value in a refusal of an app whose realm is `app_realm`: a `Bearer` or
    /// `Basic` challenge without a realm of its own takes the app's.
    pub(super) fn header_value_in(&self, app_realm: &str) -> Option<HeaderValue> {
        let takes_app_realm = matches!(self.kind, Scheme::Bearer | Scheme::Basic)
            && self.token68.is_none()
            && self.param("realm").is_none();
        if !takes_app_realm {
            return self
                .is_usable()
                .then(|| self.usable_header_value())
                .flatten();
        }
        let params = std::iter::once(("realm", app_realm)).chain(self.param_pairs());
        encode(&self.scheme, None, params).ok()
    }

    pub(super) fn usable_header_value(&self) -> Option<HeaderValue> {
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
