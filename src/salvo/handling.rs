//! [`ErrorHandling`]: the hoop that gives every error response of a salvo app the crate's shape,
//! panics included, each error rendered for the request it answers.

use std::future::Future;

use ::salvo::http::ResBody;
use ::salvo::{async_trait, Depot, FlowCtrl, Handler, Request, Response};
use http::{HeaderValue, Method};

use super::write;
use crate::adapter::foreign::{self, MissingAllow, Shaped};
use crate::adapter::scope::poll_caught;
use crate::context::{self, AppSettings, RequestContext};
use crate::error::HttpError;

/// The service hoop that gives every error response of the app the crate's shape and lets
/// every error see the request it answers: `Service::new(router).hoop(ErrorHandling::new())`.
///
/// - salvo's own answers (no route: 404; a path routed for other methods: 405, with salvo's `Allow`
///   unless the path has [`method_not_allowed`](super::method_not_allowed)) and a `StatusError` a
///   handler or extractor renders get the crate's body and sentence for their status; a 4xx or 5xx
///   in another shape (plain text, HTML, empty) is rendered again, its text kept as the hidden
///   note, seen by the report hook and never sent.
/// - A 401 without a challenge gets the app's (`Bearer realm="..."`, from
///   [`Config::realm`](crate::Config::realm)).
/// - A panic in a hoop or handler after it becomes the crate's generic 500.
/// - A `HEAD` answer keeps the `Content-Length` its `GET` has (salvo drops the body, and with
///   it the length).
/// - While the app serves a request, every error the crate renders sees it: its id is echoed on
///   every response and written into error bodies, and, as the [`Config`](crate::Config) says, its
///   path becomes the problem `instance`, its `Accept` chooses the format and its `Accept-Language`
///   the language.
///
/// Put it first among the service's hoops, so that the hoops after it are inside it. salvo
/// checks `Service::allowed_media_types` after every hoop and answers a response of another
/// type with its own 415: an app that sets it lists `application/json` and, for problem
/// details, `application/problem+json`.
#[derive(Debug, Clone, Default)]
pub struct ErrorHandling {
    app: AppSettings,
}

settings_constructors!(
    ErrorHandling,
    "hoop",
    new: r#"let hoop = denied::salvo::ErrorHandling::new();
# let _ = hoop;"#,
    with_config: r#"use denied::{BodyFormat, Config};

let hoop = denied::salvo::ErrorHandling::with_config(Config::new().format(BodyFormat::Problem))?;
# let _ = hoop;
# Ok::<(), denied::ConfigError>(())"#,
);

#[async_trait]
impl Handler for ErrorHandling {
    async fn handle(
        &self,
        req: &mut Request,
        depot: &mut Depot,
        res: &mut Response,
        ctrl: &mut FlowCtrl,
    ) {
        let context = RequestContext::of_request(&self.app, req.method(), req.uri(), req.headers());
        let is_head = req.method() == Method::HEAD;
        // salvo sets 405 before the hoops only where no route takes the method: it then names
        // the path's methods in `Allow` after every hoop.
        let missing_allow = if res.status_code == Some(http::StatusCode::METHOD_NOT_ALLOWED) {
            MissingAllow::Router
        } else {
            MissingAllow::Empty
        };
        let served = serve(&context, ctrl.call_next(req, depot, res)).await;
        if let Err(panic) = served {
            // Nothing the panicking handler left is sent: no header, no cookie.
            *res = Response::new();
            context::serving(&context, || write(res, &panic));
        }
        shape(res, &context, missing_allow).await;
        context.echo_request_id(res.headers_mut());
        if is_head {
            keep_content_length(res);
        }
    }
}

/// salvo sends a `HEAD` answer without its body, and with it the `Content-Length` the same
/// `GET` has: it is written here, while the body is known (RFC 9110 §9.3.2).
fn keep_content_length(res: &mut Response) {
    if let ResBody::Once(body) = &res.body {
        let length = HeaderValue::from(body.len());
        res.headers_mut()
            .entry(http::header::CONTENT_LENGTH)
            .or_insert(length);
    }
}

/// Polls `next` with the request in scope, catching a panic as the crate's 500.
async fn serve<F: Future>(context: &RequestContext, next: F) -> Result<F::Output, HttpError> {
    let mut next = std::pin::pin!(next);
    std::future::poll_fn(|cx| context::serving(context, || poll_caught(next.as_mut(), cx))).await
}

/// The response in the crate's shape.
async fn shape(res: &mut Response, context: &RequestContext, missing_allow: MissingAllow) {
    let Some(mut status) = res.status_code else {
        return;
    };
    let body = match res.replace_body(ResBody::None) {
        ResBody::Error(error) => {
            // A `StatusError`: salvo's catcher would write it; its texts are the note.
            let note = match error.detail.as_deref() {
                Some(detail) => format!("{}: {detail}", error.brief),
                None => error.brief.clone(),
            };
            let (status, body) = context::serving(context, || {
                foreign::rewrite(
                    error.code,
                    res.headers_mut(),
                    note.as_bytes(),
                    false,
                    missing_allow,
                )
            });
            res.status_code(status);
            res.body(ResBody::Once(body));
            return;
        }
        body => body,
    };
    let headers = res.headers_mut();
    let shaped = foreign::shape(
        &mut status,
        headers,
        body,
        |body| body,
        context,
        missing_allow,
    )
    .await;
    res.status_code(status);
    match shaped {
        Shaped::Kept(body) => res.body(body),
        Shaped::Rendered(bytes) => res.body(ResBody::Once(bytes)),
    };
}
