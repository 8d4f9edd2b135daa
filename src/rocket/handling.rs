//! [`ErrorHandling`]: the fairing that gives every error response of a rocket app the crate's
//! shape, with its catcher and the 405 rocket does not send.

use std::io::Cursor;

use ::rocket::catcher::{self, Catcher};
use ::rocket::data::Data;
use ::rocket::fairing::{self, Fairing, Info, Kind};
use ::rocket::http::uncased::UncasedStr;
use ::rocket::http::{MediaType, Method as RocketMethod, Status};
use ::rocket::request::Request;
use ::rocket::response::Response;
use ::rocket::{Build, Rocket};
use bytes::Bytes;
use http::uri::PathAndQuery;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

use super::{in_scope, respond_in, route_of, served, set_headers};
use crate::adapter::foreign::{self, MissingAllow, Treatment};
use crate::adapter::json_body::is_json_content_type;
use crate::context::{self, AppSettings, HeaderLines, RequestContext};
use crate::error::{ErrorStatus, HttpError};

/// The fairing that gives every error response of a rocket app the crate's shape and lets
/// every error see the request it answers: `rocket::build().attach(ErrorHandling::new())`,
/// attached after every other fairing (rocket runs response fairings in the order they were
/// attached).
///
/// - It registers the default catcher at `/`: rocket's own answers (no route: 404; a guard that
///   fails; a panicking handler: 500) get the crate's body and sentence, and a refusal a guard left
///   ([`refuse`](super::refuse), the credential guards, [`Json`](super::Json)) is sent as it is
///   when rocket calls the catcher for its status at its route. A 404 from a handler goes through
///   it too, so that it is the 404 for no route, byte for byte. Where the app's own catcher
///   (`#[catch(401)]`) answers instead, the fairing sends what the crate's catcher would have
///   sent; the app's catcher's text goes to the hidden note.
/// - rocket answers a method a path does not route with 404: the catcher answers 405 with
///   `Allow` listing the methods the app's routes have for that path (`HEAD` with `GET`). It
///   answers 404 too where a route of the path and method takes another format
///   (`format = "json"`): the catcher answers 415 (the body's `Content-Type`) or 406 (the
///   request's `Accept`).
/// - A 4xx or 5xx in another shape (plain text, HTML, empty) that another fairing or a
///   handler sends is rendered again; its text is the hidden note, seen by the report hook and
///   never sent. A 401 without a challenge gets the app's.
/// - Every error the crate renders sees the request: its id is echoed on every response and written
///   into error bodies, and, as the [`Config`](crate::Config) says, its path becomes the problem
///   `instance`, its `Accept` chooses the format and its `Accept-Language` the language.
#[derive(Debug, Clone, Default)]
pub struct ErrorHandling {
    app: AppSettings,
}

settings_constructors!(
    ErrorHandling,
    "fairing",
    new: r#"let fairing = denied::rocket::ErrorHandling::new();
# let _ = fairing;"#,
    with_config: r#"use denied::{BodyFormat, Config};

let fairing = denied::rocket::ErrorHandling::with_config(Config::new().format(BodyFormat::Problem))?;
# let _ = fairing;
# Ok::<(), denied::ConfigError>(())"#,
);

#[::rocket::async_trait]
impl Fairing for ErrorHandling {
    fn info(&self) -> Info {
        Info {
            name: "denied::rocket::ErrorHandling",
            kind: Kind::Ignite | Kind::Request | Kind::Response,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let catcher = Catcher::new(None, Catch(self.app.clone()));
        Ok(rocket.register("/", vec![catcher]))
    }

    async fn on_request(&self, req: &mut Request<'_>, _data: &mut Data<'_>) {
        let context = context_of(&self.app, req);
        // Set once: a guard that ran in an earlier fairing may have made the cache already.
        let _ = served(req).context.set(context);
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let Some(context) = served(req).context.get() else {
            return;
        };
        let status = res.status();
        // An app's own catcher (`#[catch(401)]`, `#[catch(404)]`) answered instead of the
        // crate's: the refusal it answered goes out still. A JSON error the app wrote on
        // purpose (a handler that took a guard's `Result`) passes, as every JSON 4xx does.
        let is_json = res
            .headers()
            .get_one("Content-Type")
            .is_some_and(|media_type| is_json_content_type(media_type.as_bytes()));
        let answered_by_app = status.code >= 400 && !context.sent(status.code) && !is_json;
        match answered_by_app.then(|| left_for(status, req)).flatten() {
            Some(refusal) => overrule(res, refusal, context).await,
            None => shape(res, context).await,
        }
        echo_request_id(res, context);
    }
}

/// What the app's settings use of a request.
fn context_of(app: &AppSettings, req: &Request<'_>) -> RequestContext {
    RequestContext::new(
        app,
        || Method::from_bytes(req.method().as_str().as_bytes()).unwrap_or_default(),
        || req.uri().path().as_str().parse::<PathAndQuery>().ok(),
        |name| req.headers().get(name.as_str()).map(str::as_bytes),
        // rocket's header values are not `http` 1's: keeping one would copy it.
        |_| HeaderLines::ReadNow,
        |_, id| HeaderValue::from_bytes(id).ok(),
    )
}

/// Puts the request's id on a response that does not name one.
fn echo_request_id(res: &mut Response<'_>, context: &RequestContext) {
    if let (Some(id), Some(name)) = (&context.request_id, &context.settings().request_id_header) {
        if !res.headers().contains(name.as_str()) {
            if let Ok(id) = id.to_str() {
                res.set_raw_header(name.as_str().to_owned(), id.to_owned());
            }
        }
    }
}

/// The catcher [`ErrorHandling`] registers, for every status, with the app's settings: rocket
/// calls it without the request fairings for a request it cannot read (an unknown method, a
/// target without a path), which then has no context yet.
#[derive(Clone)]
struct Catch(pub(super) AppSettings);

#[::rocket::async_trait]
impl catcher::Handler for Catch {
    async fn handle<'r>(&self, status: Status, req: &'r Request<'_>) -> catcher::Result<'r> {
        let refusal = catcher_refusal(status, req);
        match served(req).context.get() {
            Some(context) => Ok(respond_in(&refusal, Some(context))),
            None => {
                let context = context_of(&self.0, req);
                let mut response = respond_in(&refusal, Some(&context));
                echo_request_id(&mut response, &context);
                Ok(response)
            }
        }
    }
}

/// What the catcher sends: the refusal left for this status at this route, a 405 for a path
/// routed for other methods, or the crate's refusal for rocket's status.
fn catcher_refusal(status: Status, req: &Request<'_>) -> HttpError {
    if let Some(refusal) = left_for(status, req) {
        return refusal;
    }
    let status = StatusCode::from_u16(status.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    in_scope(req, || {
        foreign::refusal_for(
            status,
            &HeaderMap::new(),
            format!("rocket answered {}", status.as_u16()),
        )
    })
}

/// The refusal the crate answers rocket's `status` for `req` with, whichever catcher rocket
/// calls: the one a guard left for this status at this route, or a 405 for a path routed for
/// other methods (rocket answers it 404).
fn left_for(status: Status, req: &Request<'_>) -> Option<HttpError> {
    let kept = served(req)
        .refusal
        .lock()
        .ok()
        .and_then(|mut slot| slot.take());
    if let Some(kept) = kept {
        if kept.status == status && kept.route == route_of(req) {
            return Some(kept.refusal);
        }
    }
    let routed = matches!(status, Status::NotFound | Status::MethodNotAllowed)
        .then(|| methods_routed_for(req))
        .unwrap_or_default();
    // rocket answers HEAD with the GET route: a HEAD request is asked as GET.
    let asked = match req.method().as_str() {
        "HEAD" => Method::GET,
        method => Method::from_bytes(method.as_bytes()).unwrap_or_default(),
    };
    let wrong_method = (status == Status::MethodNotAllowed
        || (status == Status::NotFound && req.route().is_none()))
        && !routed.is_empty()
        && !routed.contains(&asked);
    if wrong_method {
        return Some(
            HttpError::method_not_allowed(routed)
                .with_note(format!("rocket routes no {} for this path", req.method())),
        );
    }
    (status == Status::NotFound && req.route().is_none())
        .then(|| format_refusal(req))
        .flatten()
}

/// The refusal for a request that a route of its path and method takes only in another format
/// (`format = "json"`): rocket answers it as no route, 404. A body of the wrong `Content-Type`
/// is a 415; a response in no type the request accepts, a 406.
fn format_refusal(req: &Request<'_>) -> Option<HttpError> {
    let segments = path_segments(req)?;
    // rocket answers HEAD with the GET route.
    let asked = match req.method() {
        RocketMethod::Head => RocketMethod::Get,
        method => method,
    };
    let mut refused_payload = None;
    for route in req.rocket().routes() {
        if route.method != asked || !path_matches(route.uri.path(), &segments) {
            continue;
        }
        match &route.format {
            Some(format) if !takes(route.method, format, req.format()) => {
                refused_payload = Some(route.method.supports_payload());
            }
            // A route takes it: the 404 came from elsewhere (a guard that forwarded).
            _ => return None,
        }
    }
    let (status, header) = match refused_payload? {
        true => (ErrorStatus::UNSUPPORTED_MEDIA_TYPE, "Content-Type"),
        false => (ErrorStatus::NOT_ACCEPTABLE, "Accept"),
    };
    let sent = req.headers().get_one(header).unwrap_or("none");
    Some(HttpError::new(status).with_note(format!(
        "rocket routes this path and method for another format than {header} {sent}"
    )))
}

/// Whether a route of `method` for `format` takes a request whose format (its `Content-Type`
/// for a method with a body, else what it accepts) is `asked`, as rocket's router decides.
fn takes(method: RocketMethod, format: &MediaType, asked: Option<&MediaType>) -> bool {
    let collide = |asked: &MediaType| {
        let part = |wanted: &UncasedStr, given: &UncasedStr| {
            wanted == "*" || given == "*" || wanted == given
        };
        part(format.top(), asked.top()) && part(format.sub(), asked.sub())
    };
    match asked {
        Some(asked) if method.supports_payload() => asked.specificity() == 2 && collide(asked),
        None if method.supports_payload() => false,
        Some(asked) => collide(asked),
        None => true,
    }
}

/// Answers `refusal` in place of what an app's catcher made of it: the catcher's headers stay
/// but those that describe its body, and its text is added to the hidden note.
async fn overrule(res: &mut Response<'_>, refusal: HttpError, context: &RequestContext) {
    let (text, cut) = read_ready_note(res.body_mut()).await;
    let ellipsis = if cut { "... (cut)" } else { "" };
    let catcher = format!(
        "the app's catcher answered {}: {}{ellipsis}",
        res.status().code,
        String::from_utf8_lossy(&text).trim()
    );
    let note = match refusal.note() {
        Some(own) => format!("{own} ({catcher})"),
        None => catcher,
    };
    let refusal = refusal.with_note(note);
    let mut headers = headers_of(res);
    let rendered = super::rendered_in(&refusal, Some(context));
    let (status, body) = foreign::adopt(&mut headers, rendered, false);
    replace(res, &headers, status, body);
}

/// `res`'s headers, as `http`'s.
fn headers_of(res: &Response<'_>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for header in res.headers().iter() {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(header.name().as_str().as_bytes()),
            HeaderValue::from_str(header.value()),
        ) {
            headers.append(name, value);
        }
    }
    headers
}

/// Sends `status`, `headers` and `body` instead of what `res` had.
fn replace(res: &mut Response<'_>, headers: &HeaderMap, status: StatusCode, body: Bytes) {
    for header in res.headers().clone().iter() {
        res.remove_header(header.name().as_str());
    }
    set_headers(res, headers);
    res.set_status(Status::new(status.as_u16()));
    res.set_sized_body(body.len(), Cursor::new(body));
}

/// The methods the app's routes have for the request's path, in a fixed order; `HEAD` with
/// `GET`, as rocket answers it. A path matches a route as rocket matches it, by its decoded
/// segments; but a path rocket normalizes (`/me/`, `//me`) names no methods, as the other
/// frameworks' routers know no such path: it is answered 404, not 405.
fn methods_routed_for(req: &Request<'_>) -> Vec<Method> {
    use crate::adapter::METHOD_ORDER as ORDER;
    let Some(segments) = path_segments(req) else {
        return Vec::new();
    };
    let mut routed: Vec<Method> = Vec::new();
    for route in req.rocket().routes() {
        if path_matches(route.uri.path(), &segments) {
            let method = route.method.as_str();
            routed.extend(
                ORDER
                    .iter()
                    .filter(|known| known.as_str() == method)
                    .cloned(),
            );
            if method == "GET" {
                routed.push(Method::HEAD);
            }
        }
    }
    ORDER
        .into_iter()
        .filter(|method| routed.contains(method))
        .collect()
}

/// The decoded segments of the request's path, or `None` for a path rocket normalizes (`/me/`,
/// `//me`), which no route of the other frameworks' routers matches.
fn path_segments<'r>(req: &'r Request<'_>) -> Option<Vec<&'r str>> {
    let raw = req.uri().path().as_str();
    if raw.len() > 1 && (raw.ends_with('/') || raw.contains("//")) {
        return None;
    }
    Some(req.uri().path().segments().collect())
}

/// Whether a route's path template (`/orders/<id>`, `/files/<path..>`) matches a path's
/// decoded, non-empty segments.
fn path_matches(template: &str, segments: &[&str]) -> bool {
    let mut wanted = template.split('/').filter(|segment| !segment.is_empty());
    let mut given = segments.iter();
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return true,
            (Some(segment), _) if segment.starts_with('<') && segment.ends_with("..>") => {
                return true
            }
            (Some(segment), Some(_)) if segment.starts_with('<') && segment.ends_with('>') => {}
            (Some(segment), Some(part)) if segment == *part => {}
            _ => return false,
        }
    }
}

/// Gives a response on its way out the crate's shape, with the request in scope.
pub(super) async fn shape(res: &mut Response<'_>, context: &RequestContext) {
    let status_code = res.status().code;
    let header = |deciding| {
        let name = match deciding {
            foreign::Deciding::ContentType => "Content-Type",
            foreign::Deciding::WwwAuthenticate => "WWW-Authenticate",
            foreign::Deciding::Allow => "Allow",
        };
        res.headers().get_one(name).map(str::as_bytes)
    };
    let treatment = foreign::treatment_of(status_code, header, || {
        foreign::rewrites_json(context, status_code)
    });
    if treatment == Treatment::Untouched {
        return;
    }
    let Ok(status) = StatusCode::from_u16(res.status().code) else {
        return;
    };
    let mut headers = headers_of(res);
    if treatment == Treatment::FixHeaders {
        context::serving(context, || {
            foreign::fix_headers(status, &mut headers, MissingAllow::Empty)
        });
        set_headers(res, &headers);
        return;
    }
    let (text, cut) = read_ready_note(res.body_mut()).await;
    let (status, body): (StatusCode, Bytes) = context::serving(context, || {
        foreign::rewrite(status, &mut headers, &text, cut, MissingAllow::Empty)
    });
    replace(res, &headers, status, body);
}

/// Reads what is ready of a foreign error body, up to [`foreign::NOTE_BODY_LIMIT`] bytes, for
/// the note; `true` when there was more, or more might come. It never waits for the body: a
/// body that trickles must not hold back the response. An unreadable body leaves the note with
/// what was read.
async fn read_ready_note(body: &mut rocket::response::Body<'_>) -> (Vec<u8>, bool) {
    use rocket::tokio::io::{AsyncRead, ReadBuf};
    use std::task::Poll;
    let mut text = Vec::new();
    let mut chunk = [0_u8; 512];
    loop {
        let read = std::future::poll_fn(|cx| {
            let mut buffer = ReadBuf::new(&mut chunk);
            let polled = std::pin::Pin::new(&mut *body).poll_read(cx, &mut buffer);
            Poll::Ready(polled.map(|read| read.map(|()| buffer.filled().len())))
        })
        .await;
        match read {
            Poll::Ready(Ok(0) | Err(_)) => return (text, false),
            Poll::Ready(Ok(length)) => {
                if foreign::keep_for_note(&mut text, &chunk[..length]) {
                    return (text, true);
                }
            }
            Poll::Pending => return (text, true),
        }
    }
}
