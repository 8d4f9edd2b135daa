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
