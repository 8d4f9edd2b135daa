//! The `utoipa` feature: the OpenAPI document of the demo app (`examples/openapi.rs`) is a
//! valid OpenAPI 3.1 document (read by `oas3`, every reference resolved, every schema a valid
//! JSON Schema), and every error the app really sends, over a loopback socket, is one the
//! document lists for its route: its status, its content type, a body valid against the
//! documented schema (checked by `jsonschema`) and its headers. Errors rendered with every
//! option the crate has are checked against the schemas too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use denied::http::Method;
use denied::{BodyFormat, Config, ErrorBody, Forbidden, HttpError, ProblemDetails, Reason};
use serde_json::Value;
use support::contract::{self, Call};
use support::{Demo, Format, Reply};
use utoipa::PartialSchema;

/// The app's routes, as the document names them.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/me"),
    ("GET", "/admin/reports"),
    ("GET", "/reports/export"),
    ("GET", "/repos/{name}"),
    ("POST", "/orders"),
    ("GET", "/orders/{id}"),
    ("GET", "/boom"),
    ("GET", "/panic"),
    ("GET", "/slow-down"),
];

/// The documented route a request's path falls on: the route whose template matches it, for
/// any method (a 405 is documented on the route the path has).
fn route_of(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').collect();
    ROUTES
        .iter()
        .map(|(_, template)| *template)
        .find(|template| {
            let parts: Vec<&str> = template.split('/').collect();
            parts.len() == segments.len()
                && parts
                    .iter()
                    .zip(&segments)
                    .all(|(part, segment)| part.starts_with('{') || part == segment)
        })
}

fn fetch_document(demo: &Demo) -> Value {
    let reply = demo.get("/openapi.json", None);
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json()
}

/// The value a `$ref` such as `#/components/responses/Forbidden` points to.
fn resolve<'a>(document: &'a Value, reference: &str) -> &'a Value {
    let pointer = reference
        .strip_prefix('#')
        .unwrap_or_else(|| panic!("not a local reference: {reference}"));
    document
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{reference} points nowhere"))
}

fn resolved<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => resolve(document, reference),
        None => value,
    }
}

/// Every `$ref` anywhere in `value`.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(members) => {
            for (name, member) in members {
                match (name.as_str(), member) {
                    ("$ref", Value::String(reference)) => found.push(reference.clone()),
                    _ => references(member, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

fn check_document_is_valid(document: &Value) {
    let text = serde_json::to_string(document).unwrap();
    let spec = oas3::from_json(&text).expect("an OpenAPI 3.1 document oas3 reads");
    let version = spec.validate_version().expect("a supported version");
    assert_eq!((version.major, version.minor), (3, 1));
    let mut found = Vec::new();
    references(document, &mut found);
    assert!(
        found.len() > 20,
        "the routes refer to the components: {found:?}"
    );
    for reference in &found {
        resolve(document, reference);
    }
    for (name, schema) in document["components"]["schemas"].as_object().unwrap() {
        jsonschema::meta::validate(schema)
            .unwrap_or_else(|error| panic!("schema {name} is not valid JSON Schema: {error}"));
    }
    for (method, route) in ROUTES {
        let operation = &document["paths"][route][method.to_ascii_lowercase()];
        assert!(operation.is_object(), "{method} {route} is documented");
    }
}

/// The headers a refusal carries that a client acts on, and so must be documented.
const NOTABLE_HEADERS: &[&str] = &[
    "www-authenticate",
    "allow",
    "retry-after",
    "content-language",
    "cache-control",
    "x-request-id",
];

/// Checks that `reply`, an answer to `method` on `path`, is what the document says.
fn check_reply_is_documented(document: &Value, method: &str, path: &str, reply: &Reply) {
    let context = format!("{method} {path}: {reply:?}");
    let Some(route) = route_of(path) else {
        return;
    };
    // A 405 answers a method the route does not have: it is documented on the route's own.
    let operation_method = if reply.status == 405 {
        ROUTES.iter().find(|(_, known)| *known == route).unwrap().0
    } else {
        method
    };
    let operation = &document["paths"][route][operation_method.to_ascii_lowercase()];
    let response = &operation["responses"][reply.status.to_string()];
    assert!(
        response.is_object(),
        "status {} is not documented for {operation_method} {route}: {context}",
        reply.status
    );
    let response = resolved(document, response);
    let content_type = reply.header("content-type").expect("a content type");
    let content = &response["content"][content_type];
    assert!(
        content.is_object(),
        "{content_type} is not documented for {}: {context}",
        reply.status
    );
    if method != "HEAD" {
        let schema = resolved(document, &content["schema"]);
        let body: Value = serde_json::from_slice(&reply.body).expect("a JSON body");
        let validator = jsonschema::validator_for(schema).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}: {context}");
    }
    let documented = response["headers"].as_object().cloned().unwrap_or_default();
    for name in NOTABLE_HEADERS {
        if reply.headers_named(name).next().is_some() {
            assert!(
                documented.keys().any(|key| key.eq_ignore_ascii_case(name)),
                "{name} is sent but not documented for {}: {context}",
                reply.status
            );
        }
    }
    for (name, header) in &documented {
        let always = header["description"]
            .as_str()
            .is_some_and(|text| text.starts_with("Always"));
        if always {
            assert!(
                reply
                    .headers_named(&name.to_ascii_lowercase())
                    .next()
                    .is_some(),
                "{name} is documented as always sent: {context}"
            );
        }
    }
}

/// Requests that add what the request context changes: an id, a language, a format asked for.
fn context_calls() -> Vec<Call> {
    let with = |target: &str, headers: Vec<(&'static str, &[u8])>| Call {
        method: "GET",
        target: target.to_owned(),
        headers: headers
            .into_iter()
            .map(|(name, value)| (name, value.to_vec()))
            .collect(),
        body: None,
        expect: contract::Expect::Error(0),
    };
    let good: (&str, &[u8]) = ("Authorization", b"Bearer good");
    vec![
        with("/me", vec![("X-Request-Id", b"req-1")]),
        with("/admin/reports", vec![good, ("Accept-Language", b"de")]),
        with(
            "/admin/reports",
            vec![good, ("Accept", b"application/problem+json")],
        ),
        with(
            "/admin/reports",
            vec![good, ("Accept", b"application/json")],
        ),
        with("/repos/secret", vec![good, ("X-Request-Id", b"req-2")]),
        with("/repos/secret", vec![("Authorization", b"Bearer expired")]),
        with("/repos/secret", vec![("Authorization", b"Bearer a b")]),
        with("/orders/7", vec![good, ("Accept-Language", b"de")]),
        with("/slow-down?after=0", vec![("X-Request-Id", b"req-3")]),
        with("/reports/export?scope=a%20b", vec![good]),
    ]
}

#[test]
fn the_demo_document_is_valid_and_lists_every_error_the_app_sends() {
    for format in Format::ALL {
        let demo = Demo::start("openapi", format);
        let document = fetch_document(&demo);
        check_document_is_valid(&document);
        let mut checked = 0;
        for ((target, _), reply) in contract::check(&demo, format) {
            let path = target.split('?').next().unwrap();
            if reply.status >= 400 {
                check_reply_is_documented(&document, "GET", path, &reply);
                checked += 1;
            }
        }
        for (call, reply) in contract::check_shape(&demo, format) {
            let path = call.target.split('?').next().unwrap().to_owned();
            if reply.status >= 400 {
                check_reply_is_documented(&document, call.method, &path, &reply);
                checked += 1;
            }
        }
        for call in context_calls() {
            let reply = demo.call(&call);
            assert!(reply.status >= 400, "{call:?}: {reply:?}");
            let path = call.target.split('?').next().unwrap();
            check_reply_is_documented(&document, "GET", path, &reply);
            checked += 1;
        }
        assert!(checked > 40, "only {checked} errors checked");
    }
}

#[test]
fn the_contract_holds_for_the_documented_demo() {
    contract::check_example("openapi");
}

/// The status and component each refusal type documents, as a route refers to them.
fn component_statuses() -> Vec<(String, String)> {
    use denied::utoipa::*;
    use utoipa::IntoResponses;
    [
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
    ]
    .into_iter()
    .flatten()
    .map(|(status, response)| {
        let reference = serde_json::to_value(response).unwrap()["$ref"]
            .as_str()
            .unwrap()
            .to_owned();
        (status, reference)
    })
    .collect()
}

/// Every way the crate can fill a body, in both formats.
fn every_kind_of_error() -> Vec<HttpError> {
    vec![
        HttpError::not_found(),
        Forbidden::missing_role("admin").into(),
        Forbidden::missing_scope("reports:export").into(),
        Forbidden::not_owner()
            .with_message("Ce dépôt n'est pas à vous")
            .into(),
        Forbidden::new()
            .with_reason(Reason::Custom("out of stock".into()))
            .into(),
        Forbidden::not_owner().conceal(),
        HttpError::too_many_requests()
            .with_retry_after(Duration::from_secs(0))
            .with_member("retry_after", 0),
        HttpError::method_not_allowed([Method::GET, Method::HEAD]),
        HttpError::new(denied::ErrorStatus::GONE)
            .with_type("https://example.com/problems/gone")
            .with_instance("/orders/7")
            .with_member("plan", "free"),
        HttpError::internal().with_exposed_message("The disk is full"),
        HttpError::conflict().with_member("nested", serde_json::json!({"a": [1, {"b": null}]})),
    ]
}

/// The body of `error` as an axum app with `config` sends it, to a request with an id.
async fn rendered_by_an_app(config: &Config, error: usize) -> Reply {
    use axum::routing::get;
    use tower::ServiceExt;
    use tower_layer::Layer;

    let app = axum::Router::new().route(
        "/errors/{index}",
        get(
            |axum::extract::Path(index): axum::extract::Path<usize>| async move {
                every_kind_of_error().swap_remove(index)
            },
        ),
    );
    let app = denied::axum::ErrorLayer::with_config(config.clone())
        .unwrap()
        .layer(app);
    let request = axum::http::Request::get(format!("/errors/{error}"))
        .header("x-request-id", "req-9")
        .body(axum::body::Body::empty())
        .unwrap();
    support::axum_reply(app.oneshot(request).await.unwrap()).await
}

#[tokio::test]
async fn errors_with_every_option_match_their_schema() {
    for format in [BodyFormat::Json, BodyFormat::Problem] {
        let config = Config::new()
            .format(format)
            .problem_type_base("https://example.com/problems/")
            .instance_from_path(true);
        let mut document = utoipa::openapi::OpenApi::default();
        denied::utoipa::ErrorResponses::new(&config)
            .unwrap()
            .apply(&mut document);
        let document = serde_json::to_value(&document).unwrap();
        let (name, content_type) = match format {
            BodyFormat::Json => ("ErrorBody", "application/json"),
            _ => ("ProblemDetails", "application/problem+json"),
        };
        let schema = &document["components"]["schemas"][name];
        let validator = jsonschema::validator_for(schema).unwrap();
        for index in 0..every_kind_of_error().len() {
            let reply = rendered_by_an_app(&config, index).await;
            assert_eq!(reply.header("content-type"), Some(content_type));
            let body = reply.json();
            // The request's id, or the error's own `request_id` member, which wins.
            assert!(body["request_id"].is_string(), "{body}");
            let errors: Vec<String> = validator
                .iter_errors(&body)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{errors:?}: {body}");
        }
        // The examples the document shows are bodies the crate rendered: valid, and of the
        // status the routes list their component under.
        let responses = document["components"]["responses"].as_object().unwrap();
        assert_eq!(responses.len(), 11);
        for (status, reference) in component_statuses() {
            let name = reference.rsplit('/').next().unwrap();
            let example = &responses[name]["content"][content_type]["example"];
            assert!(validator.is_valid(example), "{name}: {example}");
            assert_eq!(example["status"].to_string(), status, "{name}: {example}");
        }
    }
}

#[test]
fn a_body_the_crate_does_not_send_is_refused_by_the_schemas() {
    let flat =
        jsonschema::validator_for(&serde_json::to_value(ErrorBody::schema()).unwrap()).unwrap();
    let problem =
        jsonschema::validator_for(&serde_json::to_value(ProblemDetails::schema()).unwrap())
            .unwrap();
    for wrong in [
        serde_json::json!({"error": "Forbidden", "message": "No"}),
        serde_json::json!({"error": "Forbidden", "message": "No", "status": "403"}),
        serde_json::json!({"error": "Forbidden", "message": "No", "status": 200}),
        serde_json::json!({"error": 403, "message": "No", "status": 403}),
        serde_json::json!({"error": "Forbidden", "message": "No", "status": 403, "reason": 1}),
    ] {
        assert!(!flat.is_valid(&wrong), "{wrong}");
    }
    for wrong in [
        serde_json::json!({"title": "Forbidden", "status": 403, "detail": "No"}),
        serde_json::json!({"type": "about:blank", "title": "Forbidden", "status": 403}),
        serde_json::json!({"type": "about:blank", "title": "Forbidden", "status": 99, "detail": "No"}),
    ] {
        assert!(!problem.is_valid(&wrong), "{wrong}");
    }
}
