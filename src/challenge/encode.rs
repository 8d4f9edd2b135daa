//! How a challenge is written as a header value (RFC 9110 §11.2, quoted-strings by §5.6.4).

use bytes::Bytes;
use http::HeaderValue;

use super::InvalidChallenge;

/// The header value of a challenge of `scheme` with a `token68`, or else with `params`, each
/// value a quoted-string.
pub(super) fn encode<'a>(
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
pub(super) fn encoded_len<'a>(
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
