//! Feature `tracing`: every rendered error emits one event on target `denied` with what an
//! operator needs, hidden causes included; the client's bytes do not change. Events are caught
//! by a subscriber written here, not by the crate.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use denied::{Forbidden, HttpError, Unauthorized};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

#[derive(Debug, Clone)]
struct Captured {
    level: Level,
    target: String,
    fields: BTreeMap<String, String>,
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Captured>>>);

impl Capture {
    /// The events on the crate's target, caught so far.
    fn crate_events(&self) -> Vec<Captured> {
        let events = self.0.lock().unwrap();
        events
            .iter()
            .filter(|event| event.target == "denied")
            .cloned()
            .collect()
    }
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().push(Captured {
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            fields,
        });
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// Renders `error` under a capturing subscriber: the crate's events, and the response.
fn rendered(error: HttpError) -> (Vec<Captured>, denied::http::Response<bytes::Bytes>) {
    let capture = Capture::default();
    let response = tracing::subscriber::with_default(capture.clone(), || error.render());
    (capture.crate_events(), response)
}

fn one(events: &[Captured]) -> &Captured {
    assert_eq!(events.len(), 1, "one event per rendered error: {events:?}");
    &events[0]
}

#[test]
fn a_refusal_is_an_info_event_with_its_reason() {
    let (events, _) = rendered(Forbidden::missing_role("admin").into());
    let event = one(&events);
    assert_eq!(event.level, Level::INFO);
    assert_eq!(event.fields["status"], "403");
    assert_eq!(event.fields["reason"], "missing_role");
    assert_eq!(event.fields["reason_detail"], "admin");
    assert_eq!(event.fields["concealed"], "false");
    assert!(
        !event.fields.contains_key("method"),
        "no request, no method"
    );
}

#[test]
fn a_500_is_an_error_event_with_its_hidden_source_and_the_client_sees_none_of_it() {
    let cause = std::io::Error::other("connection to db-primary refused (password=hunter2)");
    let (events, response) = rendered(HttpError::internal().with_source(cause));
    let event = one(&events);
    assert_eq!(event.level, Level::ERROR);
    assert_eq!(event.fields["status"], "500");
    assert!(event.fields["source"].contains("hunter2"), "{event:?}");
    assert!(!String::from_utf8_lossy(response.body()).contains("hunter2"));
    // The client's bytes are those of the same error rendered with no subscriber.
    let quiet = HttpError::internal()
        .with_source(std::io::Error::other("x"))
        .render();
    assert_eq!(response.body(), quiet.body());
    assert_eq!(response.headers(), quiet.headers());
}

#[test]
fn a_concealed_refusal_says_so_to_the_operator_only() {
    let (events, response) = rendered(Forbidden::not_owner().conceal());
    let event = one(&events);
    assert_eq!(event.level, Level::INFO);
    assert_eq!(event.fields["status"], "404");
    assert_eq!(event.fields["concealed"], "true");
    assert_eq!(event.fields["reason"], "not_owner");
    let (_, genuine) = rendered(HttpError::not_found());
    assert_eq!(response.body(), genuine.body());
}

#[test]
fn a_bearer_refusal_carries_its_error_code_and_description() {
    let (events, _) = rendered(
        Unauthorized::invalid_token("the token expired")
            .with_realm("api")
            .into(),
    );
    let event = one(&events);
    assert_eq!(event.level, Level::INFO);
    assert_eq!(event.fields["bearer_error"], "invalid_token");
    assert_eq!(
        event.fields["bearer_error_description"],
        "the token expired"
    );
}

#[test]
fn other_statuses_are_debug_events_with_their_note() {
    let (events, _) = rendered(HttpError::bad_request().with_note("the query: no `after`"));
    let event = one(&events);
    assert_eq!(event.level, Level::DEBUG);
    assert_eq!(event.fields["note"], "the query: no `after`");
}

#[test]
fn under_a_layer_the_event_names_the_request() {
    use tower::ServiceExt;
    let capture = Capture::default();
    tracing::subscriber::with_default(capture.clone(), || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let router: axum::Router = axum::Router::new().route(
                "/reports",
                axum::routing::get(|| async { Err::<(), HttpError>(Forbidden::new().into()) }),
            );
            let app = denied::axum::ErrorService::new(router);
            let request = axum::http::Request::get("/reports?x=1")
                .header("x-request-id", "req-9")
                .body(axum::body::Body::empty())
                .unwrap();
            let response = app.oneshot(request).await.unwrap();
            assert_eq!(response.status(), 403);
        });
    });
    let events = capture.crate_events();
    let event = one(&events);
    assert_eq!(event.fields["method"], "GET");
    assert_eq!(event.fields["path"], "/reports");
    assert_eq!(event.fields["request_id"], "req-9");
}
