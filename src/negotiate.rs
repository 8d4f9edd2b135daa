//! What a request prefers, read from its `Accept`, `Accept-Language` and request id headers
//! without allocating, and from at most [`MAX_ENTRIES`] list entries, so that a hostile header
//! costs a bounded amount of work.

use crate::body::BodyFormat;
use crate::syntax::trim_ows;

/// The most list entries read from all lines of one header; the rest are ignored.
pub(crate) const MAX_ENTRIES: usize = 32;

/// The longest request id taken from a request.
pub(crate) const MAX_REQUEST_ID_LEN: usize = 128;

/// The request id a request carries: one header line of 1 to [`MAX_REQUEST_ID_LEN`] visible
/// ASCII characters (0x21 to 0x7E). Anything else, several lines included, is no id.
pub(crate) fn request_id<'a>(mut lines: impl Iterator<Item = &'a [u8]>) -> Option<&'a [u8]> {
    let id = lines.next()?;
    let valid = lines.next().is_none()
        && (1..=MAX_REQUEST_ID_LEN).contains(&id.len())
        && id.iter().all(|byte| (0x21..=0x7e).contains(byte));
    valid.then_some(id)
}

/// The format a request's `Accept` prefers: the one of `application/json` and
/// `application/problem+json` with the higher q-value (RFC 9110 §12.5.1), or `None` when
/// neither is preferred. A type gets the weight of the most specific range that names it:
/// itself, else `application/*`, else `*/*`; so wildcards alone weigh both alike and prefer
/// neither, and `*/*, application/problem+json;q=0` prefers JSON.
pub(crate) fn preferred_format<'a>(accept: impl Iterator<Item = &'a [u8]>) -> Option<BodyFormat> {
    let mut json = None;
    let mut problem = None;
    let mut application = None;
    let mut any = None;
    for Entry { range, quality } in entries(accept) {
        let media_type = trim_ows(range);
        let weight = if media_type.eq_ignore_ascii_case(b"application/json") {
            &mut json
        } else if media_type.eq_ignore_ascii_case(b"application/problem+json") {
            &mut problem
        } else if media_type.eq_ignore_ascii_case(b"application/*") {
            &mut application
        } else if media_type == b"*/*" {
            &mut any
        } else {
            continue;
        };
        weight.get_or_insert(quality);
    }
    let wildcard = application.or(any).unwrap_or(0);
    match json.unwrap_or(wildcard).cmp(&problem.unwrap_or(wildcard)) {
        std::cmp::Ordering::Greater => Some(BodyFormat::Json),
        std::cmp::Ordering::Less => Some(BodyFormat::Problem),
        std::cmp::Ordering::Equal => None,
    }
}

/// The place in `tags` of the language a request's `Accept-Language` prefers (RFC 9110
/// §12.5.4), or `None` when no range names one of them.
///
/// A range matches a tag equal to it, or one it is a prefix of (`de` matches `de-AT`), or one
/// that is a prefix of it (`de-DE` falls back to `de`, as RFC 4647 §3.4 lookup does). The
/// highest q-value wins; among equals, the earlier range; q=0 chooses nothing. `*` matches
/// every tag no other range matches (as RFC 2616 §14.4 spelled out for this, HTTP's
/// traditional scheme), the first of them in `tags` order: with English first,
/// `de;q=0.5, *` prefers English, and `de;q=0, *` anything but German.
pub(crate) fn preferred_language<'a, I>(
    accept_language: impl Fn() -> I,
    tags: &[impl AsRef<str>],
) -> Option<usize>
where
    I: Iterator<Item = &'a [u8]>,
{
    let mut best: Option<(u16, usize)> = None;
    let mut wildcard: u16 = 0;
    for Entry { range, quality } in entries(accept_language()) {
        let range = trim_ows(range);
        if range == b"*" {
            wildcard = wildcard.max(quality);
            continue;
        }
        if quality == 0 || !is_language_range(range) {
            continue;
        }
        if best.is_some_and(|(best_quality, _)| best_quality >= quality) {
            continue;
        }
        let exact = tags
            .iter()
            .position(|tag| tag.as_ref().as_bytes().eq_ignore_ascii_case(range));
        let related = || {
            tags.iter()
                .position(|tag| is_related(tag.as_ref().as_bytes(), range))
        };
        if let Some(index) = exact.or_else(related) {
            best = Some((quality, index));
        }
    }
    if wildcard > 0 && best.map_or(true, |(best_quality, _)| wildcard > best_quality) {
        // `*` is weighed only when it could win: the header is read again for the ranges
        // that name a tag, whatever their q-value (the first 64 tags).
        let mut named: u64 = 0;
        for Entry { range, .. } in entries(accept_language()) {
            let range = trim_ows(range);
            if !is_language_range(range) {
                continue;
            }
            for (index, tag) in tags.iter().enumerate().take(64) {
                if matches(tag.as_ref().as_bytes(), range) {
                    named |= 1 << index;
                }
            }
        }
        let unnamed = (0..tags.len().min(64)).find(|index| named & (1 << index) == 0);
        if let Some(index) = unnamed {
            best = Some((wildcard, index));
        }
    }
    best.map(|(_, index)| index)
}

/// Whether `range` names `tag`: equal to it, a prefix of it, or it a prefix of `range`.
fn matches(tag: &[u8], range: &[u8]) -> bool {
    tag.eq_ignore_ascii_case(range) || is_related(tag, range)
}

/// Whether `range` is a prefix of `tag` or `tag` a prefix of `range`.
#[inline]
fn is_related(tag: &[u8], range: &[u8]) -> bool {
    is_prefix_at_subtag(tag, range) || is_prefix_at_subtag(range, tag)
}

/// Whether `prefix` is `text` up to a subtag boundary (`de` of `de-AT`), case aside.
fn is_prefix_at_subtag(prefix: &[u8], text: &[u8]) -> bool {
    text.len() > prefix.len()
        && text[prefix.len()] == b'-'
        && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// A language range of RFC 4647 §2.1 other than `*`: subtags of 1 to 8 letters or digits,
/// joined by `-`, the first all letters.
fn is_language_range(range: &[u8]) -> bool {
    let mut subtags = range.split(|&byte| byte == b'-');
    let valid_subtag = |subtag: &[u8]| (1..=8).contains(&subtag.len());
    subtags
        .next()
        .is_some_and(|first| valid_subtag(first) && first.iter().all(u8::is_ascii_alphabetic))
        && subtags
            .all(|subtag| valid_subtag(subtag) && subtag.iter().all(u8::is_ascii_alphanumeric))
}

/// A tag the app may name in `Content-Language`: a language range that is not `*`.
pub(crate) fn is_language_tag(tag: &str) -> bool {
    is_language_range(tag.as_bytes())
}

/// One entry of a list header: what it names and its q-value in thousandths.
struct Entry<'a> {
    range: &'a [u8],
    quality: u16,
}

/// The entries of all `lines`, at most [`MAX_ENTRIES`] of them, empty ones skipped; an entry
/// whose q-value is malformed (`q=2`, `q=-1`, `q=1.0000001`) is dropped, and still counts.
///
/// One pass over the bytes: every request through a layer is read, not only the refused ones.
fn entries<'a, I: Iterator<Item = &'a [u8]>>(lines: I) -> Entries<'a, I> {
    Entries {
        lines,
        rest: None,
        counted: 0,
    }
}

struct Entries<'a, I> {
    lines: I,
    /// What is left of the line being read; `None` once it is read whole.
    rest: Option<&'a [u8]>,
    /// The non-empty elements read so far.
    counted: usize,
}

impl<'a, I: Iterator<Item = &'a [u8]>> Iterator for Entries<'a, I> {
    type Item = Entry<'a>;

    fn next(&mut self) -> Option<Entry<'a>> {
        loop {
            if self.counted == MAX_ENTRIES {
                return None;
            }
            let text = match self.rest {
                Some(text) => text,
                None => self.lines.next()?,
            };
            // A list's elements are split on commas outside quoted strings (RFC 9110 §5.6.1).
            let (element, rest) = split_once_outside_quotes(text, b',');
            self.rest = rest;
            if trim_ows(element).is_empty() {
                continue;
            }
            self.counted += 1;
            if let Some(entry) = entry(element) {
                return Some(entry);
            }
        }
    }
}

/// One list element: what it names, then its parameters; `None` when its q-value is
/// malformed.
fn entry(element: &[u8]) -> Option<Entry<'_>> {
    let (range, mut parameters) = split_once_outside_quotes(element, b';');
    let mut quality = 1000;
    while let Some(text) = parameters {
        let (parameter, rest) = split_once_outside_quotes(text, b';');
        parameters = rest;
        let parameter = trim_ows(parameter);
        let Some(at) = parameter.iter().position(|&byte| byte == b'=') else {
            continue;
        };
        if trim_ows(&parameter[..at]).eq_ignore_ascii_case(b"q") {
            quality = qvalue(trim_ows(&parameter[at + 1..]))?;
            // Parameters after the weight belong to an accept extension.
            break;
        }
    }
    Some(Entry { range, quality })
}

/// `text` up to the first `separator` outside a quoted string, and what follows it (`None`
/// when there is none).
#[inline]
fn split_once_outside_quotes(text: &[u8], separator: u8) -> (&[u8], Option<&[u8]>) {
    // Most text has no quoted string: the first separator, unless a quote comes before it.
    match text
        .iter()
        .position(|&byte| byte == separator || byte == b'"')
    {
        None => return (text, None),
        Some(at) if text[at] == separator => return (&text[..at], Some(&text[at + 1..])),
        Some(_) => {}
    }
    let mut quoted = false;
    let mut escaped = false;
    for (at, &byte) in text.iter().enumerate() {
        match byte {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            _ if byte == separator && !quoted => return (&text[..at], Some(&text[at + 1..])),
            _ => {}
        }
    }
    (text, None)
}

/// A q-value (RFC 9110 §12.4.2) in thousandths: `0`, `0.5`, `1`, `1.000`; `None` for anything
/// else.
fn qvalue(text: &[u8]) -> Option<u16> {
    let (whole, fraction) = match text.iter().position(|&byte| byte == b'.') {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let fraction = fraction.unwrap_or(b"");
    if fraction.len() > 3 || !fraction.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let thousandths = fraction
        .iter()
        .chain(std::iter::repeat(&b'0'))
        .take(3)
        .fold(0u16, |value, digit| value * 10 + u16::from(digit - b'0'));
    match whole {
        b"0" => Some(thousandths),
        b"1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(accept: &[&str]) -> Option<BodyFormat> {
        preferred_format(accept.iter().map(|line| line.as_bytes()))
    }

    fn language(accept_language: &str) -> Option<usize> {
        preferred_language(
            || std::iter::once(accept_language.as_bytes()),
            &["en", "de"],
        )
    }

    #[test]
    fn q_values_follow_the_grammar() {
        assert_eq!(qvalue(b"1"), Some(1000));
        assert_eq!(qvalue(b"1.000"), Some(1000));
        assert_eq!(qvalue(b"0.5"), Some(500));
        assert_eq!(qvalue(b"0.125"), Some(125));
        assert_eq!(qvalue(b"0."), Some(0));
        for malformed in [
            "1.0000001",
            "-1",
            "2",
            "1.5",
            "0.1234",
            "",
            ".5",
            "0.x",
            "01",
        ] {
            assert_eq!(qvalue(malformed.as_bytes()), None, "{malformed}");
        }
    }

    #[test]
    fn accept_prefers_the_format_with_the_higher_weight() {
        assert_eq!(format(&["application/json"]), Some(BodyFormat::Json));
        assert_eq!(
            format(&["application/problem+json"]),
            Some(BodyFormat::Problem)
        );
        assert_eq!(
            format(&["application/json;q=0.4, Application/Problem+JSON;q=0.5"]),
            Some(BodyFormat::Problem)
        );
        assert_eq!(
            format(&["application/json", "application/problem+json;q=0.9"]),
            Some(BodyFormat::Json)
        );
        assert_eq!(format(&["*/*"]), None);
        assert_eq!(format(&["application/*"]), None);
        assert_eq!(format(&[]), None);
        assert_eq!(
            format(&["application/json, application/problem+json"]),
            None
        );
        assert_eq!(format(&["application/json;q=0"]), None);
        // A type not named weighs what the most specific wildcard gives it.
        assert_eq!(
            format(&["*/*, application/problem+json;q=0"]),
            Some(BodyFormat::Json)
        );
        assert_eq!(
            format(&["application/problem+json;q=0.5, */*"]),
            Some(BodyFormat::Json)
        );
        assert_eq!(
            format(&["application/*;q=0.2, */*, application/problem+json;q=0.5"]),
            Some(BodyFormat::Problem)
        );
        assert_eq!(
            format(&["application/json;q=0, */*"]),
            Some(BodyFormat::Problem)
        );
        // A malformed weight drops its entry.
        assert_eq!(format(&["application/json;q=1.0000001"]), None);
        assert_eq!(
            format(&[r#"text/plain;x="a,application/json", application/problem+json"#]),
            Some(BodyFormat::Problem)
        );
    }

    #[test]
    fn accept_reads_a_bounded_number_of_entries() {
        let mut line = "text/plain, ".repeat(MAX_ENTRIES);
        line.push_str("application/problem+json");
        assert_eq!(format(&[&line]), None);
    }

    #[test]
    fn accept_language_matches_ranges_and_prefixes() {
        assert_eq!(language("de"), Some(1));
        assert_eq!(language("de-DE"), Some(1));
        assert_eq!(language("DE-de"), Some(1));
        assert_eq!(language("en;q=0.5, de;q=0.9"), Some(1));
        assert_eq!(language("de;q=0.5, en;q=0.9"), Some(0));
        assert_eq!(language("fr"), None);
        // `*` matches every language no other range names (RFC 2616 §14.4), the first of them.
        assert_eq!(language("*"), Some(0));
        assert_eq!(language("de;q=0.5, *"), Some(0));
        assert_eq!(language("*;q=0.9, de;q=0.1"), Some(0));
        assert_eq!(language("en;q=0.1, *"), Some(1));
        assert_eq!(language("en;q=0, *;q=0.5"), Some(1));
        assert_eq!(language("en;q=0, de;q=0, *"), None);
        assert_eq!(language("*;q=0, de;q=0.1"), Some(1));
        assert_eq!(language("de, *"), Some(1));
        assert_eq!(language("de;q=0"), None);
        assert_eq!(language("de;q=-1"), None);
        assert_eq!(language("fr, de;q=0.1"), Some(1));
        assert_eq!(language("en, de"), Some(0));
        assert_eq!(language("d\u{e9}"), None);
        assert_eq!(
            preferred_language(|| std::iter::once(&b"de"[..]), &["en", "de-AT"]),
            Some(1)
        );
    }

    #[test]
    fn a_request_id_is_one_line_of_visible_ascii() {
        fn id<'a>(lines: &[&'a [u8]]) -> Option<&'a [u8]> {
            request_id(lines.iter().copied())
        }
        assert_eq!(id(&[b"abc-123"]), Some(&b"abc-123"[..]));
        assert_eq!(id(&[br#""\"#]), Some(&br#""\"#[..]));
        assert_eq!(id(&[&[b'x'; 128]]), Some(&[b'x'; 128][..]));
        assert_eq!(id(&[&[b'x'; 129]]), None);
        assert_eq!(id(&[b""]), None);
        assert_eq!(id(&[b"a b"]), None);
        assert_eq!(id(&[b"caf\xc3\xa9"]), None);
        assert_eq!(id(&[b"a", b"b"]), None);
        assert_eq!(id(&[]), None);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// The reading that `entries` replaced, kept as the model it must agree with: iterator
    /// adaptors over a splitter, easier to read and about five times slower.
    fn model_entries<'a>(lines: impl Iterator<Item = &'a [u8]>) -> impl Iterator<Item = Entry<'a>> {
        lines
            .flat_map(split_list)
            .filter(|element| !trim_ows(element).is_empty())
            .take(MAX_ENTRIES)
            .filter_map(|element| {
                let mut parameters = split_outside_quotes(element, b';');
                let range = parameters.next()?;
                let mut quality = 1000;
                for parameter in parameters {
                    let parameter = trim_ows(parameter);
                    let Some((name, value)) = parameter
                        .iter()
                        .position(|&byte| byte == b'=')
                        .map(|at| (trim_ows(&parameter[..at]), trim_ows(&parameter[at + 1..])))
                    else {
                        continue;
                    };
                    if name.eq_ignore_ascii_case(b"q") {
                        quality = qvalue(value)?;
                        // Parameters after the weight belong to an accept extension.
                        break;
                    }
                }
                Some(Entry { range, quality })
            })
    }

    /// A list header line's elements, split on commas outside quoted strings (RFC 9110 §5.6.1).
    fn split_list(line: &[u8]) -> impl Iterator<Item = &[u8]> {
        split_outside_quotes(line, b',')
    }

    /// Splits `text` on `separator` where it is not inside a quoted string.
    fn split_outside_quotes(text: &[u8], separator: u8) -> impl Iterator<Item = &[u8]> {
        let mut rest = Some(text);
        std::iter::from_fn(move || {
            let text = rest?;
            let mut quoted = false;
            let mut escaped = false;
            for (at, &byte) in text.iter().enumerate() {
                match byte {
                    _ if escaped => escaped = false,
                    b'\\' if quoted => escaped = true,
                    b'"' => quoted = !quoted,
                    _ if byte == separator && !quoted => {
                        rest = Some(&text[at + 1..]);
                        return Some(&text[..at]);
                    }
                    _ => {}
                }
            }
            rest = None;
            Some(text)
        })
    }

    /// Header text made of what the list grammar gives meaning to, so that quotes, escapes,
    /// separators and weights meet often.
    fn list_text() -> impl Strategy<Value = Vec<u8>> {
        let pieces = prop_oneof![
            Just(&b","[..]),
            Just(&b";"[..]),
            Just(&b"\""[..]),
            Just(&b"\\"[..]),
            Just(&b" "[..]),
            Just(&b"\t"[..]),
            Just(&b"="[..]),
            Just(&b"q=0.5"[..]),
            Just(&b"Q = 1"[..]),
            Just(&b"q=1.0001"[..]),
            Just(&b"q=0"[..]),
            Just(&b"de-AT"[..]),
            Just(&b"application/json"[..]),
            Just(&b"*/*"[..]),
            Just(&b"x"[..]),
            // Eight elements at once, so that lists pass `MAX_ENTRIES`.
            Just(&b"a,b,c;q=0.1,d,e,f,g,h,"[..]),
        ];
        proptest::collection::vec(pieces, 0..40).prop_map(|pieces| pieces.concat())
    }

    fn read<'a>(entries: impl Iterator<Item = Entry<'a>>) -> Vec<(Vec<u8>, u16)> {
        entries
            .map(|entry| (entry.range.to_vec(), entry.quality))
            .collect()
    }

    proptest! {
        #[test]
        fn entries_are_read_as_the_model_reads_them(
            lines in proptest::collection::vec(
                prop_oneof![list_text(), proptest::collection::vec(any::<u8>(), 0..80)],
                0..4,
            )
        ) {
            let lines = || lines.iter().map(Vec::as_slice);
            prop_assert_eq!(read(entries(lines())), read(model_entries(lines())));
        }

        #[test]
        fn any_header_bytes_are_read_without_panic_and_ids_stay_valid(
            lines in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..600), 0..4)
        ) {
            let lines = || lines.iter().map(Vec::as_slice);
            let _ = preferred_format(lines());
            if let Some(index) = preferred_language(lines, &["en", "de", "de-AT"]) {
                prop_assert!(index < 3);
            }
            if let Some(id) = request_id(lines()) {
                prop_assert!((1..=MAX_REQUEST_ID_LEN).contains(&id.len()));
                prop_assert!(id.iter().all(|byte| (0x21..=0x7e).contains(byte)));
            }
        }
    }
}
