//! The parts only some errors have, kept out of line so that an error stays small to return.

use std::borrow::Cow;
use std::error::Error as StdError;

use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode};

use super::{Forbidden, HttpError, RetryAfter};
use crate::challenge::Challenge;
use crate::reason::Reason;

type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Headers that only some refusals carry, kept out of line so the error stays small.
#[derive(Debug, Clone, Default)]
pub(super) struct ExtraHeaders {
    pub(super) challenges: Challenges,
    pub(super) allow: Option<HeaderValue>,
    pub(super) retry_after: Option<RetryAfter>,
}

/// A response's challenges: one, the common case, kept in line (no allocation of its own);
/// several in a `Vec`. The whole lives boxed with the other extra headers, so its size does
/// not weigh on the error.
#[derive(Debug, Clone, Default)]
pub(super) enum Challenges {
    #[default]
    None,
    One(Challenge),
    Several(Vec<Challenge>),
}

impl Challenges {
    pub(super) fn as_slice(&self) -> &[Challenge] {
        match self {
            Self::None => &[],
            Self::One(challenge) => std::slice::from_ref(challenge),
            Self::Several(challenges) => challenges,
        }
    }

    pub(super) fn push(&mut self, challenge: Challenge) {
        match self {
            Self::None => *self = Self::One(challenge),
            Self::Several(challenges) => challenges.push(challenge),
            Self::One(_) => {
                if let Self::One(first) = std::mem::take(self) {
                    *self = Self::Several(vec![first, challenge]);
                }
            }
        }
    }

    pub(super) fn as_mut_slice(&mut self) -> &mut [Challenge] {
        match self {
            Self::None => &mut [],
            Self::One(challenge) => std::slice::from_mut(challenge),
            Self::Several(challenges) => challenges,
        }
    }
}

/// What the client is never told: kept for logs, out of line.
#[derive(Debug, Default)]
pub(super) struct Hidden {
    pub(super) source: Option<BoxError>,
    pub(super) note: Option<Cow<'static, str>>,
    pub(super) concealed: Option<Forbidden>,
    /// Members refused by `with_member` or `with_type`, and why.
    pub(super) refused: Vec<String>,
}

/// A part only some errors have, boxed so the error stays small. Dropping an error without it
/// tests one pointer: the box is freed out of line, as the compiler does not always inline the
/// drop of an `Option<Box<_>>`.
pub(super) struct OutOfLine<T>(Option<Box<T>>);

impl<T> OutOfLine<T> {
    pub(super) const NONE: Self = Self(None);

    pub(super) fn new(part: T) -> Self {
        Self(Some(Box::new(part)))
    }

    #[inline]
    pub(super) fn get(&self) -> Option<&T> {
        self.0.as_deref()
    }

    pub(super) fn get_mut(&mut self) -> Option<&mut T> {
        self.0.as_deref_mut()
    }

    #[inline]
    pub(super) fn is_none(&self) -> bool {
        self.0.is_none()
    }
}

impl<T: Default> OutOfLine<T> {
    pub(super) fn get_or_default(&mut self) -> &mut T {
        self.0.get_or_insert_with(Box::default)
    }
}

impl<T> Drop for OutOfLine<T> {
    #[inline]
    fn drop(&mut self) {
        if self.0.is_some() {
            free(self.0.take());
        }
    }
}

#[inline(never)]
fn free<T>(part: T) {
    drop(part);
}

/// The refusals that carry nothing but a reason without text: the ones a flood of probes of
/// what exists gets concealed (`Forbidden::new().conceal()`, `Forbidden::not_owner().conceal()`).
#[derive(Clone, Copy)]
pub(super) enum ConstantRefusal {
    Bare,
    NotOwner,
    BlockedByPolicy,
}

impl ConstantRefusal {
    /// Which one `refusal` is, if it is one of them exactly. Such a refusal owns nothing:
    /// [`HttpError::concealing`] forgets it rather than drop it.
    pub(super) fn of(refusal: &HttpError) -> Option<Self> {
        let HttpError {
            status,
            message: None,
            message_exposed: false,
            concealed_constant: None,
            interned_challenge: None,
            reason,
            headers: OutOfLine(None),
            members: OutOfLine(None),
            hidden: OutOfLine(None),
        } = refusal
        else {
            return None;
        };
        if *status != StatusCode::FORBIDDEN {
            return None;
        }
        match reason {
            None => Some(Self::Bare),
            Some(Reason::NotOwner) => Some(Self::NotOwner),
            Some(Reason::BlockedByPolicy) => Some(Self::BlockedByPolicy),
            Some(_) => None,
        }
    }

    /// The refusal itself, as `Forbidden::new()`, `not_owner()` and `blocked_by_policy()` build
    /// it.
    pub(super) fn refusal(self) -> &'static Forbidden {
        static BARE: Forbidden = Forbidden::new();
        static NOT_OWNER: Forbidden = Forbidden::not_owner();
        static BLOCKED_BY_POLICY: Forbidden = Forbidden::blocked_by_policy();
        match self {
            Self::Bare => &BARE,
            Self::NotOwner => &NOT_OWNER,
            Self::BlockedByPolicy => &BLOCKED_BY_POLICY,
        }
    }
}

/// The members the crate writes itself; an extension member may not take their names.
pub(super) const RESERVED_MEMBERS: [&str; 11] = [
    "type",
    "title",
    "status",
    "detail",
    "instance",
    "error",
    "message",
    "reason",
    "role",
    "scope",
    "request_id",
];

/// The `Allow` value listing `methods` once each, in order, as `GET,HEAD`: the form axum's
/// router writes, so that every framework sends the same bytes.
pub(crate) fn allow_value(methods: impl IntoIterator<Item = Method>) -> Option<HeaderValue> {
    let mut listed: Vec<Method> = Vec::new();
    for method in methods {
        if !listed.contains(&method) {
            listed.push(method);
        }
    }
    let allow = listed
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(",");
    // Method names are tokens, so the joined list is always a valid header value.
    HeaderValue::from_maybe_shared(Bytes::from(allow)).ok()
}
