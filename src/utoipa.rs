//! OpenAPI documents through utoipa 6: the schemas of the crate's two bodies, and the error
//! responses of an app as it really sends them.
//!
//! - [`ErrorBody`] and [`ProblemDetails`] implement [`ToSchema`], with the members the crate
//!   writes (`reason` and its `role` or `scope`, `request_id`, a problem's `instance`).
//! - [`ErrorResponses`] is a [`Modify`] that adds, from the app's [`Config`], one response
//!   component per refusal: its body in the app's format (both formats when the app
//!   negotiates), an example rendered by the crate itself, and the headers that come with it
//!   (`WWW-Authenticate` on a 401, `Allow` on a 405, `Retry-After` on a 429, ...).
//! - One type per refusal, [`UnauthorizedResponse`], [`ForbiddenResponse`],
//!   [`NotFoundResponse`], [`MethodNotAllowedResponse`], [`TooManyRequestsResponse`] and the rest,
//!   implements [`IntoResponses`]: list them in a route's `#[utoipa::path(responses(..))]` and the
//!   route's document refers to the components `Unauthorized`, `Forbidden` and so on.
//!
//! ```
//! use denied::Config;
//! use utoipa::OpenApi;
//!
//! /// The signed-in user.
//! #[utoipa::path(
//!     get,
//!     path = "/me",
//!     responses(
//!         (status = 200, description = "The signed-in user"),
//!         denied::utoipa::UnauthorizedResponse,
//!     ),
//! )]
//! async fn me() {}
//!
//! #[derive(OpenApi)]
//! #[openapi(paths(me))]
//! struct Api;
//!
//! let config = Config::new().realm("example");
//! let mut document = Api::openapi();
//! denied::utoipa::ErrorResponses::new(&config)?.apply(&mut document);
//!
//! let json: serde_json::Value = serde_json::from_str(&document.to_json()?)?;
//! let unauthorized = &json["components"]["responses"]["Unauthorized"];
//! assert_eq!(
//!     unauthorized["headers"]["WWW-Authenticate"]["example"],
//!     r#"Bearer realm="example""#
//! );
//! assert_eq!(
//!     json["paths"]["/me"]["get"]["responses"]["401"]["$ref"],
//!     "#/components/responses/Unauthorized"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Duration;

use ::utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
use ::utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, Header, HeaderBuilder, OpenApi, Ref, RefOr, Response,
    ResponseBuilder, Schema,
};
use ::utoipa::{IntoResponses, Modify, PartialSchema, ToSchema};
use http::{Method, StatusCode};
use serde_json::Value;

use crate::body::{BodyFormat, ErrorBody, ProblemDetails};
use crate::challenge::Challenge;
use crate::config::Settings;
use crate::config::{Config, ConfigError};
use crate::error::{ErrorStatus, HttpError};

fn string(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
}

fn uri_reference(description: &str) -> ObjectBuilder {
    string(description).format(Some(SchemaFormat::Custom("uri-reference".to_owned())))
}

fn status_code(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(400))
        .maximum(Some(599))
        .description(Some(description))
}

/// The members the crate may add to either body: the reason, its detail, the request's id.
fn with_crate_members(object: ObjectBuilder) -> ObjectBuilder {
    object
        .property(
            "reason",
            string(
                "Why the request was refused, for a client to act on: `missing_role`, \
                 `missing_scope`, `not_owner`, `blocked_by_policy` or the app's own code",
            ),
        )
        .property(
            "role",
            string("With `missing_role`: the role the caller lacks"),
        )
        .property(
            "scope",
            string("With `missing_scope`: the OAuth scope the token lacks"),
        )
        .property(
            "request_id",
            string("The request's own id, when it sent a valid one"),
        )
}

impl PartialSchema for ErrorBody {
    fn schema() -> RefOr<Schema> {
        let example = crate::error::Forbidden::missing_role("admin").render();
        let object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "An error, as `denied` sends it by default (`application/json`); members \
                 beyond these may follow and are to be ignored",
            ))
            .property(
                "error",
                string("The status's reason phrase, such as `Forbidden`"),
            )
            .required("error")
            .property("message", string("The sentence to show a person"))
            .required("message")
            .property("status", status_code("The response's status code"))
            .required("status");
        with_crate_members(object)
            .examples(serde_json::from_slice::<Value>(example.body()).ok())
            .into()
    }
}

impl ToSchema for ErrorBody {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ErrorBody")
    }
}

impl PartialSchema for ProblemDetails {
    fn schema() -> RefOr<Schema> {
        let example = render_example(
            &crate::error::Forbidden::missing_role("admin").into(),
            problem_settings().as_ref(),
        );
        let object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "An error as RFC 9457 problem details (`application/problem+json`); \
                 extension members beyond these may follow and are to be ignored",
            ))
            .property(
                "type",
                uri_reference(
                    "The problem type: `about:blank`, or the app's type base followed by the \
                     reason code",
                ),
            )
            .required("type")
            .property("title", string("The status's reason phrase"))
            .required("title")
            .property("status", status_code("The response's status code"))
            .required("status")
            .property("detail", string("The sentence to show a person"))
            .required("detail")
            .property(
                "instance",
                uri_reference("The request's path, when the app names it"),
            );
        with_crate_members(object).examples(example).into()
    }
}

impl ToSchema for ProblemDetails {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ProblemDetails")
    }
}

/// Settings with the defaults but problem details.
fn problem_settings() -> Option<Settings> {
    Config::new().format(BodyFormat::Problem).build().ok()
}

/// The body `error` is sent with under `settings`, as JSON.
fn render_example(error: &HttpError, settings: Option<&Settings>) -> Option<Value> {
    let settings = settings?;
    let response = crate::render::render_unreported(error, settings, None, std::convert::identity);
    serde_json::from_slice(response.body()).ok()
}

/// The error responses of an app, as components of its OpenAPI document: one per refusal the
/// crate sends (named `Unauthorized`, `Forbidden`, `NotFound`, `MethodNotAllowed`,
/// `TooManyRequests`, `BadRequest`, `ContentTooLarge`, `UnsupportedMediaType`,
/// `UnprocessableContent`, `InternalServerError` and `ServiceUnavailable`), and the
/// `ErrorBody` or `ProblemDetails` schema their bodies follow.
///
/// Built from the app's [`Config`], it documents what the app really sends: the body format
/// (both, when the app [negotiates](Config::negotiate)), an example of each body rendered by
/// the crate with the app's sentences, `Content-Language` when the app speaks several
/// languages, and the app's request id header. The examples are rendered without a request,
/// so they lack what a request adds under the app's layer: `request_id`, and a problem's
/// `instance` when the app takes it from the path (both are in the schemas). Apply it with [`apply`](Self::apply), or as
/// one of the `modifiers` of `#[derive(OpenApi)]`. The components it adds replace any of the
/// same name.
///
/// ```
/// use denied::{BodyFormat, Config};
///
/// let config = Config::new().format(BodyFormat::Problem);
/// let mut document = utoipa::openapi::OpenApi::default();
/// denied::utoipa::ErrorResponses::new(&config)?.apply(&mut document);
///
/// let components = document.components.unwrap();
/// assert!(components.schemas.contains_key("ProblemDetails"));
/// assert!(components.responses.contains_key("Forbidden"));
/// # Ok::<(), denied::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct ErrorResponses {
    schemas: Vec<(String, RefOr<Schema>)>,
    responses: Vec<(String, RefOr<Response>)>,
}

impl std::fmt::Debug for ErrorResponses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn names<T>(components: &[(String, T)]) -> Vec<&str> {
            components.iter().map(|(name, _)| name.as_str()).collect()
        }
        f.debug_struct("ErrorResponses")
            .field("schemas", &names(&self.schemas))
            .field("responses", &names(&self.responses))
            .finish()
    }
}

impl Default for ErrorResponses {
    /// The error responses of an app with the default [`Config`].
    fn default() -> Self {
        Self::build(&Config::default(), Config::default().build().ok().as_ref())
    }
}

impl ErrorResponses {
    /// The error responses of an app with `config`; an error when the app could not start
    /// with it either.
    ///
    /// ```
    /// let responses = denied::utoipa::ErrorResponses::new(&denied::Config::new().realm("api"))?;
    /// # let _ = responses;
    /// # Ok::<(), denied::ConfigError>(())
    /// ```
    pub fn new(config: &Config) -> Result<Self, ConfigError> {
        let settings = config.clone().build()?;
        Ok(Self::build(config, Some(&settings)))
    }

    fn build(config: &Config, settings: Option<&Settings>) -> Self {
        let Some(settings) = settings else {
            return Self {
                schemas: Vec::new(),
                responses: Vec::new(),
            };
        };
        // The format the app sends by default first, then the one a request may choose.
        let mut formats = vec![(settings.format, None)];
        if settings.negotiate {
            let other = match settings.format {
                BodyFormat::Json => BodyFormat::Problem,
                BodyFormat::Problem => BodyFormat::Json,
            };
            formats.push((other, config.clone().format(other).build().ok()));
        }
        let schemas = formats
            .iter()
            .map(|(format, _)| match format {
                BodyFormat::Json => (ErrorBody::name().into_owned(), ErrorBody::schema()),
                BodyFormat::Problem => (
                    ProblemDetails::name().into_owned(),
                    ProblemDetails::schema(),
                ),
            })
            .collect();
        let responses = REFUSALS
            .iter()
            .map(|refusal| {
                let mut response = ResponseBuilder::new().description(refusal.description);
                for (format, other_settings) in &formats {
                    let settings = other_settings.as_ref().unwrap_or(settings);
                    let schema = match format {
                        BodyFormat::Json => ErrorBody::name(),
                        BodyFormat::Problem => ProblemDetails::name(),
                    };
                    let content = ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name(schema)))
                        .example(render_example(&(refusal.example)(settings), Some(settings)))
                        .build();
                    response = response.content(format.content_type(), content);
                }
                for (name, header) in headers(refusal, settings) {
                    response = response.header(name, header);
                }
                (refusal.name.to_owned(), response.build().into())
            })
            .collect();
        Self { schemas, responses }
    }

    /// Adds the components to `document`.
    pub fn apply(&self, document: &mut OpenApi) {
        let components = document
            .components
            .get_or_insert_with(|| ComponentsBuilder::new().build());
        for (name, schema) in &self.schemas {
            components.schemas.insert(name.clone(), schema.clone());
        }
        for (name, response) in &self.responses {
            components.responses.insert(name.clone(), response.clone());
        }
    }
}

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        self.apply(openapi);
    }
}

/// One refusal as documented: its component's name, status, description and example.
struct Refusal {
    name: &'static str,
    status: StatusCode,
    description: &'static str,
    example: fn(&Settings) -> HttpError,
}

const REFUSALS: &[Refusal] = &[
    Refusal {
        name: "BadRequest",
        status: StatusCode::BAD_REQUEST,
        description: "The request is malformed: a body that is not JSON, a parameter of the \
            wrong form, or an `Authorization` header that cannot be read (then with a Bearer \
            `invalid_request` challenge). Fix the request; do not repeat it unchanged.",
        example: |_| HttpError::bad_request(),
    },
    Refusal {
        name: "Unauthorized",
        status: StatusCode::UNAUTHORIZED,
        description: "No valid credentials. Authenticate (refresh the token) and retry once. \
            A Bearer challenge without `error` means no credentials were sent; with \
            `error=\"invalid_token\"`, the token sent is not valid.",
        example: |_| crate::error::Unauthorized::bearer().into(),
    },
    Refusal {
        name: "Forbidden",
        status: StatusCode::FORBIDDEN,
        description: "The credentials are valid but not enough. Final: do not refresh the \
            token and do not retry. `reason` says why; with `insufficient_scope`, \
            `WWW-Authenticate` names the scope the token needs.",
        example: |_| crate::error::Forbidden::missing_role("admin").into(),
    },
    Refusal {
        name: "NotFound",
        status: StatusCode::NOT_FOUND,
        description: "The resource does not exist, or the caller may not know that it \
            exists: a concealed refusal is this very response, byte for byte.",
        example: |_| HttpError::not_found(),
    },
    Refusal {
        name: "MethodNotAllowed",
        status: StatusCode::METHOD_NOT_ALLOWED,
        description: "The path does not route the method asked; `Allow` lists the methods \
            it does. (OpenAPI lists responses per operation, so this one is listed under the \
            path's operations, though it answers the methods the path does not have.)",
        example: |_| HttpError::method_not_allowed([Method::GET, Method::HEAD]),
    },
    Refusal {
        name: "ContentTooLarge",
        status: StatusCode::PAYLOAD_TOO_LARGE,
        description: "The request body is larger than the route reads.",
        example: |_| HttpError::new(ErrorStatus::CONTENT_TOO_LARGE),
    },
    Refusal {
        name: "UnsupportedMediaType",
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
        description: "The request body's `Content-Type` is not one the route reads.",
        example: |_| HttpError::new(ErrorStatus::UNSUPPORTED_MEDIA_TYPE),
    },
    Refusal {
        name: "UnprocessableContent",
        status: StatusCode::UNPROCESSABLE_ENTITY,
        description: "The request body is well-formed but not of the shape the route reads.",
        example: |_| HttpError::unprocessable(),
    },
    Refusal {
        name: "TooManyRequests",
        status: StatusCode::TOO_MANY_REQUESTS,
        description: "Too many requests. Retry once the `Retry-After` delay has passed.",
        example: |_| HttpError::too_many_requests().with_retry_after(Duration::from_secs(30)),
    },
    Refusal {
        name: "InternalServerError",
        status: StatusCode::INTERNAL_SERVER_ERROR,
        description: "The server failed. The body carries a generic sentence and nothing of \
            the cause.",
        example: |_| HttpError::internal(),
    },
    Refusal {
        name: "ServiceUnavailable",
        status: StatusCode::SERVICE_UNAVAILABLE,
        description: "The service cannot answer for now. Retry later: once the \
            `Retry-After` delay has passed, when it is sent.",
        example: |_| HttpError::service_unavailable(),
    },
];

fn header(description: String, example: Option<String>) -> Header {
    HeaderBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .description(Some(description))
        .example(example.map(Value::String))
        .build()
}

/// The headers a refusal comes with, beside `Content-Type`.
fn headers(refusal: &Refusal, settings: &Settings) -> BTreeMap<String, Header> {
    let mut headers = BTreeMap::new();
    let challenge = |challenge: Challenge| {
        challenge
            .to_header_value()
            .ok()
            .and_then(|value| value.to_str().ok().map(str::to_owned))
    };
    match refusal.status {
        StatusCode::UNAUTHORIZED => {
            headers.insert(
                "WWW-Authenticate".to_owned(),
                header(
                    "Always sent: how to authenticate, one challenge per line (RFC 9110 \
                     §11.6.1, RFC 6750 §3)"
                        .to_owned(),
                    challenge(Challenge::bearer(settings.realm.clone())),
                ),
            );
        }
        StatusCode::FORBIDDEN => {
            headers.insert(
                "WWW-Authenticate".to_owned(),
                header(
                    "Sent when the token lacks a scope: a Bearer challenge with \
                     `error=\"insufficient_scope\"` and the `scope` it needs (RFC 6750 §3.1)"
                        .to_owned(),
                    challenge(
                        Challenge::bearer(settings.realm.clone())
                            .with_error(crate::challenge::BearerError::InsufficientScope)
                            .with_scope("reports:export"),
                    ),
                ),
            );
        }
        StatusCode::BAD_REQUEST => {
            headers.insert(
                "WWW-Authenticate".to_owned(),
                header(
                    "Sent when the `Authorization` header cannot be read: a Bearer challenge \
                     with `error=\"invalid_request\"` (RFC 6750 §3.1)"
                        .to_owned(),
                    challenge(
                        Challenge::bearer(settings.realm.clone())
                            .with_error(crate::challenge::BearerError::InvalidRequest),
                    ),
                ),
            );
        }
        StatusCode::NOT_FOUND => {
            headers.insert(
                "Cache-Control".to_owned(),
                header(
                    "Always `no-store`: a concealed 404 must not outlive a change of \
                     permission, and a genuine one looks the same"
                        .to_owned(),
                    Some("no-store".to_owned()),
                ),
            );
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            headers.insert(
                "Allow".to_owned(),
                header(
                    "Always sent: the methods the path routes, such as `GET,HEAD` (RFC 9110 \
                     §10.2.1)"
                        .to_owned(),
                    None,
                ),
            );
        }
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
            headers.insert(
                "Retry-After".to_owned(),
                header(
                    "When to retry: a number of seconds (`0` included) or an HTTP date \
                     (RFC 9110 §10.2.3)"
                        .to_owned(),
                    Some("30".to_owned()),
                ),
            );
        }
        _ => {}
    }
    if settings.names_language() {
        headers.insert(
            "Content-Language".to_owned(),
            header(
                format!(
                    "The language of the sentence: one of {}, as the request's \
                     `Accept-Language` prefers",
                    settings.sent_language_tags().join(", ")
                ),
                settings
                    .base()
                    .content_language
                    .to_str()
                    .ok()
                    .map(str::to_owned),
            ),
        );
    }
    if let Some(name) = &settings.request_id_header {
        headers.insert(
            request_id_header_name(name.as_str()),
            header(
                "The request's own id, sent back when the request carried a valid one (1 to \
                 128 visible ASCII characters)"
                    .to_owned(),
                None,
            ),
        );
    }
    headers
}

/// The documented name of the request id header: the default one as it is usually written.
fn request_id_header_name(name: &str) -> String {
    match name {
        "x-request-id" => "X-Request-Id".to_owned(),
        other => other.to_owned(),
    }
}

macro_rules! refusal_responses {
    ($($(#[$doc:meta])* $name:ident = $status:literal, $component:literal;)*) => {$(
        $(#[$doc])*
        ///
        /// Implements [`IntoResponses`]: list it in a route's `#[utoipa::path(responses(..))]`.
        #[doc = concat!(
            "The route's document then refers to the component `", $component,
            "`, which [`ErrorResponses`] adds."
        )]
        #[derive(Debug, Clone, Copy)]
        pub enum $name {}

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                BTreeMap::from([(
                    $status.to_owned(),
                    RefOr::Ref(Ref::from_response_name($component)),
                )])
            }
        }
    )*};
}

refusal_responses! {
    /// 400: a malformed request.
    BadRequestResponse = "400", "BadRequest";
    /// 401, with its `WWW-Authenticate` challenge.
    UnauthorizedResponse = "401", "Unauthorized";
    /// 403: a final no.
    ForbiddenResponse = "403", "Forbidden";
    /// 404: genuine or concealed, the same response.
    NotFoundResponse = "404", "NotFound";
    /// 405, with `Allow`.
    MethodNotAllowedResponse = "405", "MethodNotAllowed";
    /// 413: a body too large.
    ContentTooLargeResponse = "413", "ContentTooLarge";
    /// 415: a body of a media type the route does not read.
    UnsupportedMediaTypeResponse = "415", "UnsupportedMediaType";
    /// 422: a body of the wrong shape.
    UnprocessableContentResponse = "422", "UnprocessableContent";
    /// 429, with `Retry-After`.
    TooManyRequestsResponse = "429", "TooManyRequests";
    /// 500, with a generic sentence.
    InternalServerErrorResponse = "500", "InternalServerError";
    /// 503, with `Retry-After` when the app sends one.
    ServiceUnavailableResponse = "503", "ServiceUnavailable";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_renders_its_own_status() {
        for refusal in REFUSALS {
            let example = (refusal.example)(&Config::new().build().unwrap());
            assert_eq!(example.status(), refusal.status, "{}", refusal.name);
        }
    }

    #[test]
    fn every_type_refers_to_its_refusals_component_under_its_status() {
        let types = [
            BadRequestResponse::responses(),
            UnauthorizedResponse::responses(),
            ForbiddenResponse::responses(),
            NotFoundResponse::responses(),
            MethodNotAllowedResponse::responses(),
            ContentTooLargeResponse::responses(),
            UnsupportedMediaTypeResponse::responses(),
            UnprocessableContentResponse::responses(),
            TooManyRequestsResponse::responses(),
            InternalServerErrorResponse::responses(),
            ServiceUnavailableResponse::responses(),
        ];
        assert_eq!(types.len(), REFUSALS.len());
        for refusal in REFUSALS {
            let status = refusal.status.as_str();
            let reference = format!("#/components/responses/{}", refusal.name);
            let found = types.iter().any(|responses| {
                responses.len() == 1
                    && matches!(
                        responses.get(status),
                        Some(RefOr::Ref(found)) if found.ref_location == reference
                    )
            });
            assert!(found, "no type gives {status} -> {reference}");
        }
    }
}
