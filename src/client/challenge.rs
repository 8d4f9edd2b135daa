//! Reading `WWW-Authenticate` on the client side (RFC 9110 §11.6.1, §11.2).

use std::fmt;

use http::header::WWW_AUTHENTICATE;
use http::HeaderMap;

use crate::challenge::BearerError;
use crate::syntax::{is_tchar, is_token68_char};

/// One challenge a server sent in `WWW-Authenticate`, as a client reads it: the scheme and
/// either a token68 or the parameters, with quoted-strings unescaped.
///
/// ```
/// use denied::client::ReadChallenge;
/// use denied::BearerError;
///
/// let challenges = ReadChallenge::parse(
///     r#"Bearer realm="example", error="insufficient_scope", scope="reports:export reports:read""#,
/// )?;
/// let bearer = &challenges[0];
/// assert!(bearer.is_bearer());
/// assert_eq!(bearer.realm(), Some("example"));
/// assert_eq!(bearer.bearer_error(), Some(BearerError::InsufficientScope));
/// assert_eq!(bearer.scopes().collect::<Vec<_>>(), ["reports:export", "reports:read"]);
/// # Ok::<(), denied::client::MalformedChallenge>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadChallenge {
    scheme: String,
    token68: Option<String>,
    params: Vec<(String, String)>,
}

/// A `WWW-Authenticate` value that is not a list of challenges by RFC 9110 §11.6.1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed WWW-Authenticate value: {problem} at byte {at}")]
pub struct MalformedChallenge {
    problem: &'static str,
    at: usize,
}

impl MalformedChallenge {
    /// Where in the value the problem is, in bytes.
    #[must_use]
    pub fn at(&self) -> usize {
        self.at
    }
}

impl ReadChallenge {
    /// Reads one `WWW-Authenticate` header value, which may hold several challenges.
    ///
    /// # Errors
    ///
    /// The value does not follow the grammar: no scheme, an unterminated quoted-string, a
    /// parameter without a value, a control character, or a parameter named twice in one
    /// challenge (RFC 9110 §11.2); or a challenge has more than 64 parameters, which no
    /// scheme defines; or the value holds more than 32 challenges, which no server needs (a
    /// response offers a handful of schemes).
    pub fn parse(value: &str) -> Result<Vec<Self>, MalformedChallenge> {
        Parser {
            text: value.as_bytes(),
            at: 0,
        }
        .challenges()
    }

    /// Every challenge of every `WWW-Authenticate` line in `headers`, in order, at most 32 in
    /// all. A line that cannot be read is skipped; the others still count.
    ///
    /// ```
    /// use denied::http::HeaderMap;
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.append("www-authenticate", r#"Bearer realm="api""#.parse()?);
    /// headers.append("www-authenticate", r#"Basic realm="api", charset="UTF-8""#.parse()?);
    /// let challenges = denied::client::ReadChallenge::all_in(&headers);
    /// assert_eq!(challenges.len(), 2);
    /// assert_eq!(challenges[1].param("charset"), Some("UTF-8"));
    /// # Ok::<(), denied::http::header::InvalidHeaderValue>(())
    /// ```
    #[must_use]
    pub fn all_in(headers: &HeaderMap) -> Vec<Self> {
        headers
            .get_all(WWW_AUTHENTICATE)
            .iter()
            // UTF-8 rather than `to_str`'s visible ASCII: a realm may be `Zürich`.
            .filter_map(|value| std::str::from_utf8(value.as_bytes()).ok())
            .filter_map(|value| Self::parse(value).ok())
            .flatten()
            .take(MAX_CHALLENGES)
            .collect()
    }

    /// The auth-scheme, as sent.
    #[must_use]
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// Whether the scheme is `Bearer`, in any case.
    #[must_use]
    pub fn is_bearer(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("Bearer")
    }

    /// Whether the scheme is `Basic`, in any case.
    #[must_use]
    pub fn is_basic(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("Basic")
    }

    /// The token68 the challenge carries instead of parameters (`Negotiate YII...`).
    #[must_use]
    pub fn token68(&self) -> Option<&str> {
        self.token68.as_deref()
    }

    /// A parameter's value, unescaped; names match in any case.
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Every parameter, in order, names as sent.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// The `realm`.
    #[must_use]
    pub fn realm(&self) -> Option<&str> {
        self.param("realm")
    }

    /// The RFC 6750 `error` code of a Bearer challenge, when it is one of the three the RFC
    /// defines; [`param("error")`](Self::param) gives any other.
    #[must_use]
    pub fn bearer_error(&self) -> Option<BearerError> {
        self.is_bearer()
            .then(|| self.param("error"))
            .flatten()
            .and_then(BearerError::from_code)
    }

    /// The `error_description`.
    #[must_use]
    pub fn error_description(&self) -> Option<&str> {
        self.param("error_description")
    }

    /// The space-separated scopes of the `scope` parameter, none when it is absent.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.param("scope")
            .unwrap_or_default()
            .split(' ')
            .filter(|scope| !scope.is_empty())
    }
}

impl fmt::Display for ReadChallenge {
    /// The challenge as one header value again, every parameter as a quoted-string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.scheme)?;
        if let Some(token68) = &self.token68 {
            return write!(f, " {token68}");
        }
        for (index, (name, value)) in self.params.iter().enumerate() {
            f.write_str(if index == 0 { " " } else { ", " })?;
            write!(f, "{name}=\"")?;
            for character in value.chars() {
                if matches!(character, '"' | '\\') {
                    f.write_str("\\")?;
                }
                write!(f, "{character}")?;
            }
            f.write_str("\"")?;
        }
        Ok(())
    }
}

/// The most parameters one challenge may have: no scheme defines more than a handful, and the
/// check for a name given twice stays cheap.
const MAX_PARAMS: usize = 64;

/// How many challenges a response may offer, on one line or on all of them.
const MAX_CHALLENGES: usize = 32;

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn fail<T>(&self, problem: &'static str) -> Result<T, MalformedChallenge> {
        Err(MalformedChallenge {
            problem,
            at: self.at,
        })
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    /// Skips whitespace and the empty list elements RFC 9110 §5.6.1 lets a recipient accept.
    fn skip_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.at += 1;
        }
    }

    fn token(&mut self) -> &str {
        let start = self.at;
        while self.peek().is_some_and(is_tchar) {
            self.at += 1;
        }
        // Only ASCII tchars were taken.
        std::str::from_utf8(&self.text[start..self.at]).unwrap_or_default()
    }

    /// At the start of a new challenge rather than another parameter: a token not followed by
    /// `=` (after optional whitespace).
    fn at_new_challenge(&self) -> bool {
        let mut ahead = self.at;
        while self.text.get(ahead).copied().is_some_and(is_tchar) {
            ahead += 1;
        }
        while matches!(self.text.get(ahead), Some(b' ' | b'\t')) {
            ahead += 1;
        }
        self.text.get(ahead) != Some(&b'=')
    }

    /// A token68 and what ends it, if the rest of this challenge is one.
    fn token68(&mut self) -> Option<String> {
        let start = self.at;
        let mut end = start;
        while self.text.get(end).copied().is_some_and(is_token68_char) {
            end += 1;
        }
        if end == start {
            return None;
        }
        while self.text.get(end) == Some(&b'=') {
            end += 1;
        }
        let mut after = end;
        while matches!(self.text.get(after), Some(b' ' | b'\t')) {
            after += 1;
        }
        if !matches!(self.text.get(after), None | Some(b',')) {
            return None;
        }
        let token68 = String::from_utf8_lossy(&self.text[start..end]).into_owned();
        self.at = after;
        Some(token68)
    }

    fn quoted_string(&mut self) -> Result<String, MalformedChallenge> {
        // The opening quote.
        self.at += 1;
        let mut value = Vec::new();
        loop {
            match self.peek() {
                None => return self.fail("an unterminated quoted-string"),
                Some(b'"') => {
                    self.at += 1;
                    break;
                }
                Some(b'\\') => {
                    self.at += 1;
                    match self.peek() {
                        Some(byte) if byte == b'\t' || byte >= 0x20 && byte != 0x7f => {
                            value.push(byte);
                            self.at += 1;
                        }
                        _ => return self.fail("a bad quoted-pair"),
                    }
                }
                Some(byte) if byte == b'\t' || byte >= 0x20 && byte != 0x7f => {
                    value.push(byte);
                    self.at += 1;
                }
                Some(_) => return self.fail("a control character in a quoted-string"),
            }
        }
        match String::from_utf8(value) {
            Ok(value) => Ok(value),
            Err(_) => self.fail("a quoted-string that is not UTF-8"),
        }
    }

    fn challenges(mut self) -> Result<Vec<ReadChallenge>, MalformedChallenge> {
        let mut challenges = Vec::new();
        loop {
            self.skip_separators();
            if self.peek().is_none() {
                break;
            }
            if challenges.len() == MAX_CHALLENGES {
                return self.fail("more than 32 challenges in one value");
            }
            let scheme = self.token().to_owned();
            if scheme.is_empty() {
                return self.fail("no auth-scheme");
            }
            let mut challenge = ReadChallenge {
                scheme,
                token68: None,
                params: Vec::new(),
            };
            let before_space = self.at;
            self.skip_whitespace();
            match self.peek() {
                None => {}
                // An empty list element before the parameters (RFC 9110 §5.6.1):
                // `Bearer , realm="a"` is `Bearer realm="a"`.
                Some(b',') => {
                    self.skip_separators();
                    if self.peek().is_some() && !self.at_new_challenge() {
                        self.params(&mut challenge.params)?;
                    }
                }
                Some(_) if self.at == before_space => {
                    return self.fail("no space after the auth-scheme");
                }
                Some(_) => {
                    if let Some(token68) = self.token68() {
                        challenge.token68 = Some(token68);
                    } else {
                        self.params(&mut challenge.params)?;
                    }
                }
            }
            challenges.push(challenge);
        }
        if challenges.is_empty() {
            return self.fail("no challenge");
        }
        Ok(challenges)
    }

    /// `#auth-param`, up to the end or the start of the next challenge.
    fn params(&mut self, params: &mut Vec<(String, String)>) -> Result<(), MalformedChallenge> {
        loop {
            let name = self.token().to_owned();
            if name.is_empty() {
                return self.fail("no parameter name");
            }
            self.skip_whitespace();
            if self.peek() != Some(b'=') {
                return self.fail("a parameter without `=`");
            }
            self.at += 1;
            self.skip_whitespace();
            let value = match self.peek() {
                Some(b'"') => self.quoted_string()?,
                _ => {
                    let value = self.token().to_owned();
                    if value.is_empty() {
                        return self.fail("a parameter without a value");
                    }
                    value
                }
            };
            if params.len() == MAX_PARAMS {
                return self.fail("more than 64 parameters in one challenge");
            }
            if params
                .iter()
                .any(|(known, _): &(String, String)| known.eq_ignore_ascii_case(&name))
            {
                return self.fail("a parameter named twice");
            }
            params.push((name, value));
            self.skip_whitespace();
            match self.peek() {
                None => return Ok(()),
                Some(b',') => {
                    self.skip_separators();
                    if self.peek().is_none() || self.at_new_challenge() {
                        return Ok(());
                    }
                }
                Some(_) => return self.fail("text after a parameter"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str) -> Vec<ReadChallenge> {
        ReadChallenge::parse(value).unwrap_or_else(|error| panic!("{value}: {error}"))
    }

    #[test]
    fn several_challenges_on_one_line_are_told_apart() {
        let challenges = parse(
            r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple""#,
        );
        assert_eq!(challenges.len(), 2);
        assert_eq!(challenges[0].scheme(), "Newauth");
        assert_eq!(challenges[0].param("TYPE"), Some("1"));
        assert_eq!(challenges[0].param("title"), Some(r#"Login to "apps""#));
        assert!(challenges[1].is_basic());
        assert_eq!(challenges[1].realm(), Some("simple"));
    }

    #[test]
    fn token68_and_bare_schemes_are_read() {
        let challenges = parse("Negotiate YIIB==, Bearer, ,Basic realm=x");
        assert_eq!(challenges[0].token68(), Some("YIIB=="));
        assert_eq!(challenges[1].scheme(), "Bearer");
        assert_eq!(challenges[1].params().count(), 0);
        assert_eq!(challenges[2].realm(), Some("x"));
        // By the grammar, a token with trailing `=` and nothing after it is a token68.
        assert_eq!(parse("Bearer realm=")[0].token68(), Some("realm="));
    }

    #[test]
    fn an_empty_element_before_the_parameters_is_skipped() {
        let challenges = parse(r#"Bearer , realm="a", Basic, , Newauth realm="b""#);
        assert_eq!(challenges.len(), 3);
        assert_eq!(challenges[0].realm(), Some("a"));
        assert_eq!(challenges[1].params().count(), 0);
        assert_eq!(challenges[2].realm(), Some("b"));
    }

    #[test]
    fn a_utf8_realm_is_read_from_headers() {
        let mut headers = HeaderMap::new();
        headers.append(
            WWW_AUTHENTICATE,
            http::HeaderValue::from_bytes("Basic realm=\"Zürich\", charset=\"UTF-8\"".as_bytes())
                .unwrap(),
        );
        let challenges = ReadChallenge::all_in(&headers);
        assert_eq!(challenges[0].realm(), Some("Zürich"));
    }

    #[test]
    fn too_many_parameters_are_refused_before_the_work_grows() {
        let params: Vec<String> = (0..65).map(|index| format!("p{index}=1")).collect();
        let value = format!("Bearer {}", params.join(", "));
        assert!(ReadChallenge::parse(&value).is_err());
        let value = format!("Bearer {}", params[..64].join(", "));
        assert_eq!(parse(&value)[0].params().count(), 64);
    }

    #[test]
    fn too_many_challenges_are_refused_before_the_work_grows() {
        let flood = "a,".repeat(200_000);
        assert!(ReadChallenge::parse(&flood).is_err());
        let schemes: Vec<String> = (0..33).map(|index| format!("S{index}")).collect();
        assert!(ReadChallenge::parse(&schemes.join(", ")).is_err());
        assert_eq!(parse(&schemes[..32].join(", ")).len(), 32);

        // Over several lines, at most 32 in all.
        let mut headers = HeaderMap::new();
        for _ in 0..3 {
            let line = schemes[..20].join(", ");
            headers.append(WWW_AUTHENTICATE, line.parse().unwrap());
        }
        assert_eq!(ReadChallenge::all_in(&headers).len(), 32);
    }

    #[test]
    fn whitespace_around_equals_is_accepted() {
        let challenges = parse("Bearer realm = \"a b\" ,\terror= invalid_token");
        assert_eq!(challenges[0].realm(), Some("a b"));
        assert_eq!(
            challenges[0].bearer_error(),
            Some(BearerError::InvalidToken)
        );
    }

    #[test]
    fn malformed_values_are_errors_not_guesses() {
        for value in [
            "",
            " , ",
            "=x",
            "Bearer realm=\"open",
            "Bearer realm=\"a\", realm=\"b\"",
            "Bearer realm=\"a\\\u{1}\"",
            "Bearer realm=\"a\u{7f}\"",
            "Bearer realm=\"a\" junk",
            "Bearer\"x\"",
            "Bearer realm=\"a\", \"b\"",
        ] {
            assert!(ReadChallenge::parse(value).is_err(), "{value:?}");
        }
    }

    #[test]
    fn display_writes_a_value_that_reads_back_the_same() {
        let challenges = parse(r#"Bearer realm="a\"b\\c", scope="x y""#);
        let again = parse(&challenges[0].to_string());
        assert_eq!(again, challenges);
        assert_eq!(again[0].scopes().collect::<Vec<_>>(), ["x", "y"]);
    }
}
