//! Responses the crate did not render: a framework's own errors, a middleware's, a panic. Each
//! framework's layer hands them here, so that every framework rewrites them the same way.

use bytes::Bytes;
use http::header::{
    ALLOW, CONTENT_DISPOSITION, CONTENT_ENCODING, CONTENT_LANGUAGE, CONTENT_LENGTH,
    CONTENT_LOCATION, CONTENT_RANGE, CONTENT_TYPE, ETAG, LAST_MODIFIED, TRANSFER_ENCODING, VARY,
    WWW_AUTHENTICATE,
};
use http::{HeaderMap, Method, StatusCode};

use crate::adapter::json_body::is_json_content_type;
use crate::challenge::Challenge;
use crate::context::RequestContext;
use crate::error::{allow_value, HttpError, Unauthorized};
use crate::syntax::trim_ows;

/// The most of a foreign error body a layer reads to keep as the hidden note.
pub(crate) const NOTE_BODY_LIMIT: usize = 1024;

/// What a layer does with a response on its way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Treatment {
    /// Not an error, or already JSON with the headers its status needs: sent as it is.
    Untouched,
    /// A JSON error missing a header its status needs (a 401's challenge, a 405's `Allow` in
    /// the crate's form): [`fix_headers`].
    FixHeaders,
    /// An error in another shape (plain text, HTML, empty): [`rewrite`], with its body.
    Rewrite,
}

/// The headers that decide a [`Treatment`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Deciding {
    ContentType,
    WwwAuthenticate,
    Allow,
}

with_framework! {
    unused_without_rewrites_bodies:
    /// Decides from the status and headers alone, so a success costs one comparison and the
    /// crate's own refusal one header lookup, and neither an allocation. `context` is the
    /// request the response answers, which knows the crate's own response.
    #[inline]
    pub(crate) fn treatment(
        status: StatusCode,
        headers: &HeaderMap,
        context: Option<&RequestContext>,
    ) -> Treatment {
        let header = |name| {
            let name = match name {
                Deciding::ContentType => CONTENT_TYPE,
                Deciding::WwwAuthenticate => WWW_AUTHENTICATE,
                Deciding::Allow => ALLOW,
            };
            headers.get(name).map(http::HeaderValue::as_bytes)
        };
        let status = status.as_u16();
        treatment_of(status, header, || {
            context.is_some_and(|context| rewrites_json(context, status))
        })
    }
}

/// [`treatment`] for any framework's headers: `header` gives the first value of a header, and
/// is asked only about the headers the status makes relevant; `rewrites_json` says whether a
/// JSON error gets the crate's body ([`rewrites_json`]).
#[inline]
pub(crate) fn treatment_of<'a>(
    status: u16,
    header: impl Fn(Deciding) -> Option<&'a [u8]>,
    rewrites_json: impl FnOnce() -> bool,
) -> Treatment {
    if !(400..600).contains(&status) {
        return Treatment::Untouched;
    }
    // Not JSON: the crate's body instead.
    if !header(Deciding::ContentType).is_some_and(is_json_content_type) {
        return Treatment::Rewrite;
    }
    // JSON: the crate's own body, or JSON another wrote, which may carry internal text.
    if rewrites_json() {
        return Treatment::Rewrite;
    }
    let needs_fix = match status {
        401 => header(Deciding::WwwAuthenticate).is_none(),
        405 => !header(Deciding::Allow).is_some_and(is_crate_allow),
        _ => false,
    };
    if needs_fix {
        Treatment::FixHeaders
    } else {
        Treatment::Untouched
    }
}

/// Whether a JSON error of `status` on its way out gets the crate's body: one the crate did not
/// make for this request, of a class the app's settings rewrite ([`ForeignJson`](crate::ForeignJson)).
pub(crate) fn rewrites_json(context: &RequestContext, status: u16) -> bool {
    context.settings().foreign_json.rewrites(status) && !context.sent(status)
}

/// Whether an `Allow` value is in the form [`allow_value`] writes: methods joined by `,`, each
/// once.
fn is_crate_allow(allow: &[u8]) -> bool {
    if allow.is_empty() {
        return true;
    }
    let methods = || allow.split(|&b| b == b',');
    methods().enumerate().all(|(index, method)| {
        Method::from_bytes(method).is_ok() && !methods().take(index).any(|seen| seen == method)
    })
}

/// The methods every `Allow` line lists; names that are not methods are dropped.
fn methods_of(headers: &HeaderMap) -> Vec<Method> {
    headers
        .get_all(ALLOW)
        .iter()
        .flat_map(|line| line.as_bytes().split(|&b| b == b','))
        .map(trim_ows)
        .filter(|name| !name.is_empty())
        .filter_map(|name| Method::from_bytes(name).ok())
        .collect()
}

/// Gives a JSON error the headers its status needs: the app's challenge on a 401 without one,
/// `Allow` in the crate's form on a 405, or what `missing_allow` says where it names no methods.
pub(crate) fn fix_headers(status: StatusCode, headers: &mut HeaderMap, missing_allow: MissingAllow) {
    if status == StatusCode::UNAUTHORIZED && !headers.contains_key(WWW_AUTHENTICATE) {
        if let Ok(challenge) = app_challenge().to_header_value() {
            headers.insert(WWW_AUTHENTICATE, challenge);
        }
    }
    let left_to_router = missing_allow == MissingAllow::Router && !headers.contains_key(ALLOW);
    if status == StatusCode::METHOD_NOT_ALLOWED && !left_to_router {
        if let Some(allow) = allow_value(methods_of(headers)) {
            headers.insert(ALLOW, allow);
        }
    }
}

fn app_challenge() -> Challenge {
    Challenge::bearer(crate::context::with_settings(|settings| {
        settings.realm.clone()
    }))
}

/// Headers that describe the foreign body, which the crate's body replaces: its media type,
/// length, coding, range, validators, language, digests (RFC 9530, and the older `Digest` and
/// `Content-MD5`), where it lives (`Content-Location`) and how to save it
/// (`Content-Disposition`: a JSON error must not be saved as `report.csv`).
const REPRESENTATION_HEADERS: [http::HeaderName; 14] = [
    CONTENT_TYPE,
    CONTENT_LENGTH,
    CONTENT_ENCODING,
    TRANSFER_ENCODING,
    CONTENT_RANGE,
    ETAG,
    LAST_MODIFIED,
    CONTENT_LANGUAGE,
    CONTENT_LOCATION,
    CONTENT_DISPOSITION,
    http::HeaderName::from_static("content-digest"),
    http::HeaderName::from_static("repr-digest"),
    http::HeaderName::from_static("digest"),
    http::HeaderName::from_static("content-md5"),
];

/// Who names the methods of a 405 on its way out that names none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MissingAllow {
    /// No one after the layer: it sends an empty `Allow`, which RFC 9110 §10.2.1 allows (the
    /// resource allows no method now), and the report says "a 405 without Allow", for the app
    /// to fix its route. A 500 instead would make clients retry what can never succeed.
    Empty,
    /// The router, after the layer: axum's router (under `Router::layer`) and salvo's service
    /// name the path's methods on the 405 they make for a method the path lacks, after every
    /// layer, where no `Allow` is set. The layer cannot tell that 405 from a handler's, so it
    /// writes none: an empty one would hide the methods.
    Router,
}

/// Renders a foreign error response again in the crate's shape, with the crate's sentence for
/// its status. `body` is what was read of the foreign body (up to [`NOTE_BODY_LIMIT`]; `cut`
/// says there was more); it becomes the hidden note, passed to the report hook and never sent.
///
/// The status is kept; so are the foreign headers but those that describe the old body. A 401
/// keeps its own challenges, or gets the app's; a 405 keeps its methods in the crate's `Allow`,
/// or gets what `missing_allow` says.
pub(crate) fn rewrite(
    status: StatusCode,
    headers: &mut HeaderMap,
    body: &[u8],
    cut: bool,
    missing_allow: MissingAllow,
) -> (StatusCode, Bytes) {
    let note = note_of(status, body, cut);
    let allow_from_router = missing_allow == MissingAllow::Router
        && status == StatusCode::METHOD_NOT_ALLOWED
        && !headers.contains_key(ALLOW);
    let error = if allow_from_router {
        HttpError::with_status(status).with_note(note)
    } else {
        refusal_for(status, headers, note)
    };
    let keeps_own_challenges = headers.contains_key(WWW_AUTHENTICATE);
    let rendered = render_under_its_own_id(&error, headers);
    adopt(headers, rendered, keeps_own_challenges)
}

/// Renders `error`, the rewrite of a response whose `headers` may name a request id already
/// (tower-http's `PropagateRequestId` rule): that id is kept, and the body's `request_id` names
/// it (none, if it is not 1 to 128 visible ASCII characters); otherwise the request's. The
/// request is marked as answered by the crate, as any response it sends.
fn render_under_its_own_id(error: &HttpError, headers: &HeaderMap) -> http::Response<Bytes> {
    use crate::context::{serving, with_current};
    with_current(|context| {
        let Some(context) = context else {
            return error.render_with(std::convert::identity);
        };
        let own_id = context.settings().request_id_header.as_ref().and_then(|name| {
            let lines = headers.get_all(name);
            let first = lines.iter().next()?;
            let lines = lines.iter().map(http::HeaderValue::as_bytes);
            let valid = crate::negotiate::request_id(lines).is_some();
            Some(valid.then(|| first.clone()))
        });
        match own_id {
            Some(id) => {
                context.mark_sent(error.status());
                serving(&context.answered_as(id), || error.render())
            }
            None => error.render_with(std::convert::identity),
        }
    })
}

/// The crate's refusal for a foreign error answer of `status` with `headers`: a 401 gets the
/// app's challenge, a 405 its methods from `Allow` ([`MissingAllow::Empty`] where it names
/// none); `note` is kept hidden.
pub(crate) fn refusal_for(status: StatusCode, headers: &HeaderMap, note: String) -> HttpError {
    match status {
        StatusCode::UNAUTHORIZED => Unauthorized::bearer().with_note(note).into(),
        StatusCode::METHOD_NOT_ALLOWED if headers.contains_key(ALLOW) => {
            HttpError::method_not_allowed(methods_of(headers)).with_note(note)
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            HttpError::method_not_allowed([]).with_note(format!("a 405 without Allow: {note}"))
        }
        status => HttpError::with_status(status).with_note(note),
    }
}

/// Gives a response whose body the crate replaces the headers of `rendered`: those that
/// described the old body go (but a 416's `Content-Range`, which names the length of the
/// resource, not of the body: RFC 9110 §15.5.17), every header `rendered` names replaces the
/// old one of its name (but its own challenges, when it keeps them), and `Vary` lists both.
/// The other old headers stay. Gives back the status and body to send.
pub(crate) fn adopt(
    headers: &mut HeaderMap,
    rendered: http::Response<Bytes>,
    keeps_own_challenges: bool,
) -> (StatusCode, Bytes) {
    let unsatisfiable = rendered.status() == StatusCode::RANGE_NOT_SATISFIABLE;
    for name in &REPRESENTATION_HEADERS {
        if !(unsatisfiable && *name == CONTENT_RANGE) {
            headers.remove(name);
        }
    }
    let (parts, body) = rendered.into_parts();
    for name in parts.headers.keys() {
        let replaced = match name {
            name if *name == VARY => false,
            name if *name == WWW_AUTHENTICATE => !keeps_own_challenges,
            _ => true,
        };
        if replaced {
            headers.remove(name);
        }
    }
    let mut last_name = None;
    for (name, value) in parts.headers {
        // `HeaderMap`'s owned iterator names a header once, before its first value.
        if let Some(name) = name {
            last_name = Some(name);
        }
        let Some(name) = &last_name else { continue };
        if *name == WWW_AUTHENTICATE && keeps_own_challenges {
            continue;
        }
        // The old response may vary on other headers (`Origin`, say): it varies on both.
        headers.append(name.clone(), value);
    }
    (parts.status, body)
}

with_framework! {
    shapes_on_the_way_out:
    /// What [`shape`] did with a response's body.
    pub(crate) enum Shaped<B> {
        /// The body stays (the status and headers may have been fixed).
        Kept(B),
        /// The crate's body replaces it.
        Rendered(Bytes),
    }
}

with_framework! {
    shapes_on_the_way_out:
    /// Gives a response on its way out the crate's shape, with `context`'s request in scope: its
    /// status and headers are fixed in place, and its body is kept or replaced. `readable` turns
    /// the body into one the note can be read from, when it is read.
    pub(crate) async fn shape<O, B: http_body::Body>(
        status: &mut StatusCode,
        headers: &mut HeaderMap,
        body: O,
        readable: impl FnOnce(O) -> B,
        context: &crate::context::RequestContext,
        missing_allow: MissingAllow,
    ) -> Shaped<O> {
        use crate::context::serving;
        match treatment(*status, headers, Some(context)) {
            Treatment::Untouched => Shaped::Kept(body),
            Treatment::FixHeaders => {
                serving(context, || fix_headers(*status, headers, missing_allow));
                Shaped::Kept(body)
            }
            Treatment::Rewrite => {
                let (text, cut) = read_note(readable(body)).await;
                let (rendered_status, rendered) =
                    serving(context, || {
                        rewrite(*status, headers, &text, cut, missing_allow)
                    });
                *status = rendered_status;
                Shaped::Rendered(rendered)
            }
        }
    }
}

with_framework! {
    rewrites_bodies:
    /// Reads what is ready of a foreign error body, up to [`NOTE_BODY_LIMIT`] bytes, for the
    /// note; `true` when there was more, or more might come. It never waits for the body: a
    /// body that trickles must not hold back the response.
    pub(crate) async fn read_note<B: http_body::Body>(body: B) -> (Vec<u8>, bool) {
        use bytes::Buf;
        use std::task::Poll;
        let mut body = std::pin::pin!(body);
        let mut text = Vec::new();
        loop {
            let next = std::future::poll_fn(|cx| Poll::Ready(body.as_mut().poll_frame(cx))).await;
            let frame = match next {
                Poll::Ready(Some(Ok(frame))) => frame,
                Poll::Ready(None | Some(Err(_))) => return (text, false),
                Poll::Pending => return (text, true),
            };
            let Ok(mut data) = frame.into_data() else {
                continue;
            };
            while data.has_remaining() {
                let chunk = data.chunk();
                let length = chunk.len();
                if keep_for_note(&mut text, chunk) {
                    return (text, true);
                }
                data.advance(length);
            }
        }
    }
}

/// Adds what still fits of `data` to the note's `text`; `true` once some of it did not fit.
pub(crate) fn keep_for_note(text: &mut Vec<u8>, data: &[u8]) -> bool {
    let room = NOTE_BODY_LIMIT.saturating_sub(text.len());
    text.extend_from_slice(&data[..data.len().min(room)]);
    data.len() > room
}

fn note_of(status: StatusCode, body: &[u8], cut: bool) -> String {
    let text = String::from_utf8_lossy(body);
    let ellipsis = if cut { "... (cut)" } else { "" };
    if text.trim().is_empty() && !cut {
        format!("the framework answered {} with no body", status.as_u16())
    } else {
        format!(
            "the framework answered {}: {}{ellipsis}",
            status.as_u16(),
            text.trim()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    http::HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                )
            })
            .collect()
    }

    #[test]
    fn successes_and_the_crates_refusals_are_untouched() {
        let ours = HttpError::not_found().render();
        assert_eq!(
            treatment(ours.status(), ours.headers(), None),
            Treatment::Untouched
        );
        let ok = headers(&[("content-type", "text/plain")]);
        assert_eq!(treatment(StatusCode::OK, &ok, None), Treatment::Untouched);
        let allowed = HttpError::method_not_allowed([Method::GET, Method::HEAD]).render();
        assert_eq!(
            treatment(allowed.status(), allowed.headers(), None),
            Treatment::Untouched
        );
    }

    #[test]
    fn a_json_error_gets_only_the_headers_its_status_needs() {
        let mut json_401 = headers(&[("content-type", "application/json")]);
        assert_eq!(
            treatment(StatusCode::UNAUTHORIZED, &json_401, None),
            Treatment::FixHeaders
        );
        fix_headers(StatusCode::UNAUTHORIZED, &mut json_401, MissingAllow::Empty);
        assert_eq!(json_401[WWW_AUTHENTICATE], r#"Bearer realm="api""#);

        let mut axum_405 = headers(&[
            ("content-type", "application/json"),
            ("allow", "GET, HEAD,GET"),
        ]);
        assert_eq!(
            treatment(StatusCode::METHOD_NOT_ALLOWED, &axum_405, None),
            Treatment::FixHeaders
        );
        fix_headers(StatusCode::METHOD_NOT_ALLOWED, &mut axum_405, MissingAllow::Router);
        assert_eq!(axum_405[ALLOW], "GET,HEAD");
    }

    /// A 405 that names no methods keeps its status (a 500 would make a client retry what can
    /// never succeed) with an empty `Allow`, and the report says why the app should fix its
    /// route; where a router names the path's methods on its own 405 after the layer (axum's,
    /// salvo's), the 405 is left for it.
    #[test]
    fn a_405_without_allow_stays_a_405_with_an_empty_allow_and_its_report_says_so() {
        let plain_405 = headers(&[("content-type", "text/plain")]);
        assert_eq!(
            treatment(StatusCode::METHOD_NOT_ALLOWED, &plain_405, None),
            Treatment::Rewrite
        );
        let note = note_of(StatusCode::METHOD_NOT_ALLOWED, b"no", false);
        let refusal = refusal_for(StatusCode::METHOD_NOT_ALLOWED, &plain_405, note);
        assert!(refusal.to_string().contains("a 405 without Allow"), "{refusal}");

        let allow_after = |headers: &[(&'static str, &'static str)], body: &[u8], missing_allow| {
            let mut headers = self::headers(headers);
            let method_not_allowed = StatusCode::METHOD_NOT_ALLOWED;
            let (status, _) = rewrite(method_not_allowed, &mut headers, body, false, missing_allow);
            assert_eq!(status, 405);
            let allow = headers.get_all(ALLOW).iter();
            allow.map(|line| line.to_str().unwrap().to_owned()).collect::<Vec<_>>()
        };
        let plain = [("content-type", "text/plain")];
        assert_eq!(allow_after(&plain, b"no", MissingAllow::Empty), [""]);
        assert_eq!(allow_after(&[], b"", MissingAllow::Empty), [""]);
        // A router after the layer names the methods on its own 405: none is written here.
        assert!(allow_after(&[], b"", MissingAllow::Router).is_empty());
        assert!(allow_after(&plain, b"no", MissingAllow::Router).is_empty());

        let mut json_405 = headers(&[("content-type", "application/json")]);
        assert_eq!(
            treatment(StatusCode::METHOD_NOT_ALLOWED, &json_405, None),
            Treatment::FixHeaders
        );
        let mut left = json_405.clone();
        fix_headers(StatusCode::METHOD_NOT_ALLOWED, &mut json_405, MissingAllow::Empty);
        assert_eq!(json_405.get_all(ALLOW).iter().collect::<Vec<_>>(), [""]);
        fix_headers(StatusCode::METHOD_NOT_ALLOWED, &mut left, MissingAllow::Router);
        assert!(!left.contains_key(ALLOW), "{left:?}");
    }

    #[test]
    fn a_plain_text_error_is_rewritten_keeping_its_other_headers() {
        let mut foreign = headers(&[
            ("content-type", "text/plain; charset=utf-8"),
            ("content-length", "42"),
            ("access-control-allow-origin", "*"),
        ]);
        assert_eq!(
            treatment(StatusCode::UNSUPPORTED_MEDIA_TYPE, &foreign, None),
            Treatment::Rewrite
        );
        let (status, body) = rewrite(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &mut foreign,
            b"Expected request with `Content-Type: application/json`",
            false,
            MissingAllow::Empty,
        );
        assert_eq!(status, 415);
        let expected = HttpError::new(crate::error::ErrorStatus::UNSUPPORTED_MEDIA_TYPE).render();
        assert_eq!(body, expected.body());
        assert_eq!(foreign[CONTENT_TYPE], "application/json");
        assert_eq!(foreign["access-control-allow-origin"], "*");
        assert!(!foreign.contains_key(CONTENT_LENGTH));
    }
}
