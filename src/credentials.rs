//! Credentials read from `Authorization`: a Bearer token (RFC 6750 §2.1) or Basic user-id and
//! password (RFC 7617), with the refusals RFC 6750 and RFC 9110 give a request that lacks them.

use std::fmt;

use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue};

use crate::challenge::Challenge;
use crate::error::{HttpError, Unauthorized};
use crate::syntax::{is_tchar, trim_ows};

/// A bearer token from `Authorization: Bearer <token>` (RFC 6750 §2.1).
///
/// The scheme is matched in any case and may be followed by several spaces (RFC 9110 §11.1);
/// the token must be RFC 6750 `b64token` syntax. Reading it answers, in the app's realm
/// ([`Config::realm`](crate::Config::realm)):
///
/// | `Authorization` | refusal |
/// |---|---|
/// | none, or another scheme | 401 `Bearer realm="..."`, no error code: no credentials (RFC 6750 §3.1) |
/// | `Bearer` without a token, a token that is not `b64token`, or two `Authorization` headers | 400 `Bearer realm="...", error="invalid_request"` |
///
/// Verifying the token is the application's job: answer a token it does not accept with
/// [`Unauthorized::invalid_token`].
///
/// ```
/// use denied::BearerToken;
/// use http::HeaderMap;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("authorization", "bearer  mF_9.B5f-4.1JqM".parse()?);
/// assert_eq!(BearerToken::from_headers(&headers)?.token(), "mF_9.B5f-4.1JqM");
///
/// headers.insert("authorization", "Bearer a,b".parse()?);
/// assert_eq!(BearerToken::from_headers(&headers).unwrap_err().status(), 400);
/// assert_eq!(BearerToken::from_headers(&HeaderMap::new()).unwrap_err().status(), 401);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken(String);

impl BearerToken {
    /// Reads the token from a request's headers: `http` 1's `HeaderMap`, or, with their
    /// features, actix-web's and rocket's (see [`RequestHeaders`]).
    ///
    /// # Errors
    ///
    /// The refusal for a request without a usable Bearer credential: see the table above.
    pub fn from_headers(headers: &impl RequestHeaders) -> Result<Self, HttpError> {
        Self::from_values(headers.authorization_values())
    }

    /// Reads the token from the values of every `Authorization` header of a request.
    pub(crate) fn from_values<'a>(
        values: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Self, HttpError> {
        let malformed = HttpError::malformed_credentials;
        let value = match only_value(values) {
            Values::None => return Err(Unauthorized::bearer().into()),
            Values::Several => return Err(malformed("more than one Authorization header")),
            Values::One(value) => value,
        };
        let token = match credentials_of(value, b"Bearer") {
            Credentials::OtherScheme => return Err(Unauthorized::bearer().into()),
            Credentials::Malformed => {
                return Err(malformed(
                    "the Authorization header is not credentials syntax",
                ))
            }
            Credentials::Of(token) => token,
        };
        if token.is_empty() {
            return Err(malformed("the Bearer credential has no token"));
        }
        if !is_b64token(token) {
            return Err(malformed("the Bearer token is not b64token syntax"));
        }
        // b64token is ASCII, so the bytes are UTF-8.
        match std::str::from_utf8(token) {
            Ok(token) => Ok(Self(token.to_owned())),
            Err(_) => Err(malformed("the Bearer token is not b64token syntax")),
        }
    }

    /// Reads the token of a request that may come without credentials: `None` without
    /// `Authorization` or with another scheme, the 400 for a malformed header as
    /// [`from_headers`](Self::from_headers).
    ///
    /// ```
    /// use denied::BearerToken;
    /// use http::HeaderMap;
    ///
    /// assert_eq!(BearerToken::optional_from_headers(&HeaderMap::new())?, None);
    /// let mut headers = HeaderMap::new();
    /// headers.insert("authorization", "Bearer a b".parse()?);
    /// assert_eq!(BearerToken::optional_from_headers(&headers).unwrap_err().status(), 400);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A malformed `Authorization` header, or two of them.
    pub fn optional_from_headers(headers: &impl RequestHeaders) -> Result<Option<Self>, HttpError> {
        optional(Self::from_headers(headers))
    }

    /// [`optional_from_headers`](Self::optional_from_headers) from the values of every
    /// `Authorization` header, for frameworks whose headers the crate reads by value.
    #[cfg(any(feature = "rocket", feature = "warp"))]
    pub(crate) fn optional_from_values<'a>(
        values: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Option<Self>, HttpError> {
        optional(Self::from_values(values))
    }

    /// The token, to verify.
    #[must_use]
    pub fn token(&self) -> &str {
        &self.0
    }
}

/// A request's headers, as a framework gives them: what [`BearerToken::from_headers`] and
/// [`BasicCredentials::from_headers`] read `Authorization` from. Implemented for `http` 1's
/// `HeaderMap` (axum, tower, hyper, poem, salvo, warp, and tonic's `MetadataMap::as_ref`), and,
/// with their features, for actix-web's `HeaderMap` and rocket's `HeaderMap`.
///
/// ```
/// use denied::http::HeaderMap;
/// use denied::BearerToken;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("authorization", "Bearer mF_9.B5f-4.1JqM".parse()?);
/// assert_eq!(BearerToken::from_headers(&headers)?.token(), "mF_9.B5f-4.1JqM");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait RequestHeaders: sealed::Sealed {
    /// The value of every `Authorization` header line of the request, in order.
    fn authorization_values(&self) -> impl Iterator<Item = &[u8]>;
}

mod sealed {
    /// Only the crate implements [`RequestHeaders`](super::RequestHeaders).
    pub trait Sealed {}
}

impl sealed::Sealed for HeaderMap {}

impl RequestHeaders for HeaderMap {
    fn authorization_values(&self) -> impl Iterator<Item = &[u8]> {
        self.get_all(AUTHORIZATION)
            .iter()
            .map(HeaderValue::as_bytes)
    }
}

#[cfg(feature = "actix-web")]
impl sealed::Sealed for actix_web::http::header::HeaderMap {}

#[cfg(feature = "actix-web")]
impl RequestHeaders for actix_web::http::header::HeaderMap {
    fn authorization_values(&self) -> impl Iterator<Item = &[u8]> {
        self.get_all(actix_web::http::header::AUTHORIZATION)
            .map(actix_web::http::header::HeaderValue::as_bytes)
    }
}

#[cfg(feature = "rocket")]
impl sealed::Sealed for rocket::http::HeaderMap<'_> {}

#[cfg(feature = "rocket")]
impl RequestHeaders for rocket::http::HeaderMap<'_> {
    fn authorization_values(&self) -> impl Iterator<Item = &[u8]> {
        self.get("Authorization").map(str::as_bytes)
    }
}

/// Credentials a request may lack: `None` for the 401 of no usable credentials, the error for
/// malformed ones.
fn optional<T>(read: Result<T, HttpError>) -> Result<Option<T>, HttpError> {
    match read {
        Ok(credentials) => Ok(Some(credentials)),
        Err(refusal) if refusal.status() == http::StatusCode::UNAUTHORIZED => Ok(None),
        Err(refusal) => Err(refusal),
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(<redacted>)")
    }
}

/// A user-id and password from `Authorization: Basic <base64>` (RFC 7617), decoded as UTF-8.
///
/// | `Authorization` | refusal |
/// |---|---|
/// | none, or another scheme | 401 `Basic realm="...", charset="UTF-8"` in the app's realm |
/// | not base64, not UTF-8, no `:`, a control character, or two `Authorization` headers | 400 |
///
/// ```
/// use denied::BasicCredentials;
/// use http::HeaderMap;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".parse()?);
/// let credentials = BasicCredentials::from_headers(&headers)?;
/// assert_eq!(credentials.user_id(), "Aladdin");
/// assert_eq!(credentials.password(), "open sesame");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct BasicCredentials {
    user_id: String,
    password: String,
}

impl BasicCredentials {
    /// Reads the credentials from a request's headers: `http` 1's `HeaderMap`, or, with
    /// their features, actix-web's and rocket's (see [`RequestHeaders`]).
    ///
    /// # Errors
    ///
    /// The refusal for a request without usable Basic credentials: see the table above.
    pub fn from_headers(headers: &impl RequestHeaders) -> Result<Self, HttpError> {
        Self::from_values(headers.authorization_values())
    }

    /// Reads the credentials from the values of every `Authorization` header of a request.
    pub(crate) fn from_values<'a>(
        values: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Self, HttpError> {
        let challenge = || Unauthorized::new(Challenge::new("Basic").with_utf8_charset()).into();
        let malformed = |why: &'static str| HttpError::bad_request().with_note(why);
        let value = match only_value(values) {
            Values::None => return Err(challenge()),
            Values::Several => return Err(malformed("more than one Authorization header")),
            Values::One(value) => value,
        };
        let encoded = match credentials_of(value, b"Basic") {
            Credentials::OtherScheme => return Err(challenge()),
            Credentials::Malformed => {
                return Err(malformed(
                    "the Authorization header is not credentials syntax",
                ))
            }
            Credentials::Of(encoded) => encoded,
        };
        let decoded = base64_decode(encoded)
            .ok_or_else(|| malformed("the Basic credentials are not base64"))?;
        let decoded = String::from_utf8(decoded)
            .map_err(|_| malformed("the Basic credentials are not UTF-8"))?;
        if decoded.chars().any(char::is_control) {
            return Err(malformed("the Basic credentials hold a control character"));
        }
        let (user_id, password) = decoded
            .split_once(':')
            .ok_or_else(|| malformed("the Basic credentials have no ':'"))?;
        Ok(Self {
            user_id: user_id.to_owned(),
            password: password.to_owned(),
        })
    }

    /// Reads the credentials of a request that may come without them: `None` without
    /// `Authorization` or with another scheme, the 400 for malformed ones.
    ///
    /// # Errors
    ///
    /// Malformed credentials, or two `Authorization` headers.
    pub fn optional_from_headers(headers: &impl RequestHeaders) -> Result<Option<Self>, HttpError> {
        optional(Self::from_headers(headers))
    }

    /// The user-id.
    #[must_use]
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The password, to verify.
    #[must_use]
    pub fn password(&self) -> &str {
        &self.password
    }
}

impl fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicCredentials")
            .field("user_id", &self.user_id)
            .field("password", &"<redacted>")
            .finish()
    }
}

enum Values<'a> {
    None,
    One(&'a [u8]),
    Several,
}

fn only_value<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> Values<'a> {
    let mut values = values.into_iter();
    match (values.next(), values.next()) {
        (None, _) => Values::None,
        (Some(value), None) => Values::One(value),
        (Some(_), Some(_)) => Values::Several,
    }
}

/// What an `Authorization` value holds for one scheme.
#[derive(Debug, PartialEq, Eq)]
enum Credentials<'a> {
    /// Another scheme: no credentials of this one.
    OtherScheme,
    /// Not `auth-scheme [ 1*SP ... ]` at all (empty, or the scheme followed by a tab).
    Malformed,
    /// What follows the scheme and `1*SP`; empty for the scheme alone.
    Of(&'a [u8]),
}

/// Reads `value` as `credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]` (RFC 9110
/// §11.4) for `scheme`, matched in any case.
fn credentials_of<'a>(value: &'a [u8], scheme: &[u8]) -> Credentials<'a> {
    let value = trim_ows(value);
    let scheme_len = value.iter().take_while(|&&b| is_tchar(b)).count();
    if scheme_len == 0 {
        return Credentials::Malformed;
    }
    let (found, rest) = value.split_at(scheme_len);
    match rest.first() {
        None | Some(b' ') if found.eq_ignore_ascii_case(scheme) => {
            Credentials::Of(&rest[rest.iter().take_while(|&&b| b == b' ').count()..])
        }
        None | Some(b' ') => Credentials::OtherScheme,
        // A scheme followed by anything but a space is no `credentials` production.
        Some(_) => Credentials::Malformed,
    }
}

/// RFC 6750 §2.1: `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(token: &[u8]) -> bool {
    let body_len = token.len() - token.iter().rev().take_while(|&&b| b == b'=').count();
    body_len > 0
        && token[..body_len]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// Standard base64 with padding (RFC 4648 §4), as RFC 7617 sends it.
fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    fn sextet(byte: u8) -> Option<u32> {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        Some(u32::from(value))
    }
    if text.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let quads = text.len() / 4;
    for (index, quad) in text.chunks_exact(4).enumerate() {
        let padding = quad.iter().rev().take_while(|&&b| b == b'=').count();
        if padding > 2 || (padding > 0 && index + 1 != quads) {
            return None;
        }
        let mut bits = 0u32;
        for &byte in &quad[..4 - padding] {
            bits = (bits << 6) | sextet(byte)?;
        }
        for _ in 0..padding {
            bits <<= 6;
        }
        // Canonical only (RFC 4648 §3.5): the bits past the last byte, before the padding,
        // are zero, so that one byte string has one encoding (`Zg==`, never `Zh==`).
        if bits & ((1 << (8 * padding)) - 1) != 0 {
            return None;
        }
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - padding]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_rfc_4648_vectors_and_refuses_the_rest() {
        let vectors: [(&str, &str); 7] = [
            ("", ""),
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg==", "foob"),
            ("Zm9vYmE=", "fooba"),
            ("Zm9vYmFy", "foobar"),
        ];
        for (encoded, decoded) in vectors {
            assert_eq!(
                base64_decode(encoded.as_bytes()).as_deref(),
                Some(decoded.as_bytes())
            );
        }
        for bad in [
            "Zg", "Zg=", "Z===", "Zg==Zm9v", "Zm9v!", "Zm 9", "Zh==", "Zm9=",
        ] {
            assert_eq!(base64_decode(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn the_scheme_is_matched_in_any_case_and_needs_a_space() {
        use Credentials::{Malformed, Of, OtherScheme};
        assert_eq!(credentials_of(b"bEaReR  abc", b"Bearer"), Of(b"abc"));
        assert_eq!(credentials_of(b"Bearer", b"Bearer"), Of(b""));
        assert_eq!(credentials_of(b"Bearerabc", b"Bearer"), OtherScheme);
        assert_eq!(credentials_of(b"Bear", b"Bearer"), OtherScheme);
        assert_eq!(credentials_of(b"Basic abc", b"Bearer"), OtherScheme);
        assert_eq!(credentials_of(b"Bearer\tabc", b"Bearer"), Malformed);
        assert_eq!(credentials_of(b"", b"Bearer"), Malformed);
        assert_eq!(credentials_of(b"\xc3\xa9 abc", b"Bearer"), Malformed);
    }

    #[test]
    fn b64token_allows_only_its_characters_and_trailing_padding() {
        for good in ["abc", "a-b.c_d~e+f/g", "abc==", "A1"] {
            assert!(is_b64token(good.as_bytes()), "{good}");
        }
        for bad in ["", "=", "a b", "a,b", "a=b", "caf\u{e9}", "a\"b"] {
            assert!(!is_b64token(bad.as_bytes()), "{bad}");
        }
    }
}
