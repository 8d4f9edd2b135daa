//! The grammar rules the crate reads and writes by: RFC 9110's tokens and whitespace, URI
//! references, and RFC 9457's member names. One place, so that a rule is written once.

/// `value` without the optional whitespace (space, tab) around it (RFC 9110 §5.6.3).
pub(crate) fn trim_ows(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().take_while(|b| is_ows(b)).count();
    let end = value.len()
        - value[start..]
            .iter()
            .rev()
            .take_while(|b| is_ows(b))
            .count();
    &value[start..end]
}

/// `tchar` (RFC 9110 §5.6.2).
pub(crate) fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// `token = 1*tchar` (RFC 9110 §5.6.2).
pub(crate) fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(is_tchar)
}

/// The characters of a token68 before its trailing `=`s (RFC 9110 §11.2).
pub(crate) fn is_token68_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~+/".contains(&byte)
}

/// `token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="` (RFC 9110 §11.2).
pub(crate) fn is_token68(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    !body.is_empty() && body.bytes().all(is_token68_char)
}

/// Whether `text` can be sent as a URI reference: not empty, no whitespace, no control
/// character.
pub(crate) fn is_uri_reference(text: &str) -> bool {
    !text.is_empty() && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

with_framework! {
    unused_without:

    /// A request's path as a path-absolute URI reference (RFC 3986 §3.3), for a problem's
    /// `instance` (RFC 9457 §3.1.5): a path that is one already (`/orders/1`, `/caf%C3%A9`) as it
    /// came; any byte a URI path cannot carry (raw UTF-8, a space, `"`, `{`, a `%` that starts no
    /// escape) percent-encoded; and a path that starts with `//`, which would name another host,
    /// written `/.//...`, as the WHATWG URL serializer does.
    pub(crate) fn path_absolute(path: &str) -> std::borrow::Cow<'_, str> {
        use std::fmt::Write as _;
        let bytes = path.as_bytes();
        let kept = |at: usize| {
            let byte = bytes[at];
            is_path_char(byte)
                || (byte == b'%'
                    && bytes
                        .get(at + 1..at + 3)
                        .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)))
        };
        let prefix = match path.as_bytes() {
            [b'/', b'/', ..] => "/.",
            [b'/', ..] => "",
            _ => "/",
        };
        if prefix.is_empty() && (0..bytes.len()).all(kept) {
            return std::borrow::Cow::Borrowed(path);
        }
        let mut encoded = String::with_capacity(prefix.len() + path.len() + 8);
        encoded.push_str(prefix);
        for (at, &byte) in bytes.iter().enumerate() {
            if kept(at) {
                encoded.push(char::from(byte));
            } else {
                let _ = write!(encoded, "%{byte:02X}");
            }
        }
        std::borrow::Cow::Owned(encoded)
    }

    /// A byte of a URI path as it is sent: `pchar` or `/` (RFC 3986 §3.3), `%` aside.
    fn is_path_char(byte: u8) -> bool {
        byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&byte)
    }
}

/// RFC 9457 §3.2: an extension member's name starts with a letter, holds only letters, digits
/// and `_`, and is at least three characters long.
pub(crate) fn is_member_name(name: &str) -> bool {
    name.len() >= 3
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_becomes_a_path_absolute_uri_reference() {
        for kept in ["/orders/1", "/caf%C3%A9", "/a/b;c=d:e@f!$&'()*+,", "/"] {
            assert!(
                matches!(path_absolute(kept), std::borrow::Cow::Borrowed(_)),
                "{kept}"
            );
        }
        for (sent, instance) in [
            ("//evil.example/phish", "/.//evil.example/phish"),
            ("/caf\u{e9}/x", "/caf%C3%A9/x"),
            ("/a\"b{c}", "/a%22b%7Bc%7D"),
            ("/a b", "/a%20b"),
            ("/100%", "/100%25"),
            ("/%zz", "/%25zz"),
            ("*", "/*"),
        ] {
            assert_eq!(path_absolute(sent), instance, "{sent}");
        }
    }

    #[test]
    fn optional_whitespace_is_spaces_and_tabs_at_either_end() {
        assert_eq!(trim_ows(b" \t a b \t"), b"a b");
        assert_eq!(trim_ows(b" \t "), b"");
        assert_eq!(trim_ows(b"\na\n"), b"\na\n");
    }

    #[test]
    fn tokens_and_token68_follow_rfc_9110() {
        assert!(is_token("Bearer") && is_token("x-custom!#$%&'*+-.^_`|~"));
        assert!(!is_token("") && !is_token("a b") && !is_token("a\"b") && !is_token("a,b"));
        assert!(is_token68("dXNlcjpwYXNz") && is_token68("abc==") && is_token68("a-._~+/"));
        assert!(!is_token68("") && !is_token68("==") && !is_token68("a=b") && !is_token68("a b"));
    }

    #[test]
    fn member_names_follow_rfc_9457() {
        assert!(is_member_name("retry_after") && is_member_name("abc") && is_member_name("a1_"));
        assert!(!is_member_name("ab") && !is_member_name("1ab") && !is_member_name("a-b"));
        assert!(!is_member_name("_ab") && !is_member_name("ünï"));
    }

    #[test]
    fn uri_references_carry_no_whitespace_or_control() {
        assert!(is_uri_reference("https://example.com/problems/x") && is_uri_reference("/a"));
        assert!(!is_uri_reference("") && !is_uri_reference("a b") && !is_uri_reference("a\nb"));
    }
}
