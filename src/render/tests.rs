//! Tests of the renderer: the default way and the general one send the same bytes, and every
//! part of a response is decided as documented.

use std::time::{Duration, SystemTime};

use http::Method;

use super::*;
use crate::challenge::{BearerError, Challenge};
use crate::config::{Catalog, Config};
use crate::error::ErrorStatus;

/// The general error of any status: a status that needs a header of its own, which the
/// general constructor refuses, as the generic 500 an app would send instead.
fn general(status: StatusCode) -> HttpError {
    ErrorStatus::try_from(status).map_or_else(|_| HttpError::internal(), HttpError::new)
}

/// Every status, plain or with a message, reason or header of its own, concealed or not,
/// in each format, language setting and negotiation setting: an error sent as its status's
/// default refusal is sent as deciding every part sends it, and exactly the errors with a
/// default body rendered in advance that do not lack a challenge they need are. Their own
/// headers that cannot be sent are left out either way.
#[test]
fn a_default_refusal_is_sent_as_deciding_every_part_sends_it() {
    for format in [BodyFormat::Json, BodyFormat::Problem] {
        for negotiate in [false, true] {
            for languages in [false, true] {
                let mut config = Config::new().format(format).negotiate(negotiate);
                if languages {
                    config = config.language(
                        "de",
                        Catalog::new().message(StatusCode::FORBIDDEN, "Verboten"),
                    );
                }
                for settings in for_both_lifetimes(config) {
                    let takes_default_way = |error: &HttpError, expected: bool| {
                        assert_eq!(
                            assert_default_refusal_is_decided_alike(error, &settings, None),
                            expected,
                            "{error:?}"
                        );
                    };
                    for code in 400..=599 {
                        let status = StatusCode::from_u16(code).unwrap();
                        let plain = general(status);
                        let prerendered = settings
                            .base()
                            .prerendered(format, plain.built_status())
                            .is_some();
                        takes_default_way(&plain, prerendered);
                        // A 5xx withholds its own message: its body is the default one.
                        let own_message = general(status).with_message("its own");
                        let withheld = plain.built_status().is_server_error();
                        takes_default_way(&own_message, prerendered && withheld);
                        let exposed = general(status).with_exposed_message("its own");
                        takes_default_way(&exposed, false);
                        let reason = general(status).with_reason(Reason::Custom("taken".into()));
                        takes_default_way(&reason, false);
                        let retry_after = general(status).with_retry_after(Duration::from_secs(30));
                        takes_default_way(&retry_after, prerendered);
                    }
                    takes_default_way(&Forbidden::not_owner().conceal(), true);
                    let allow = HttpError::method_not_allowed([Method::GET, Method::HEAD]);
                    takes_default_way(&allow, true);
                    // Challenges, the ones that cannot be sent left out: one that cannot be
                    // encoded, and a Bearer code of another status.
                    let misfit =
                        Challenge::bearer("example").with_error(BearerError::InvalidRequest);
                    let challenged: [HttpError; 9] = [
                        Unauthorized::bearer().into(),
                        Unauthorized::bearer().with_realm("example").into(),
                        Unauthorized::invalid_token("the token expired").into(),
                        Unauthorized::bearer()
                            .with_challenge(Challenge::basic("example"))
                            .into(),
                        Unauthorized::bearer()
                            .with_challenge(Challenge::basic("a\r\nb"))
                            .into(),
                        Unauthorized::bearer().with_challenge(misfit).into(),
                        HttpError::malformed_credentials("two tokens were sent"),
                        Unauthorized::new(Challenge::new("Basic").with_utf8_charset()).into(),
                        Unauthorized::new(
                            Challenge::bearer("example").with_error(BearerError::InsufficientScope),
                        )
                        .into(),
                    ];
                    for error in challenged {
                        takes_default_way(&error, true);
                    }
                    // A date IMF-fixdate cannot write is left out.
                    let before_1970 = SystemTime::UNIX_EPOCH - Duration::from_secs(1);
                    let unwritable = HttpError::too_many_requests().with_retry_after(before_1970);
                    takes_default_way(&unwritable, true);
                    // A challenge that cannot be sent, or a 401 with none at all (no public
                    // constructor builds one), goes the general way and out as a 500.
                    let unusable: HttpError =
                        Unauthorized::bearer().with_realm("line\r\nbreak").into();
                    let bare_401 = HttpError::with_status(StatusCode::UNAUTHORIZED);
                    for error in [unusable, bare_401] {
                        takes_default_way(&error, false);
                        let sent = render_unreported(&error, &settings, None, |bytes| bytes);
                        assert_eq!(sent.status(), StatusCode::INTERNAL_SERVER_ERROR);
                    }
                }
            }
        }
    }
}

/// An app's own settings, and the same made as the process-wide settings are, whose kept
/// bodies are `'static`.
fn for_both_lifetimes(config: Config) -> [Settings; 2] {
    [
        config.clone().build().unwrap(),
        config.build().unwrap().for_the_process(),
    ]
}

/// An own message of `'static` text is sent as the same message built per request is:
/// its body kept once per status, format and message, for each app's settings apart (and
/// for the process-wide settings, which keep it `'static`), and sent from there on the
/// first response and every later one. A status without a body rendered in advance, a
/// message built per request or a request that adds a member to the body has its body
/// rendered per response, and nothing kept.
#[test]
fn an_own_message_of_static_text_is_sent_as_one_built_per_request() {
    const MESSAGES: [&str; 2] = ["Only the owner may archive it", "A \"quote\" and \u{2603}"];
    let statuses = [
        StatusCode::BAD_REQUEST,
        StatusCode::FORBIDDEN,
        StatusCode::NOT_FOUND,
        StatusCode::CONFLICT,
        StatusCode::SERVICE_UNAVAILABLE,
        // No body rendered in advance for this status.
        StatusCode::from_u16(499).unwrap(),
    ];
    for format in [BodyFormat::Json, BodyFormat::Problem] {
        for negotiate in [false, true] {
            let config = Config::new().format(format).negotiate(negotiate).language(
                "de",
                Catalog::new().message(StatusCode::FORBIDDEN, "Verboten"),
            );
            for settings in for_both_lifetimes(config) {
                for status in statuses {
                    for message in MESSAGES {
                        let built = general(status).with_exposed_message(message.to_owned());
                        let expected = render_unreported(&built, &settings, None, |bytes| bytes);
                        let kept = general(status).with_exposed_message(message);
                        // Kept alive together, so that bodies rendered per response lie apart.
                        let sent: Vec<Response<Bytes>> = (0..3)
                            .map(|_| render_unreported(&kept, &settings, None, |bytes| bytes))
                            .collect();
                        for sent in &sent {
                            assert_eq!(sent.status(), expected.status(), "{kept:?}");
                            assert_eq!(head(sent), head(&expected), "{kept:?}");
                            assert_eq!(sent.body(), expected.body(), "{kept:?}");
                        }
                        // A kept body is shared by every response that sends it; one rendered
                        // per response (no body in advance for 499) is not.
                        let first = sent[0].body().as_ptr();
                        let shared = sent.iter().all(|sent| sent.body().as_ptr() == first);
                        assert_eq!(shared, status.as_u16() != 499, "{kept:?}");
                    }
                }
                // One body per status rendered in advance and message, in the one format
                // these settings send without a request.
                let kept_bodies = (statuses.len() - 1) * MESSAGES.len();
                assert_eq!(settings.own_message_bodies_kept(), (kept_bodies, true));

                // A request member in the body: rendered for the request, nothing kept.
                let mut shape = Shape::new(&settings, None);
                shape.request_members.request_id = Some("req-7");
                let error = Forbidden::new().with_message("Kept for no request");
                let sent = shape.render_decided(&error.into_http_error(), |bytes| bytes);
                let body = String::from_utf8(sent.body().to_vec()).unwrap();
                assert!(body.contains("Kept for no request"), "{body}");
                assert!(body.contains("req-7"), "{body}");
                assert_eq!(settings.own_message_bodies_kept(), (kept_bodies, true));
            }
        }
    }
}

/// Past the bodies the settings keep, an own message of `'static` text is rendered per
/// response, the same bytes.
#[test]
fn own_messages_past_the_kept_ones_are_rendered_per_response() {
    let settings = Config::new().build().unwrap();
    let messages: Vec<&'static str> = (0..70)
        .map(|index| &*Box::leak(format!("Message {index}").into_boxed_str()))
        .collect();
    for message in &messages {
        let built = HttpError::new(ErrorStatus::CONFLICT).with_exposed_message(message.to_string());
        let expected = render_unreported(&built, &settings, None, |bytes| bytes);
        for _ in 0..2 {
            let kept = HttpError::new(ErrorStatus::CONFLICT).with_exposed_message(*message);
            let sent = render_unreported(&kept, &settings, None, |bytes| bytes);
            assert_eq!(sent.body(), expected.body(), "{message}");
        }
    }
    assert_eq!(settings.own_message_bodies_kept(), (64, true));
}

/// A reason on the default sentence is sent as the default body with the reason's members
/// appended, whenever the body's `type` allows; the bytes are those of the body rendered
/// whole, whatever the settings.
#[test]
fn a_reason_on_the_default_sentence_is_the_body_rendered_whole() {
    let errors = || -> Vec<HttpError> {
        vec![
            Forbidden::missing_role("admin").into(),
            Forbidden::missing_scope("quote \" and \u{2603}").into(),
            Forbidden::not_owner().into(),
            Forbidden::new()
                .with_reason(Reason::Custom("out of stock".into()))
                .into(),
            HttpError::new(ErrorStatus::CONFLICT).with_reason(Reason::Custom("taken".into())),
            // No body rendered in advance for this status.
            general(StatusCode::from_u16(499).unwrap())
                .with_reason(Reason::Custom("gone_fishing".into())),
        ]
    };
    for format in [BodyFormat::Json, BodyFormat::Problem] {
        for base in [None, Some("https://example.com/problems/")] {
            for details in [true, false] {
                let mut config = Config::new()
                    .format(format)
                    .reason_details(details)
                    .base_language(
                        "en",
                        Catalog::new().message(StatusCode::FORBIDDEN, "Nope \"quoted\""),
                    );
                if let Some(base) = base {
                    config = config.problem_type_base(base);
                }
                let settings = config.build().unwrap();
                for error in errors() {
                    let sent = render_unreported(&error, &settings, None, |bytes| bytes);
                    let shape = Shape::new(&settings, None);
                    let verdict = shape.verdict(&error);
                    let whole = shape.general_body(
                        verdict.status,
                        verdict.language,
                        verdict.language.sentence(verdict.status),
                        error.reason(),
                        None,
                    );
                    assert_eq!(
                        sent.body(),
                        &whole,
                        "{error:?} {format:?} base {base:?} details {details}"
                    );
                }
            }
        }
    }
}

with_framework! {
    request_head:
    use crate::context::test_request;

    /// To a request, too, an error sent as its status's default refusal is sent as deciding
    /// every part sends it: with `Vary` and the negotiated format and language. A request
    /// whose id goes in the body has every part decided.
    #[test]
    fn a_default_refusal_to_a_request_is_sent_as_deciding_every_part_sends_it() {
        let cases: [(&[(&str, &str)], bool); 5] = [
            (&[], true),
            (
                &[("accept", "application/problem+json"), ("accept-language", "de")],
                true,
            ),
            (&[("accept-language", "de-AT")], true),
            (&[("x-request-id", "req-1")], false),
            (&[("x-request-id", "not valid")], true),
        ];
        for (lines, default_refusal) in cases {
            let context = test_request::of(Config::new(), lines);
            for error in [
                HttpError::new(ErrorStatus::FORBIDDEN),
                HttpError::new(ErrorStatus::GONE),
                Forbidden::not_owner().conceal(),
                Unauthorized::invalid_token("expired").with_realm("example").into(),
                HttpError::method_not_allowed([Method::GET, Method::HEAD]),
                HttpError::too_many_requests()
                    .with_retry_after(std::time::Duration::from_secs(30)),
            ] {
                let taken = assert_default_refusal_is_decided_alike(
                    &error,
                    context.settings(),
                    Some(&context),
                );
                assert_eq!(taken, default_refusal, "{lines:?} {error:?}");
            }
            // An own message of `'static` text is kept unless the request adds to the body:
            // sent alike either way, with the error's own headers.
            let own_messages: [HttpError; 4] = [
                HttpError::new(ErrorStatus::FORBIDDEN).with_message("its own"),
                HttpError::new(ErrorStatus::FORBIDDEN)
                    .with_message(String::from("its own, built")),
                HttpError::too_many_requests()
                    .with_message("slow down")
                    .with_retry_after(std::time::Duration::from_secs(30)),
                Unauthorized::bearer().with_realm("example")
                    .with_message("sign in first")
                    .into(),
            ];
            for own in own_messages {
                assert!(!assert_default_refusal_is_decided_alike(
                    &own,
                    context.settings(),
                    Some(&context),
                ));
            }
            // The three of `'static` text were kept, and sent from there, unless the
            // request's id goes in the body.
            let (kept, distinct) = context.settings().own_message_bodies_kept();
            assert!(distinct, "{lines:?}");
            assert_eq!(kept, if default_refusal { 3 } else { 0 }, "{lines:?}");
        }
        // With `instance` from the path, a problem carries the path in its body; a flat JSON
        // body has no `instance`.
        let accepts = [("application/problem+json", false), ("application/json", true)];
        for (accept, default_refusal) in accepts {
            let config = Config::new().instance_from_path(true);
            let context = test_request::of(config, &[("accept", accept)]);
            let error = HttpError::new(ErrorStatus::FORBIDDEN);
            let taken = assert_default_refusal_is_decided_alike(
                &error,
                context.settings(),
                Some(&context),
            );
            assert_eq!(taken, default_refusal, "{accept}");
        }
    }
}

/// A response's headers, in order, as text and bytes.
fn head(response: &Response<Bytes>) -> Vec<(String, Vec<u8>)> {
    response
        .headers()
        .iter()
        .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
        .collect()
}

/// Asserts that `error` is sent the same whether it takes the way of a default refusal (or of a
/// kept own message) or has every part decided and its body rendered for the response: the
/// same status, headers in the same order, and body. Both ways add the error's own headers
/// with [`Shape::respond`], so these are also checked against the error itself: each
/// challenge that can be sent on its own line, `Allow` and `Retry-After`, or none of them on a
/// 500 for want of a challenge. Says whether [`Shape::default_refusal`] takes it the first
/// way.
fn assert_default_refusal_is_decided_alike(
    error: &HttpError,
    settings: &Settings,
    request: Option<&RequestContext>,
) -> bool {
    let sent = render_unreported(error, settings, request, |bytes| bytes);
    let shape = Shape::new(settings, request);
    let decided = shape.render_general(error, |bytes| bytes);
    assert_eq!(sent.status(), decided.status(), "{error:?}");
    assert_eq!(head(&sent), head(&decided), "{error:?}");
    assert_eq!(sent.body(), decided.body(), "{error:?}");

    let own_names = [WWW_AUTHENTICATE, ALLOW, RETRY_AFTER];
    let own_headers_sent: Vec<(String, Vec<u8>)> = head(&sent)
        .into_iter()
        .filter(|(name, _)| own_names.iter().any(|own| own.as_str() == name))
        .collect();
    let own_headers = if error.lacks_usable_challenge() {
        Vec::new()
    } else {
        let challenges = error
            .challenges()
            .iter()
            .filter(|challenge| challenge.fits(error.built_status()))
            .filter_map(|challenge| {
                // A `Bearer` or `Basic` challenge whose only want is a realm is sent in the
                // app's.
                let in_app_realm = || {
                    challenge
                        .clone()
                        .with_realm(settings.realm.clone())
                        .to_header_value()
                        .ok()
                };
                let is_bearer_or_basic = ["Bearer", "Basic"]
                    .iter()
                    .any(|scheme| challenge.scheme().eq_ignore_ascii_case(scheme));
                match challenge.to_header_value() {
                    Ok(_) if is_bearer_or_basic && challenge.param("realm").is_none() => {
                        in_app_realm()
                    }
                    Ok(value) => Some(value),
                    Err(
                        crate::challenge::InvalidChallenge::Bare(_)
                        | crate::challenge::InvalidChallenge::NoRealm(_),
                    ) => in_app_realm(),
                    Err(_) => None,
                }
            })
            .map(|value| (WWW_AUTHENTICATE, value));
        let allow = error.allow().cloned().map(|value| (ALLOW, value));
        let retry_after = error.retry_after_header().map(|value| (RETRY_AFTER, value));
        challenges
            .chain(allow)
            .chain(retry_after)
            .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
            .collect()
    };
    assert_eq!(own_headers_sent, own_headers, "{error:?}");
    shape.default_refusal(error).is_some()
}

/// The challenge lines each refusal sends, written out, in the app's realm (`api` by default)
/// where the refusal names none: the oracle above derives them; this states them.
#[test]
fn each_challenge_is_sent_as_written_here() {
    let settings = Config::new().build().unwrap();
    let misfit = Challenge::bearer("example").with_error(BearerError::InvalidRequest);
    let cases: [(HttpError, u16, &[&str]); 9] = [
        (
            Unauthorized::bearer().into(),
            401,
            &[r#"Bearer realm="api""#],
        ),
        (
            Unauthorized::bearer().with_realm("example").into(),
            401,
            &[r#"Bearer realm="example""#],
        ),
        (
            Unauthorized::invalid_token("the token expired").into(),
            401,
            &[
                r#"Bearer realm="api", error="invalid_token", error_description="the token expired""#,
            ],
        ),
        (
            Unauthorized::bearer()
                .with_challenge(Challenge::basic("example"))
                .into(),
            401,
            &[r#"Bearer realm="api""#, r#"Basic realm="example""#],
        ),
        (
            Unauthorized::bearer()
                .with_challenge(Challenge::basic("a\r\nb"))
                .into(),
            401,
            &[r#"Bearer realm="api""#],
        ),
        (
            Unauthorized::bearer().with_challenge(misfit).into(),
            401,
            &[r#"Bearer realm="api""#],
        ),
        (
            HttpError::malformed_credentials("two tokens were sent"),
            400,
            &[
                r#"Bearer realm="api", error="invalid_request", error_description="two tokens were sent""#,
            ],
        ),
        (
            Unauthorized::new(Challenge::new("Basic").with_utf8_charset()).into(),
            401,
            &[r#"Basic realm="api", charset="UTF-8""#],
        ),
        (
            Unauthorized::new(
                Challenge::bearer("example").with_error(BearerError::InsufficientScope),
            )
            .into(),
            403,
            &[r#"Bearer realm="example", error="insufficient_scope""#],
        ),
    ];
    for (error, status, lines) in cases {
        let sent = render_unreported(&error, &settings, None, |bytes| bytes);
        assert_eq!(sent.status(), status, "{error:?}");
        let sent_lines: Vec<&str> = sent
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .map(|value| value.to_str().unwrap())
            .collect();
        assert_eq!(sent_lines, lines, "{error:?}");
    }
}
