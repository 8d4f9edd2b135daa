//! The error types follow the Rust API Guidelines: `Error + Send + Sync + 'static`, `Debug`,
//! and a lower-case `Display` without trailing punctuation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::error::Error;

use denied::{Challenge, Forbidden, HttpError, Unauthorized};

fn assert_error<T: Error + Send + Sync + 'static>() {}

#[test]
fn every_error_type_is_a_thread_safe_std_error() {
    assert_error::<HttpError>();
    assert_error::<Forbidden>();
    assert_error::<Unauthorized>();
    assert_error::<denied::InvalidChallenge>();
    assert_error::<denied::BodyError>();
    assert_error::<denied::ConfigError>();
    assert_error::<denied::UnknownBodyFormat>();
}

#[test]
fn display_is_lower_case_without_trailing_punctuation() {
    let errors: Vec<Box<dyn Error>> = vec![
        Box::new(Forbidden::missing_role("admin")),
        Box::new(Forbidden::not_owner().conceal()),
        Box::new(Unauthorized::bearer().with_realm("api")),
        Box::new(HttpError::internal().with_note("pool exhausted")),
        Box::new(Challenge::bearer("a\nb").validate().unwrap_err()),
        Box::new("xml".parse::<denied::BodyFormat>().unwrap_err()),
        Box::new(denied::ErrorBody::from_slice(b"{").unwrap_err()),
    ];
    for error in errors {
        let text = error.to_string();
        let first = text.chars().next().unwrap();
        assert!(!first.is_uppercase(), "{text:?} starts upper-case");
        assert!(
            !text.ends_with(['.', '!', '?']),
            "{text:?} ends with punctuation"
        );
    }
}

#[test]
fn the_guessable_constructors_send_what_the_typed_refusals_send() {
    assert_eq!(
        HttpError::forbidden().render().body(),
        Forbidden::new().render().body()
    );
    let challenge = Challenge::bearer("api").with_error(denied::BearerError::InvalidRequest);
    let general = HttpError::unauthorized(challenge.clone()).render();
    let typed = Unauthorized::new(challenge).render();
    assert_eq!(general.status(), 400);
    assert_eq!(general.status(), typed.status());
    assert_eq!(general.headers(), typed.headers());
    assert_eq!(general.body(), typed.body());
}
