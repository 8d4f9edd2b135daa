//! `Forbidden` and `Unauthorized`: typed refusals over [`HttpError`], sharing its surface.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

use http::StatusCode;

use super::HttpError;
use crate::challenge::{BearerError, Challenge, KnownParts};
use crate::reason::Reason;

type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// The methods every refusal type shares with [`HttpError`], delegated to it.
macro_rules! refusal_surface {
    ($name:ident) => {
        impl $name {
            /// The status the response is sent with.
            #[must_use]
            pub fn status(&self) -> StatusCode {
                self.0.status()
            }

            /// The error's own sentence as the client is sent it (see [`HttpError::message`]).
            #[must_use]
            pub fn message(&self) -> Option<&str> {
                self.0.message()
            }

            /// The machine-readable reason, if any.
            #[must_use]
            pub fn reason(&self) -> Option<&Reason> {
                self.0.reason()
            }

            /// The `WWW-Authenticate` challenges, in the order they are sent.
            #[must_use]
            pub fn challenges(&self) -> &[Challenge] {
                self.0.challenges()
            }

            /// Replaces the client-facing sentence of this one error.
            #[must_use]
            pub fn with_message(self, message: impl Into<Cow<'static, str>>) -> Self {
                Self(self.0.with_message(message))
            }

            /// Sets the problem `type` (see [`HttpError::with_type`]).
            #[must_use]
            pub fn with_type(self, uri: impl Into<Cow<'static, str>>) -> Self {
                Self(self.0.with_type(uri))
            }

            /// Sets the problem `instance` (see [`HttpError::with_instance`]).
            #[must_use]
            pub fn with_instance(self, uri: impl Into<Cow<'static, str>>) -> Self {
                Self(self.0.with_instance(uri))
            }

            /// Adds a body member (see [`HttpError::with_member`]).
            #[must_use]
            pub fn with_member(
                self,
                name: impl Into<Cow<'static, str>>,
                value: impl serde::Serialize,
            ) -> Self {
                Self(self.0.with_member(name, value))
            }

            /// Keeps a source error for logs; it is never sent.
            #[must_use]
            pub fn with_source(self, source: impl Into<BoxError>) -> Self {
                Self(self.0.with_source(source))
            }

            /// Keeps a note for logs; it is never sent.
            #[must_use]
            pub fn with_note(self, note: impl Into<Cow<'static, str>>) -> Self {
                Self(self.0.with_note(note))
            }

            /// The general error this refusal is, for code that handles every status alike.
            #[must_use]
            pub fn into_http_error(self) -> HttpError {
                self.0
            }

            /// The general error this refusal is, borrowed: for rendering it in place.
            pub(crate) fn as_http_error(&self) -> &HttpError {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl StdError for $name {
            fn source(&self) -> Option<&(dyn StdError + 'static)> {
                self.0.source()
            }
        }

        impl From<$name> for HttpError {
            fn from(refusal: $name) -> Self {
                refusal.0
            }
        }
    };
}

/// 403 Forbidden: the caller is known, and the answer is a final no.
///
/// By default it answers
/// `{"error":"Forbidden","message":"You do not have permission to access this resource","status":403}`.
/// A client must not refresh its token or retry it.
///
/// ```
/// use denied::{Forbidden, HttpError};
///
/// fn publish(roles: &[&str]) -> Result<&'static str, HttpError> {
///     if !roles.contains(&"editor") {
///         Err(Forbidden::missing_role("editor"))?;
///     }
///     Ok("published")
/// }
///
/// let error = publish(&["viewer"]).unwrap_err();
/// assert_eq!(error.status(), 403);
/// assert_eq!(error.message(), None); // the settings' sentence for a 403 is sent
/// ```
#[derive(Debug)]
pub struct Forbidden(HttpError);

refusal_surface!(Forbidden);

impl Default for Forbidden {
    fn default() -> Self {
        Self::new()
    }
}

impl Forbidden {
    /// A 403 with the default message.
    #[must_use]
    pub const fn new() -> Self {
        Self(HttpError::with_status(StatusCode::FORBIDDEN))
    }

    /// The caller lacks `role`; the body says `"reason":"missing_role","role":"..."`.
    #[must_use]
    pub fn missing_role(role: impl Into<Cow<'static, str>>) -> Self {
        Self::with_only_reason(Reason::MissingRole(role.into()))
    }

    /// The token lacks `scope` (RFC 6750 `insufficient_scope`): the body says
    /// `"reason":"missing_scope","scope":"..."`, and the response carries
    /// `WWW-Authenticate: Bearer realm="...", error="insufficient_scope", scope="..."` in the
    /// app's realm. A scope that RFC 6750 cannot carry is left out of the header and still sent
    /// in the body.
    ///
    /// ```
    /// let response = denied::Forbidden::missing_scope("reports:export").render();
    /// assert_eq!(
    ///     response.headers()["www-authenticate"],
    ///     r#"Bearer realm="api", error="insufficient_scope", scope="reports:export""#,
    /// );
    /// ```
    #[must_use]
    pub fn missing_scope(scope: impl Into<Cow<'static, str>>) -> Self {
        let scope = scope.into();
        let challenge = Challenge::new("Bearer")
            .with_error(BearerError::InsufficientScope)
            .with_scope(scope.clone());
        Self(
            HttpError::with_status(StatusCode::FORBIDDEN)
                .with_reason(Reason::MissingScope(scope))
                .with_challenge(challenge),
        )
    }

    /// Sets the realm of the `insufficient_scope` challenge of
    /// [`missing_scope`](Self::missing_scope), instead of the app's; other refusals send no
    /// challenge and are unchanged.
    #[must_use]
    pub fn with_realm(mut self, realm: impl Into<Cow<'static, str>>) -> Self {
        self.0.set_realm_of_challenges(realm.into());
        self
    }

    /// The caller is not the owner of the resource.
    #[must_use]
    pub const fn not_owner() -> Self {
        Self::with_only_reason(Reason::NotOwner)
    }

    /// An IP address or region policy blocks the caller.
    #[must_use]
    pub const fn blocked_by_policy() -> Self {
        Self::with_only_reason(Reason::BlockedByPolicy)
    }

    /// Sets the machine-readable reason.
    ///
    /// ```
    /// let refusal = denied::Forbidden::new().with_reason(denied::Reason::Custom("plan_limit".into()));
    /// let body: serde_json::Value = serde_json::from_slice(refusal.render().body())?;
    /// assert_eq!(body["reason"], "plan_limit");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn with_reason(self, reason: Reason) -> Self {
        Self(self.0.with_reason(reason))
    }

    /// Answers as the application's genuine 404 instead, byte for byte, so that a caller cannot
    /// learn that the resource exists (RFC 9110 §15.5.4). The refusal stays available for
    /// logs through [`HttpError::concealed`].
    ///
    /// ```
    /// let concealed = denied::Forbidden::not_owner().conceal().render();
    /// let genuine = denied::HttpError::not_found().render();
    /// assert_eq!(concealed.status(), genuine.status());
    /// assert_eq!(concealed.headers(), genuine.headers());
    /// assert_eq!(concealed.body(), genuine.body());
    /// ```
    #[must_use]
    pub fn conceal(self) -> HttpError {
        HttpError::concealing(self)
    }

    /// A 403 with `reason` and nothing else, built in place: for a `static`, and for the
    /// constructors (a 403 built and then given its reason is copied out with wide loads of
    /// narrow stores, which stalls).
    pub(crate) const fn with_only_reason(reason: Reason) -> Self {
        Self(HttpError::with_status_and_reason(
            StatusCode::FORBIDDEN,
            Some(reason),
        ))
    }
}

/// 401 Unauthorized: authenticate, then try again. It cannot be built without a
/// `WWW-Authenticate` challenge (RFC 9110 §15.5.2).
///
/// The app names its realm once, in [`Config::realm`](crate::Config::realm) (default `api`):
/// a `Bearer` or `Basic` challenge without a realm of its own is sent with the app's. Give one
/// refusal another with [`with_realm`](Self::with_realm).
///
/// A Bearer challenge with an RFC 6750 error code answers with that code's status:
/// `invalid_request` 400 (see [`HttpError::malformed_credentials`]), `invalid_token` 401,
/// `insufficient_scope` 403 (see [`Forbidden::missing_scope`]).
///
/// ```
/// use denied::{HttpError, Unauthorized};
///
/// fn user(token: Option<&str>) -> Result<&'static str, HttpError> {
///     match token {
///         None => Err(Unauthorized::bearer())?,
///         Some("good") => Ok("alice"),
///         Some(_) => Err(Unauthorized::invalid_token("the token is not valid"))?,
///     }
/// }
///
/// // Rendered with the default settings, whose realm is `api`.
/// let response = user(None).unwrap_err().render();
/// assert_eq!(response.status(), 401);
/// assert_eq!(response.headers()["www-authenticate"], r#"Bearer realm="api""#);
/// ```
#[derive(Debug)]
pub struct Unauthorized(HttpError);

refusal_surface!(Unauthorized);

impl Unauthorized {
    /// A refusal carrying `challenge`; add more with [`with_challenge`](Self::with_challenge),
    /// each sent as its own header line.
    #[must_use]
    pub fn new(challenge: Challenge) -> Self {
        let status = challenge
            .bearer_error()
            .map_or(StatusCode::UNAUTHORIZED, BearerError::status);
        Self(HttpError::with_status(status).with_challenge(challenge))
    }

    /// `Bearer realm="..."` with the app's realm: the request had no credentials, so the
    /// challenge has no error code.
    ///
    /// ```
    /// let response = denied::Unauthorized::bearer().render();
    /// assert_eq!(response.headers()["www-authenticate"], r#"Bearer realm="api""#);
    /// ```
    #[must_use]
    #[inline]
    pub fn bearer() -> Self {
        Self(HttpError::with_only_challenge(
            StatusCode::UNAUTHORIZED,
            KnownParts::bearer(),
        ))
    }

    /// The bearer token is expired, revoked or malformed: `error="invalid_token"` with an
    /// `error_description`, in the app's realm.
    ///
    /// ```
    /// let response = denied::Unauthorized::invalid_token("the token expired").render();
    /// assert_eq!(
    ///     response.headers()["www-authenticate"],
    ///     r#"Bearer realm="api", error="invalid_token", error_description="the token expired""#,
    /// );
    /// ```
    #[must_use]
    pub fn invalid_token(description: impl Into<Cow<'static, str>>) -> Self {
        Self(HttpError::with_only_challenge(
            StatusCode::UNAUTHORIZED,
            KnownParts::bearer_error(BearerError::InvalidToken, description.into()),
        ))
    }

    /// `Basic realm="..."` (RFC 7617) with the app's realm.
    ///
    /// ```
    /// let response = denied::Unauthorized::basic().render();
    /// assert_eq!(response.headers()["www-authenticate"], r#"Basic realm="api""#);
    /// ```
    #[must_use]
    #[inline]
    pub fn basic() -> Self {
        Self(HttpError::with_only_challenge(
            StatusCode::UNAUTHORIZED,
            KnownParts::basic(),
        ))
    }

    /// Gives every challenge of this refusal `realm` instead of the app's: for the one
    /// refusal of an app that answers for another realm.
    ///
    /// ```
    /// let response = denied::Unauthorized::bearer().with_realm("admin").render();
    /// assert_eq!(response.headers()["www-authenticate"], r#"Bearer realm="admin""#);
    /// ```
    #[must_use]
    pub fn with_realm(mut self, realm: impl Into<Cow<'static, str>>) -> Self {
        self.0.set_realm_of_challenges(realm.into());
        self
    }

    /// Adds another challenge, sent on its own `WWW-Authenticate` line.
    ///
    /// ```
    /// let refusal = denied::Unauthorized::bearer().with_challenge(denied::Challenge::basic("api"));
    /// let response = refusal.render();
    /// let lines: Vec<_> = response.headers().get_all("www-authenticate").iter().collect();
    /// assert_eq!(lines, [r#"Bearer realm="api""#, r#"Basic realm="api""#]);
    /// ```
    #[must_use]
    pub fn with_challenge(self, challenge: Challenge) -> Self {
        Self(self.0.with_challenge(challenge))
    }
}
