//! The two caches of encoded challenges: each thread's, for any challenge of `'static` text, and
//! the process's, for the crate's own refusals.

use std::borrow::Cow;

use bytes::Bytes;
use http::HeaderValue;

use super::encode::encode;
use super::known::{Known, KnownParts};
use super::params::INLINE_PARAMS;
use super::{BearerError, Challenge, InvalidChallenge, Repr, Scheme};
use crate::intern::InternTable;

/// The scheme, then each in-line parameter's name and value.
const STATIC_KEY_PARTS: usize = 1 + 2 * INLINE_PARAMS;

/// Where the parts of an all-`'static` challenge lie and how long they are. `'static` text
/// never changes, so equal keys are equal text; unequal keys may still be equal text, which
/// only costs an encoding.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct StaticKey {
    pub(super) parts: [(usize, usize); STATIC_KEY_PARTS],
}

/// How many all-`'static` challenges each thread keeps encoded: an app has a handful.
pub(super) const ENCODED_PER_THREAD: usize = 32;

thread_local! {
    pub(super) static ENCODED: std::cell::RefCell<Vec<(StaticKey, HeaderValue)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The header value of the challenge `key` names: encoded once per thread, then a reference
/// count (`Unauthorized::new(Challenge::bearer("example"))` is the same text on every
/// request; the refusals' own constructors intern theirs for the process instead).
pub(super) fn encoded_once(
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

/// The realm part of the key of a challenge that takes the app's realm: no `'static` text lies
/// at address 0.
pub(super) const APP_REALM: (usize, usize) = (0, 0);

/// How many challenges of `'static` text the process interns: an app has a handful.
pub(crate) const INTERNED_CHALLENGE_SLOTS: usize = 64;

// A slot's index is kept in a `u8`.
const _: () = assert!(INTERNED_CHALLENGE_SLOTS <= 256);

/// A compact challenge of `'static` text: its scheme, and where each text lies and how long
/// it is. Equal keys are equal challenges, as `'static` text never changes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct InternKey {
    pub(super) kind: Scheme,
    pub(super) realm: (usize, usize),
    pub(super) error: Option<BearerError>,
    pub(super) description: Option<(usize, usize)>,
}

/// A challenge of `'static` text, kept once for the process with its header value encoded
/// into `'static` bytes.
pub(super) struct Interned {
    pub(super) challenge: Challenge,
    /// `None` for a challenge that takes the app's realm: its header value is the settings'.
    pub(super) header_value: Option<HeaderValue>,
}

/// The interned challenge of `known`, whose texts are `'static`: checked, and its header
/// value encoded into leaked `'static` bytes (at most [`INTERNED_CHALLENGE_SLOTS`] small
/// texts, for the life of the process, as the process-wide default bodies are).
pub(super) fn interned(known: &Known) -> Option<Interned> {
    let header_value = match known.realm {
        Some(_) => Some(leaked(&encode(&known.scheme, None, known.params()).ok()?)?),
        None => None,
    };
    Some(Interned {
        challenge: Challenge(Repr::Known(known.clone())),
        header_value,
    })
}

/// A copy of `value` in bytes leaked for the life of the process, so that a clone of it
/// counts no reference.
pub(crate) fn leaked(value: &HeaderValue) -> Option<HeaderValue> {
    let bytes: &'static [u8] = value.as_bytes().to_vec().leak();
    HeaderValue::from_maybe_shared(Bytes::from_static(bytes)).ok()
}

/// The process's interned challenges.
static INTERNED: InternTable<InternKey, Interned, INTERNED_CHALLENGE_SLOTS> = InternTable::new();

/// A compact challenge of `'static` text (`Unauthorized::bearer()`,
/// `invalid_token("the token expired")`), interned for the process: an error that
/// carries it needs no box for it, and a response takes its header value without encoding it
/// or counting a reference.
#[derive(Clone, Copy)]
pub(crate) struct InternedChallenge {
    slot: u8,
    /// Whether it has no realm of its own: its header value is then the settings'.
    takes_app_realm: bool,
}

impl InternedChallenge {
    /// The challenge `parts` build, if the process interned it already: found by where its
    /// texts lie, without checking them again.
    #[inline]
    pub(crate) fn find(parts: &KnownParts) -> Option<Self> {
        Self::find_key(&parts.intern_key()?)
    }

    // Out of line: inlined into the constructors, it made a 401 about ten instructions dearer.
    #[inline(never)]
    pub(super) fn find_key(key: &InternKey) -> Option<Self> {
        let (index, _) = INTERNED.find(key)?;
        Self::at(index, true)
    }

    /// The challenge `parts` build, which [`find`](Self::find) did not find, checked and
    /// interned now while the table has room. Otherwise the challenge, to be kept by the
    /// error: one not all of `'static` text, not in the compact form, or that cannot be sent.
    #[inline(never)]
    pub(crate) fn intern(parts: KnownParts) -> Result<Self, Challenge> {
        let key = parts.intern_key();
        let challenge = parts.build();
        let interned = match (&challenge.0, key) {
            (Repr::Known(known), Some(key)) => INTERNED
                .intern_missing(key, || interned(known))
                .and_then(|(index, _)| Self::at(index, true)),
            _ => None,
        };
        interned.ok_or(challenge)
    }

    /// This challenge with `realm` instead: interned too when its texts are `'static`;
    /// otherwise the challenge, to be kept by the error. (`None` cannot happen: a slot, once
    /// set, stays set.)
    pub(crate) fn with_realm(self, realm: Cow<'static, str>) -> Option<Result<Self, Challenge>> {
        let mut challenge = self.challenge()?.clone();
        challenge.set_realm(realm);
        let key = match &challenge.0 {
            Repr::Known(known) => known.intern_key(),
            Repr::Built(_) => None,
        };
        let interned = match (&challenge.0, key) {
            (Repr::Known(known), Some(key)) => INTERNED
                .intern_missing(key, || interned(known))
                .and_then(|(index, _)| Self::at(index, key.realm == APP_REALM)),
            _ => None,
        };
        Some(interned.ok_or(challenge))
    }

    /// The interned challenge in slot `index`.
    #[inline]
    pub(super) fn at(index: usize, takes_app_realm: bool) -> Option<Self> {
        let slot = u8::try_from(index).ok()?;
        Some(Self {
            slot,
            takes_app_realm,
        })
    }

    /// The challenge. (`None` cannot happen: a slot, once set, stays set.)
    pub(crate) fn challenge(self) -> Option<&'static Challenge> {
        INTERNED
            .get(self.slot())
            .map(|interned| &interned.challenge)
    }

    /// Whether it has no realm of its own, and takes the app's.
    #[inline]
    pub(crate) fn takes_app_realm(self) -> bool {
        self.takes_app_realm
    }

    /// Its own header value, `'static` bytes, for one that does not take the app's realm.
    #[inline]
    pub(crate) fn own_header_value(self) -> Option<HeaderValue> {
        INTERNED
            .get(self.slot())
            .and_then(|interned| interned.header_value.clone())
    }

    /// Its slot in the process's table, below [`INTERNED_CHALLENGE_SLOTS`].
    #[inline]
    pub(crate) fn slot(self) -> usize {
        usize::from(self.slot)
    }
}

/// Whether the process's table holds each challenge once.
#[cfg(test)]
pub(crate) fn interned_are_distinct() -> bool {
    INTERNED.count_and_distinct().1
}

/// Where a `'static` text lies and how long it is; `None` for an owned one.
// Whether the text is borrowed or owned is what matters here.
#[allow(clippy::ptr_arg)]
pub(super) fn static_part(text: &Cow<'static, str>) -> Option<(usize, usize)> {
    match text {
        Cow::Borrowed(text) => Some(static_str_part(text)),
        Cow::Owned(_) => None,
    }
}

pub(super) fn static_str_part(text: &'static str) -> (usize, usize) {
    (text.as_ptr() as usize, text.len())
}

impl StaticKey {
    pub(super) const EMPTY: Self = Self {
        parts: [(0, 0); STATIC_KEY_PARTS],
    };
}
