//! Each rule the core renders by, checked on the rendered response with the test's own
//! parsers: challenges as RFC 9110 §11.6.1 and RFC 6750 §3 write them, `Retry-After` (RFC 9110
//! §10.2.3) and `Allow` (§10.2.1), a concealed 403 as the 404 of RFC 9110 §15.5.4, and the
//! crate's documented JSON body.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::error::Error as _;
use std::time::{Duration, SystemTime};

use denied::{BearerError, Challenge, ErrorStatus, Forbidden, HttpError, Unauthorized};
use http::{Method, StatusCode};
use support::{challenges_of, check_body, is_imf_fixdate, reply_of, Format, Reply};

fn reply(error: impl Into<HttpError>) -> Reply {
    reply_of(error.into().render())
}

#[test]
fn the_default_403_body_is_exactly_the_documented_one() {
    let reply = reply(Forbidden::new());
    assert_eq!(reply.status, 403);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(
        reply.json(),
        serde_json::json!({
            "error": "Forbidden",
            "message": "You do not have permission to access this resource",
            "status": 403
        })
    );
    let keys: Vec<_> = reply.json().as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys.len(), 3);
}

#[test]
fn every_401_the_crate_builds_carries_a_challenge() {
    let refusals = [
        Unauthorized::bearer().with_realm("example"),
        Unauthorized::invalid_token("expired").with_realm("example"),
        Unauthorized::basic().with_realm("example"),
        // A bare Bearer challenge is sent in the app's realm.
        Unauthorized::new(Challenge::new("Bearer")),
        Unauthorized::new(Challenge::new("Negotiate").with_token68("YII=")),
        Unauthorized::new(Challenge::new("DPoP").with_param("algs", "ES256")),
    ];
    for refusal in refusals {
        let reply = reply(refusal);
        assert_eq!(reply.status, 401);
        assert!(!challenges_of(&reply).is_empty(), "{reply:?}");
    }
}

#[test]
fn a_401_without_a_usable_challenge_is_never_sent() {
    // The general constructor refuses a 401: it could not carry the challenge.
    assert!(ErrorStatus::try_from(StatusCode::UNAUTHORIZED).is_err());
    let attempts: [HttpError; 3] = [
        Unauthorized::bearer().with_realm("bad\r\nrealm").into(),
        Unauthorized::new(Challenge::new("not a token")).into(),
        Unauthorized::new(Challenge::new("Negotiate").with_token68("not token68!")).into(),
    ];
    for error in attempts {
        assert_eq!(
            error.status(),
            500,
            "status() agrees with what is sent: {error}"
        );
        let reply = reply(error);
        assert_ne!(reply.status, 401, "{reply:?}");
        assert_eq!(reply.status, 500);
        assert_eq!(reply.headers_named("www-authenticate").count(), 0);
    }
}

#[test]
fn realm_is_always_a_quoted_string_and_escapes_round_trip() {
    for realm in ["example", "", "two words", r#"a "quoted" \ realm"#] {
        for refusal in [
            Unauthorized::bearer().with_realm(realm),
            Unauthorized::basic().with_realm(realm),
        ] {
            let challenges = challenges_of(&reply(refusal));
            assert_eq!(
                challenges[0].params.get("realm"),
                Some(&(realm.to_owned(), true))
            );
        }
    }
}

#[test]
fn a_parameter_name_occurs_at_most_once() {
    let challenge = Challenge::bearer("one")
        .with_realm("two")
        .with_param("Realm", "three")
        .with_error(BearerError::InvalidToken)
        .with_error(BearerError::InvalidRequest);
    let reply = reply(Unauthorized::new(challenge));
    // The parser refuses repeated names, so parsing is the check.
    let challenges = challenges_of(&reply);
    assert_eq!(challenges[0].param("realm"), Some("three"));
    assert_eq!(challenges[0].param("error"), Some("invalid_request"));
}

#[test]
fn several_challenges_go_on_separate_lines() {
    let refusal = Unauthorized::bearer()
        .with_realm("api")
        .with_challenge(Challenge::basic("api").with_utf8_charset())
        .with_challenge(Challenge::new("Negotiate").with_token68("abc=="));
    let reply = reply(refusal);
    assert_eq!(reply.headers_named("www-authenticate").count(), 3);
    let challenges = challenges_of(&reply);
    let schemes: Vec<_> = challenges.iter().map(|c| c.scheme.as_str()).collect();
    assert_eq!(schemes, ["Bearer", "Basic", "Negotiate"]);
    assert_eq!(challenges[1].param("charset"), Some("UTF-8"));
    assert_eq!(challenges[2].token68.as_deref(), Some("abc=="));
}

#[test]
fn bearer_error_codes_answer_with_their_status() {
    let cases: [(HttpError, u16, &str); 2] = [
        (
            HttpError::malformed_credentials("two tokens"),
            400,
            "invalid_request",
        ),
        (
            Unauthorized::invalid_token("expired")
                .with_realm("api")
                .into(),
            401,
            "invalid_token",
        ),
    ];
    for (refusal, status, code) in cases {
        let reply = reply(refusal);
        assert_eq!(reply.status, status);
        assert_eq!(challenges_of(&reply)[0].param("error"), Some(code));
    }
    let reply = reply(Forbidden::missing_scope("admin:write").with_realm("api"));
    assert_eq!(reply.status, 403);
    let challenge = &challenges_of(&reply)[0];
    assert_eq!(challenge.param("error"), Some("insufficient_scope"));
    assert_eq!(challenge.param("scope"), Some("admin:write"));
    assert_eq!(challenge.param("realm"), Some("api"));
}

#[test]
fn a_request_without_credentials_gets_no_error_code() {
    let challenges = challenges_of(&reply(Unauthorized::bearer().with_realm("api")));
    assert_eq!(challenges[0].param("error"), None);
    assert_eq!(challenges[0].param("realm"), Some("api"));
}

#[test]
fn bearer_text_outside_rfc_6750_is_left_out_never_sent_raw() {
    for description in ["has \"quote\"", "back\\slash", "new\nline", "naïve"] {
        let refusal = Unauthorized::invalid_token(description).with_realm("api");
        let reply = reply(refusal);
        assert_eq!(reply.status, 401);
        let challenge = &challenges_of(&reply)[0];
        assert_eq!(
            challenge.param("error_description"),
            None,
            "{description:?}"
        );
        assert_eq!(challenge.param("error"), Some("invalid_token"));
    }
}

#[test]
fn forbidden_is_not_a_challenge_and_carries_its_reason() {
    let cases = [
        (
            Forbidden::missing_role("admin"),
            "missing_role",
            Some(("role", "admin")),
        ),
        (Forbidden::not_owner(), "not_owner", None),
        (Forbidden::blocked_by_policy(), "blocked_by_policy", None),
        (
            Forbidden::new().with_reason(denied::Reason::Custom("plan_limit".into())),
            "plan_limit",
            None,
        ),
    ];
    for (refusal, code, detail) in cases {
        let reply = reply(refusal);
        assert_eq!(reply.status, 403);
        assert_eq!(reply.headers_named("www-authenticate").count(), 0);
        check_body(&reply, Format::Json);
        let body = reply.json();
        assert_eq!(body["reason"], code);
        if let Some((member, value)) = detail {
            assert_eq!(body[member], value);
        }
    }
}

#[test]
fn a_concealed_403_is_the_genuine_404_byte_for_byte() {
    let genuine = HttpError::not_found().render();
    let concealed_refusals = [
        Forbidden::new(),
        Forbidden::missing_role("admin").with_message("custom text"),
        Forbidden::missing_scope("repo").with_realm("api"),
        Forbidden::not_owner().with_note("repo 42 belongs to bob"),
    ];
    for refusal in concealed_refusals {
        let concealed = refusal.conceal().render();
        assert_eq!(concealed.status(), genuine.status());
        assert_eq!(concealed.headers(), genuine.headers());
        assert_eq!(concealed.body(), genuine.body());
    }
}

#[test]
fn the_concealed_reason_stays_available_for_logs() {
    let concealed = Forbidden::missing_role("admin").conceal();
    assert_eq!(concealed.status(), 404);
    let hidden = concealed.concealed().expect("the concealed refusal");
    assert_eq!(
        hidden.reason().map(denied::Reason::code),
        Some("missing_role")
    );
    let source = concealed.source().expect("the refusal is the source");
    assert!(source.to_string().contains("missing_role"));
}

#[test]
fn every_404_has_the_same_cache_policy_and_401_403_have_none() {
    let genuine = reply(HttpError::not_found());
    let concealed = reply(Forbidden::new().conceal());
    assert_eq!(genuine.header("cache-control"), Some("no-store"));
    assert_eq!(
        concealed.header("cache-control"),
        genuine.header("cache-control")
    );
    assert_eq!(reply(Forbidden::new()).header("cache-control"), None);
    assert_eq!(
        reply(Unauthorized::bearer().with_realm("a")).header("cache-control"),
        None
    );
}

#[test]
fn retry_after_zero_is_sent_and_dates_are_imf_fixdate() {
    let zero = reply(HttpError::too_many_requests().with_retry_after(Duration::ZERO));
    assert_eq!(zero.header("retry-after"), Some("0"));
    let now = SystemTime::now();
    for error in [
        HttpError::service_unavailable().with_retry_after(now),
        HttpError::too_many_requests().with_retry_after(now + Duration::from_secs(3600)),
    ] {
        let reply = reply(error);
        let date = reply.header("retry-after").expect("retry-after");
        assert!(is_imf_fixdate(date), "{date:?} is not an IMF-fixdate");
    }
}

#[test]
fn method_not_allowed_lists_the_allowed_methods() {
    let reply = reply(HttpError::method_not_allowed([Method::GET, Method::POST]));
    assert_eq!(reply.status, 405);
    // RFC 9110 §5.6.1: a list of tokens separated by commas and optional whitespace.
    let allowed: Vec<_> = reply
        .header("allow")
        .unwrap()
        .split(',')
        .map(|method| method.trim_matches([' ', '\t']))
        .collect();
    assert_eq!(allowed, ["GET", "POST"]);
    check_body(&reply, Format::Json);
}

#[test]
fn every_common_status_has_the_documented_body_shape() {
    let errors = [
        HttpError::bad_request(),
        HttpError::not_found(),
        HttpError::conflict(),
        HttpError::unprocessable(),
        HttpError::too_many_requests(),
        HttpError::internal(),
        HttpError::service_unavailable(),
        Forbidden::new().into(),
        Unauthorized::bearer().with_realm("a").into(),
    ];
    for error in errors {
        let reply = reply(error);
        let message = check_body(&reply, Format::Json);
        assert!(!message.is_empty());
        assert!(!reply.header("content-type").unwrap().contains("charset"));
    }
}

#[test]
fn no_body_carries_a_hidden_cause_for_any_status() {
    const SECRET: &str = "connection to db-primary refused (password=hunter2)";
    for code in 400..=599 {
        // The statuses that need a header of their own are built otherwise (see the 401 and
        // 405 tests); every other one here.
        let Ok(status) = ErrorStatus::try_from(StatusCode::from_u16(code).unwrap()) else {
            continue;
        };
        let errors = [
            HttpError::new(status).with_source(std::io::Error::other(SECRET)),
            HttpError::new(status).with_note(SECRET),
        ];
        for error in errors {
            let debug = format!("{error:?}");
            let reply = reply(error);
            let body = String::from_utf8(reply.body.clone()).unwrap();
            assert!(!body.contains("hunter2"), "{code}: {body}");
            assert!(!body.contains(&debug));
            assert!(reply
                .headers
                .iter()
                .all(|(_, value)| !value.contains("hunter2")));
        }
    }
}

#[test]
fn a_5xx_sends_the_generic_message_unless_exposed() {
    let withheld = reply(HttpError::internal().with_message("pool db-primary exhausted"));
    assert_eq!(
        check_body(&withheld, Format::Json),
        "An internal error occurred"
    );
    let exposed = reply(HttpError::service_unavailable().with_exposed_message("Back at 14:00"));
    assert_eq!(check_body(&exposed, Format::Json), "Back at 14:00");
}

#[test]
fn a_status_that_is_not_an_error_is_refused_by_the_general_constructor() {
    for code in [100, 200, 204, 301, 304] {
        let status = StatusCode::from_u16(code).unwrap();
        let refused = ErrorStatus::try_from(status).unwrap_err();
        assert_eq!(refused.status(), status);
    }
}

#[test]
fn the_body_type_reads_back_what_the_server_wrote() {
    let response = Forbidden::missing_role("admin")
        .with_message("Nope")
        .render();
    let body = denied::ErrorBody::from_slice(response.body()).unwrap();
    assert_eq!(body.error, "Forbidden");
    assert_eq!(body.message, "Nope");
    assert_eq!(body.status, 403);
    assert_eq!(body.reason(), Some("missing_role"));
    assert_eq!(serde_json::to_vec(&body).unwrap(), response.body().to_vec());
}

#[test]
fn extension_members_go_into_the_default_body_too_and_type_and_instance_do_not() {
    let reply = reply(
        HttpError::too_many_requests()
            .with_member("retry_after", 30)
            .with_type("https://example.com/problems/slow-down")
            .with_instance("/slow-down"),
    );
    check_body(&reply, Format::Json);
    let body = reply.json();
    assert_eq!(body["retry_after"], 30);
    assert!(
        body.get("type").is_none() && body.get("instance").is_none(),
        "{body}"
    );
}
