//! The rules a value must keep to be carried: quoted-string content, and RFC 6750's character sets.

use super::InvalidChallenge;

pub(super) fn refuse(name: &str, value: &str, rule: &'static str) -> InvalidChallenge {
    InvalidChallenge::ParamValue {
        name: name.to_owned(),
        value: value.to_owned(),
        rule,
    }
}

/// quoted-string content (RFC 9110 §5.6.4), limited to ASCII: HTAB, SP and visible characters.
pub(super) fn check_quoted(name: &str, value: &str) -> Result<(), InvalidChallenge> {
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
pub(super) fn check_bearer_text(name: &str, value: &str) -> Result<(), InvalidChallenge> {
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

pub(super) fn is_quotable(value: &str) -> bool {
    every_byte(value, |b| b == b'\t' || (b' '..=b'~').contains(&b))
}

pub(super) fn is_bearer_text(value: &str) -> bool {
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
pub(super) fn check_bearer_uri(value: &str) -> Result<(), InvalidChallenge> {
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
pub(super) fn check_scope(value: &str) -> Result<(), InvalidChallenge> {
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
