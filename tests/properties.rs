//! Property tests: whatever text the crate is given, bodies stay valid JSON that gives the text
//! back, and challenges either parse by RFC 9110 / RFC 6750 with the value unchanged or leave
//! the value out. Nothing panics.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use denied::client::Guidance;
use denied::{BearerError, Challenge, Forbidden, HttpError, Unauthorized};
use proptest::prelude::*;
use support::{check_bearer, check_body, parse_challenges, reply_of, Format};

/// Any string, with the characters that break headers and JSON well represented.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,40}",
        "[\"\\\\\r\n\t\u{0}\u{7f}a-z ,=;:]{0,30}",
    ]
}

fn single_challenge(challenge: &Challenge) -> Option<support::ParsedChallenge> {
    let value = challenge.to_header_value().ok()?;
    let text = value.to_str().expect("a sent challenge is visible ASCII");
    let mut parsed = parse_challenges(text).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(parsed.len(), 1);
    let parsed = parsed.remove(0);
    check_bearer(&parsed).unwrap_or_else(|error| panic!("{error}"));
    Some(parsed)
}

proptest! {
    #[test]
    fn any_message_gives_valid_json_that_carries_it_exactly(message in hostile_text()) {
        let reply = reply_of(Forbidden::new().with_message(message.clone()).render());
        prop_assert_eq!(reply.status, 403);
        prop_assert_eq!(check_body(&reply, Format::Json), message);
    }

    #[test]
    fn any_realm_is_carried_unchanged_or_refused(realm in hostile_text()) {
        for challenge in [Challenge::bearer(realm.clone()), Challenge::basic(realm.clone())] {
            match single_challenge(&challenge) {
                Some(parsed) => {
                    prop_assert_eq!(parsed.params.get("realm"), Some(&(realm.clone(), true)));
                    prop_assert!(challenge.validate().is_ok());
                }
                None => prop_assert!(challenge.validate().is_err()),
            }
        }
        let reply = reply_of(Unauthorized::bearer(realm).render());
        prop_assert!(reply.status == 401 || reply.status == 500);
        for line in reply.headers_named("www-authenticate") {
            prop_assert!(parse_challenges(line).is_ok());
        }
    }

    #[test]
    fn any_scope_is_carried_unchanged_or_left_out(scope in hostile_text()) {
        let challenge = Challenge::bearer("api")
            .with_error(BearerError::InsufficientScope)
            .with_scope(scope.clone());
        let parsed = single_challenge(&challenge).expect("the realm is valid");
        match parsed.param("scope") {
            Some(sent) => prop_assert_eq!(sent, scope.as_str()),
            None => prop_assert!(challenge.validate().is_err()),
        }
        let reply = reply_of(Forbidden::missing_scope(scope.clone()).with_realm("api").render());
        prop_assert_eq!(reply.status, 403);
        let body = reply.json();
        prop_assert_eq!(body["scope"].as_str(), Some(scope.as_str()));
    }

    #[test]
    fn any_description_is_carried_unchanged_or_left_out(description in hostile_text()) {
        let challenge = Challenge::bearer("api")
            .with_error(BearerError::InvalidToken)
            .with_description(description.clone());
        let parsed = single_challenge(&challenge).expect("the realm is valid");
        match parsed.param("error_description") {
            Some(sent) => prop_assert_eq!(sent, description.as_str()),
            None => prop_assert!(challenge.validate().is_err()),
        }
    }

    #[test]
    fn any_custom_parameter_is_carried_unchanged_or_left_out(
        name in hostile_text(),
        value in hostile_text(),
    ) {
        let challenge = Challenge::new("Custom").with_param(name.clone(), value.clone());
        if let Some(parsed) = single_challenge(&challenge) {
            match parsed.param(&name.to_ascii_lowercase()) {
                Some(sent) => prop_assert_eq!(sent, value.as_str()),
                None => prop_assert!(challenge.validate().is_err()),
            }
        }
    }

    #[test]
    fn any_bytes_as_a_body_give_guidance_or_a_clear_error(
        status in 100u16..600,
        body in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let status = http::StatusCode::from_u16(status).unwrap();
        let guidance = Guidance::read(status, &http::HeaderMap::new(), Some(&body));
        if guidance.body().is_none() && !body.is_empty() {
            prop_assert!(guidance.body_error().is_some());
        }
    }

    #[test]
    fn any_status_with_any_text_renders_without_panicking(
        status in 0u16..1000,
        text in hostile_text(),
    ) {
        if let Ok(status) = http::StatusCode::from_u16(status) {
            let reply = reply_of(HttpError::new(status).with_message(text).render());
            prop_assert!((400..600).contains(&reply.status));
            let body = reply.json();
            prop_assert_eq!(body["status"].as_u64(), Some(u64::from(reply.status)));
            prop_assert!(body["error"].is_string() && body["message"].is_string());
        }
    }
}
