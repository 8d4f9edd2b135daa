use std::borrow::Cow;

/// A machine-readable cause of a refusal, sent to the client as extra body members so that it
/// can act on it: `"reason":"missing_role","role":"admin"`.
///
/// ```
/// use denied::{Forbidden, Reason};
///
/// let refusal = Forbidden::new().with_reason(Reason::MissingRole("admin".into()));
/// assert_eq!(refusal.reason().map(Reason::code), Some("missing_role"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// The caller lacks a role; the role is sent as the member `role`.
    MissingRole(Cow<'static, str>),
    /// The token lacks an OAuth scope; the scope is sent as the member `scope`.
    MissingScope(Cow<'static, str>),
    /// The caller is not the owner of the resource.
    NotOwner,
    /// An IP address or region policy blocks the caller.
    BlockedByPolicy,
    /// An application-defined code, sent as it is.
    Custom(Cow<'static, str>),
}

impl Reason {
    /// The code sent in the `reason` member.
    #[must_use]
    pub fn code(&self) -> &str {
        match self {
            Self::MissingRole(_) => "missing_role",
            Self::MissingScope(_) => "missing_scope",
            Self::NotOwner => "not_owner",
            Self::BlockedByPolicy => "blocked_by_policy",
            Self::Custom(code) => code,
        }
    }

    /// The member that carries the reason's detail, with its value.
    pub(crate) fn detail(&self) -> Option<(&'static str, &str)> {
        match self {
            Self::MissingRole(role) => Some(("role", role)),
            Self::MissingScope(scope) => Some(("scope", scope)),
            Self::NotOwner | Self::BlockedByPolicy | Self::Custom(_) => None,
        }
    }
}
