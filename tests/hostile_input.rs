//! Hostile input: values chosen to break the crate's rules (dates and delays out of range,
//! challenges and codes that do not fit their status, look-alike media types, secrets in
//! `Debug`), one test per rule, each checked on what a client would receive.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use denied::client::{Advice, Guidance, ReadBody};
use denied::{
    BearerError, Challenge, ErrorStatus, Forbidden, HttpError, InvalidChallenge, RetryAfter,
    Unauthorized,
};
use http::{HeaderMap, StatusCode};
use support::{challenges_of, check_body, is_imf_fixdate, reply_of, Format, Reply};

fn sent(error: impl Into<HttpError>) -> Reply {
    reply_of(error.into().render())
}

/// Every Bearer error code a reply carries belongs to the reply's status (RFC 6750 §3.1).
fn assert_codes_fit_the_status(reply: &Reply) {
    for challenge in challenges_of(reply) {
        if !challenge.scheme.eq_ignore_ascii_case("bearer") {
            continue;
        }
        let expected = match challenge.param("error") {
            None => continue,
            Some("invalid_request") => 400,
            Some("invalid_token") => 401,
            Some("insufficient_scope") => 403,
            Some(other) => panic!("unknown code {other}"),
        };
        assert_eq!(reply.status, expected, "{reply:?}");
    }
}

#[test]
fn a_retry_after_date_imf_fixdate_cannot_write_is_left_out() {
    let before_1970 = UNIX_EPOCH - Duration::from_secs(1);
    let year_10000 = UNIX_EPOCH + Duration::from_secs(253_402_300_800);
    let far_future = UNIX_EPOCH + Duration::from_secs(i64::MAX as u64 / 2);
    for when in [before_1970, year_10000, far_future] {
        let reply = sent(HttpError::service_unavailable().with_retry_after(when));
        assert_eq!(reply.status, 503);
        assert_eq!(reply.header("retry-after"), None, "{when:?}");
        check_body(&reply, Format::Json);
    }
    let last_writable = UNIX_EPOCH + Duration::from_secs(253_402_300_799);
    let reply = sent(HttpError::service_unavailable().with_retry_after(last_writable));
    assert_eq!(
        reply.header("retry-after"),
        Some("Fri, 31 Dec 9999 23:59:59 GMT")
    );
    assert!(is_imf_fixdate(reply.header("retry-after").unwrap()));
}

#[test]
fn the_longest_retry_after_delay_is_capped_never_wrapped_to_zero() {
    for delay in [
        Duration::MAX,
        Duration::from_secs(u64::MAX),
        Duration::new(u64::MAX - 1, 999_999_999),
        Duration::from_secs(1 << 40),
    ] {
        let error = HttpError::too_many_requests().with_retry_after(delay);
        assert_eq!(error.retry_after(), Some(RetryAfter::Delay(2_147_483_648)));
        let reply = sent(error);
        assert_eq!(reply.header("retry-after"), Some("2147483648"), "{delay:?}");
    }
    // A delay given as whole seconds is capped the same.
    for seconds in [u64::MAX, 1 << 40, 2_147_483_649] {
        let error = HttpError::too_many_requests().with_retry_after(RetryAfter::Delay(seconds));
        assert_eq!(error.retry_after(), Some(RetryAfter::Delay(2_147_483_648)));
        let reply = sent(error);
        assert_eq!(reply.header("retry-after"), Some("2147483648"), "{seconds}");
    }
    let just_under = Duration::from_secs(2_147_483_647) + Duration::from_millis(1);
    let reply = sent(HttpError::too_many_requests().with_retry_after(just_under));
    assert_eq!(reply.header("retry-after"), Some("2147483648"));
}

#[test]
fn the_message_agrees_with_the_body_when_a_401_goes_out_as_500() {
    let error: HttpError = Unauthorized::basic()
        .with_realm("\n")
        .with_message("")
        .into();
    let reply = reply_of(error.render());
    assert_eq!(reply.status, 500);
    assert_eq!(error.status(), 500);
    assert_eq!(error.message(), None);
    assert_eq!(
        check_body(&reply, Format::Json),
        denied::Config::new().sentence_for(&error)
    );
}

#[test]
fn a_bearer_error_code_never_goes_out_with_another_status() {
    let added = Unauthorized::bearer()
        .with_realm("")
        .with_challenge(Challenge::bearer("").with_error(BearerError::InvalidRequest));
    let by_param = Unauthorized::bearer()
        .with_realm("api")
        .with_challenge(Challenge::bearer("api").with_param("error", "invalid_request"));
    let scope_on_401 = Unauthorized::bearer()
        .with_realm("api")
        .with_challenge(Challenge::bearer("api").with_error(BearerError::InsufficientScope));
    for refusal in [added, by_param, scope_on_401] {
        let reply = sent(refusal);
        assert_eq!(reply.status, 401);
        assert_eq!(challenges_of(&reply).len(), 1, "{reply:?}");
        assert_codes_fit_the_status(&reply);
    }
    // The challenge that fits is sent; the one that does not is left out, and logs say so.
    let mixed = Unauthorized::invalid_token("expired")
        .with_realm("api")
        .with_challenge(Challenge::bearer("api").with_error(BearerError::InvalidRequest));
    assert!(mixed.to_string().contains("error=invalid_request"));
    let reply = sent(mixed);
    assert_eq!(reply.status, 401);
    assert_eq!(
        challenges_of(&reply)[0].param("error"),
        Some("invalid_token")
    );
    assert_codes_fit_the_status(&reply);
    // The status follows the first challenge's code.
    let request =
        Unauthorized::new(Challenge::bearer("api").with_param("ERROR", "invalid_request"));
    assert_eq!(request.status(), 400);
    let reply = sent(request);
    assert_eq!(reply.status, 400);
    assert_codes_fit_the_status(&reply);
}

#[test]
fn every_challenge_setter_keeps_the_schemes_rules() {
    let left_out: [(Challenge, &str); 6] = [
        (Challenge::bearer("").with_param("error", "\\"), "error"),
        (
            Challenge::bearer("x").with_param("error", "expired"),
            "error",
        ),
        (Challenge::bearer("x").with_param("scope", ""), "scope"),
        (Challenge::bearer("x").with_param("Scope", "a  b"), "scope"),
        (
            Challenge::bearer("x").with_param("error_description", "\"quoted\""),
            "error_description",
        ),
        (Challenge::basic("x").with_param("charset", ""), "charset"),
    ];
    for (challenge, name) in left_out {
        assert!(challenge.validate().is_err(), "{challenge:?}");
        assert_eq!(challenge.param(name), None);
        let parsed = challenges_of(&sent(Unauthorized::new(challenge)));
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].param(name), None);
    }
    assert_eq!(
        Challenge::basic("x")
            .with_param("charset", "utf-8")
            .param("charset"),
        Some("utf-8")
    );

    let unusable = [
        (
            Challenge::bearer("x").with_token68("a"),
            InvalidChallenge::Token68NotAllowed("Bearer".into()),
        ),
        (
            Challenge::basic("x").with_token68("a"),
            InvalidChallenge::Token68NotAllowed("Basic".into()),
        ),
        (
            Challenge::new("Negotiate")
                .with_param("a", "b")
                .with_token68("abc"),
            InvalidChallenge::Token68WithParams("Negotiate".into()),
        ),
        (
            Challenge::new("Negotiate")
                .with_token68("abc")
                .with_param("a", "b"),
            InvalidChallenge::Token68WithParams("Negotiate".into()),
        ),
    ];
    for (challenge, problem) in unusable {
        assert_eq!(challenge.validate(), Err(problem));
        assert!(challenge.to_header_value().is_err());
        let reply = sent(Unauthorized::new(challenge));
        assert_eq!(reply.status, 500);
        assert_eq!(reply.headers_named("www-authenticate").count(), 0);
    }

    // A Basic challenge without a realm cannot stand alone (RFC 7617 §2), but a refusal sends
    // it in the app's realm, first.
    let realmless = [
        (
            Challenge::new("Basic").with_param("a", ""),
            r#"Basic realm="api", a="""#,
        ),
        (
            Challenge::new("basic").with_utf8_charset(),
            r#"basic realm="api", charset="UTF-8""#,
        ),
    ];
    for (challenge, expected) in realmless {
        assert_eq!(
            challenge.validate(),
            Err(InvalidChallenge::NoRealm(challenge.scheme().into()))
        );
        let reply = sent(Unauthorized::new(challenge));
        assert_eq!(reply.status, 401);
        let lines: Vec<&str> = reply.headers_named("www-authenticate").collect();
        assert_eq!(lines, [expected]);
    }
}

#[test]
fn only_problem_json_itself_is_read_as_problem_details() {
    let body = br#"{"type":"about:blank","title":"Forbidden","status":403,"detail":"No"}"#;
    for content_type in [
        "application/problem+jsonx",
        "application/problem+json-seq",
        "application/problem+json2",
    ] {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", content_type.parse().unwrap());
        let guidance = Guidance::read(StatusCode::FORBIDDEN, &headers, Some(body));
        assert!(
            !matches!(guidance.body(), Some(ReadBody::Problem(_))),
            "{content_type}"
        );
    }
    let mut headers = HeaderMap::new();
    headers.insert(
        "content-type",
        "application/problem+json; charset=utf-8".parse().unwrap(),
    );
    let guidance = Guidance::read(StatusCode::FORBIDDEN, &headers, Some(body));
    assert!(matches!(guidance.body(), Some(ReadBody::Problem(_))));
}

#[test]
fn a_405_cannot_be_built_without_allow() {
    let refused = ErrorStatus::try_from(StatusCode::METHOD_NOT_ALLOWED).unwrap_err();
    assert_eq!(refused.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        refused.to_string().contains("method_not_allowed"),
        "{refused}"
    );

    let disabled = reply_of(HttpError::method_not_allowed([]).render());
    assert_eq!(disabled.status, 405);
    assert_eq!(disabled.header("allow"), Some(""));
}

/// The crate's answer of `status`: built by the constructor a handler uses, or, for the
/// statuses a handler cannot build (407 and 426 need headers a proxy or the server sends),
/// rewritten by a framework layer from a plain-text answer; `None` without a framework.
fn rendered_as(status: u16) -> Option<Reply> {
    let error = match status {
        401 => Unauthorized::bearer().with_realm("api").into(),
        405 => HttpError::method_not_allowed([http::Method::GET]),
        407 | 426 => return through_layer(status),
        _ => HttpError::new(ErrorStatus::try_from(StatusCode::from_u16(status).unwrap()).unwrap()),
    };
    Some(sent(error))
}

#[cfg(feature = "axum")]
fn through_layer(status: u16) -> Option<Reply> {
    use tower::ServiceExt;
    let status = StatusCode::from_u16(status).unwrap();
    let router = axum::Router::new().route(
        "/",
        axum::routing::get(move || async move { (status, "plain text") }),
    );
    let app = denied::axum::ErrorService::new(router);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let reply = runtime.block_on(async {
        let request = http::Request::get("/")
            .body(axum::body::Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        reply_of(http::Response::from_parts(parts, bytes))
    });
    Some(reply)
}

#[cfg(not(feature = "axum"))]
fn through_layer(_status: u16) -> Option<Reply> {
    None
}

/// Every status number written in the crate's docs (`README.md`, `features.md`,
/// `CHANGELOG.md` and the doc comments under `src/`).
fn statuses_named_in_docs() -> Vec<u16> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text = String::new();
    for file in ["README.md", "features.md", "CHANGELOG.md"] {
        text.push_str(&std::fs::read_to_string(root.join(file)).unwrap());
    }
    let mut sources = vec![root.join("src")];
    while let Some(path) = sources.pop() {
        if path.is_dir() {
            sources.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let source = std::fs::read_to_string(&path).unwrap();
            for line in source.lines() {
                let line = line.trim_start();
                if line.starts_with("///") || line.starts_with("//!") {
                    text.push_str(line);
                    text.push('\n');
                }
            }
        }
    }
    // `2,593` is a count, not the status 593: a number written with thousands separators
    // (a first group of one or two digits) names no status.
    let mut statuses: Vec<u16> = text
        .split(|c: char| !c.is_ascii_digit() && c != ',')
        .filter(|token| {
            let groups: Vec<&str> = token.split(',').collect();
            let thousands = groups.len() > 1
                && (1..=2).contains(&groups[0].len())
                && groups[1..].iter().all(|group| group.len() == 3);
            !thousands
        })
        .flat_map(|token| token.split(','))
        .filter(|number| number.len() == 3)
        .filter_map(|number| number.parse().ok())
        .filter(|status| (400..600).contains(status))
        .collect();
    statuses.sort_unstable();
    statuses.dedup();
    statuses
}

#[test]
fn every_status_the_docs_name_has_a_sentence_of_its_own() {
    const GENERIC: [&str; 2] = [
        "The request could not be completed",
        "The server could not complete the request",
    ];
    let statuses = statuses_named_in_docs();
    for status in [408, 410, 411, 412, 413, 415, 428, 431, 451, 502, 504] {
        assert!(statuses.contains(&status), "{status} is named in the docs");
    }
    for status in statuses {
        let Some(reply) = rendered_as(status) else {
            continue;
        };
        assert_eq!(reply.status, status);
        let message = check_body(&reply, Format::Json);
        assert!(
            !GENERIC.contains(&message.as_str()),
            "{status} has only the generic sentence"
        );
    }
}

#[test]
fn the_documented_sentences_are_the_ones_sent() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(root.join("src/config/mod.rs")).unwrap();
    let mut rows = 0;
    for line in source.lines() {
        let cells: Vec<&str> = line.trim_start().split('|').map(str::trim).collect();
        let [_, status, sentence, _] = cells.as_slice() else {
            continue;
        };
        let Ok(status) = status.parse::<u16>() else {
            continue;
        };
        let Some(reply) = rendered_as(status) else {
            continue;
        };
        assert_eq!(reply.status, status);
        assert_eq!(check_body(&reply, Format::Json), *sentence, "{status}");
        rows += 1;
    }
    assert!(rows >= 24, "the table of sentences is in src/config/mod.rs");
}

#[test]
fn debug_shows_what_the_client_sees_and_nothing_hidden() {
    const SECRET: &str = "connection to db-primary refused (password=hunter2)";
    let concealed = Forbidden::missing_role("admin")
        .with_note(SECRET)
        .with_source(std::io::Error::other(SECRET))
        .conceal();
    let genuine = HttpError::not_found();
    assert_eq!(format!("{concealed:?}"), format!("{genuine:?}"));
    assert_eq!(format!("{concealed:#?}"), format!("{genuine:#?}"));

    let errors: [Box<dyn std::fmt::Debug>; 5] = [
        Box::new(concealed),
        Box::new(HttpError::internal().with_message(SECRET)),
        Box::new(HttpError::bad_request().with_note(SECRET)),
        Box::new(Forbidden::not_owner().with_source(std::io::Error::other(SECRET))),
        Box::new(Unauthorized::bearer().with_realm("api").with_note(SECRET)),
    ];
    for error in errors {
        let debug = format!("{error:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(!debug.contains("missing_role"), "{debug}");
    }
    // The whole story stays available for logs.
    let logged = HttpError::internal().with_message(SECRET).to_string();
    assert!(logged.contains("hunter2"));
}

#[cfg(feature = "warp")]
#[tokio::test]
async fn warp_without_recover_reveals_nothing_hidden() {
    use warp::Filter;

    let concealed = warp::path!("repos" / "secret").and_then(|| async {
        let refusal = Forbidden::missing_role("admin")
            .with_note("repo secret belongs to bob (password=hunter2)")
            .conceal();
        Err::<String, _>(warp::reject::custom(refusal))
    });
    let response = warp::test::request()
        .path("/repos/secret")
        .reply(&concealed)
        .await;
    let reply = reply_of(response);
    let body = String::from_utf8_lossy(&reply.body);
    for hidden in [
        "hunter2",
        "bob",
        "missing_role",
        "admin",
        "Forbidden",
        "403",
    ] {
        assert!(!body.contains(hidden), "{hidden} in {body}");
    }
}

#[test]
fn client_advice_follows_rfc_9110() {
    let none = HeaderMap::new();
    let mut retry_after = HeaderMap::new();
    retry_after.insert("retry-after", "120".parse().unwrap());
    let two_minutes = Duration::from_secs(120);
    let advice = |status: u16, headers: &HeaderMap| {
        Advice::from_parts(StatusCode::from_u16(status).unwrap(), headers)
    };
    for status in [408, 421, 425] {
        assert_eq!(advice(status, &none), Advice::Retry, "{status}");
        assert!(Advice::Retry.may_retry());
    }
    assert_eq!(advice(407, &none), Advice::ReauthenticateProxy);
    assert!(!Advice::ReauthenticateProxy.refresh_credentials());
    for status in [501, 505, 510] {
        assert_eq!(advice(status, &none), Advice::FixRequest, "{status}");
    }
    assert_eq!(advice(511, &none), Advice::Stop);
    // RFC 9110 §15: a status outside 100-599 SHOULD be processed as a 5xx.
    for status in [600, 799, 999] {
        let advice = advice(status, &none);
        assert_eq!(advice, advice_for_500(), "{status} is processed as a 5xx");
        assert_eq!(advice, Advice::RetryLater);
    }
    fn advice_for_500() -> Advice {
        Advice::from_parts(StatusCode::INTERNAL_SERVER_ERROR, &HeaderMap::new())
    }
    assert_eq!(advice(503, &retry_after), Advice::RetryAfter(two_minutes));
    assert_eq!(advice(413, &retry_after), Advice::RetryAfter(two_minutes));
    assert_eq!(advice(413, &none), Advice::FixRequest);
    assert_eq!(advice(301, &retry_after), Advice::Redirect(two_minutes));
    assert_eq!(advice(308, &none), Advice::Redirect(Duration::ZERO));
    assert_eq!(advice(304, &retry_after), Advice::Proceed);
    assert_eq!(advice(200, &retry_after), Advice::Proceed);

    let mut huge = HeaderMap::new();
    huge.insert("retry-after", "99999999999999999999999".parse().unwrap());
    let Advice::RetryAfter(delay) = advice(429, &huge) else {
        panic!("a delay");
    };
    assert_eq!(delay, RetryAfter::MAX_DELAY);
    // A naive client adds it to a clock; that must not overflow.
    assert!(std::time::Instant::now().checked_add(delay).is_some());
    assert!(SystemTime::now().checked_add(delay).is_some());
}

#[test]
fn an_rfc_6750_refusal_whose_challenge_cannot_be_sent_is_a_500_not_a_bare_400_or_403() {
    let errors: [HttpError; 2] = [
        Unauthorized::new(
            Challenge::bearer("bad\nrealm")
                .with_error(BearerError::InvalidRequest)
                .with_description("two tokens"),
        )
        .into(),
        Forbidden::missing_scope("read").with_realm("bad\n").into(),
    ];
    for error in errors {
        assert_eq!(error.status(), 500);
        assert!(error.to_string().contains("no usable challenge"));
        let reply = reply_of(error.render());
        assert_eq!(reply.status, 500);
        assert_eq!(reply.headers_named("www-authenticate").count(), 0);
    }
}

#[test]
fn statuses_whose_header_the_crate_cannot_build_are_refused_like_401_and_405() {
    for status in [
        StatusCode::PROXY_AUTHENTICATION_REQUIRED,
        StatusCode::UPGRADE_REQUIRED,
    ] {
        let refused = ErrorStatus::try_from(status).unwrap_err();
        assert_eq!(refused.status(), status);
        assert!(refused.to_string().contains(status.as_str()));
    }
}

#[test]
fn debug_follows_what_render_sends() {
    let left_out = format!(
        "{:?}",
        Unauthorized::invalid_token("token of “alice@example.com” expired").with_realm("api")
    );
    assert!(!left_out.contains("alice"), "{left_out}");
    let as_500 = format!(
        "{:?}",
        Unauthorized::bearer()
            .with_realm("bad\nrealm")
            .into_http_error()
            .with_reason(denied::Reason::Custom("secret_reason".into()))
            .with_retry_after(Duration::from_secs(5))
    );
    assert!(!as_500.contains("secret_reason"), "{as_500}");
    assert!(!as_500.contains("retry_after"), "{as_500}");
    let unwritable_date = format!(
        "{:?}",
        HttpError::service_unavailable().with_retry_after(UNIX_EPOCH - Duration::from_secs(1))
    );
    assert!(
        !unwritable_date.contains("retry_after"),
        "{unwritable_date}"
    );
}

#[test]
fn validate_forgets_a_value_a_later_valid_one_replaced() {
    let scope = Challenge::bearer("x").with_scope("").with_scope("read");
    assert_eq!(scope.param("scope"), Some("read"));
    assert_eq!(scope.validate(), Ok(()));
    let realm = Challenge::bearer("bad\n").with_realm("good");
    assert_eq!(realm.validate(), Ok(()));
    assert_eq!(realm.param("realm"), Some("good"));
}

/// A problem a setter records survives every later setter that fixes another part: only a
/// later valid value of the same part replaces it.
#[test]
fn an_unusable_part_stays_unusable_when_another_part_is_fixed() {
    let token68_on_basic = Challenge::basic("\n").with_token68("x").with_realm("api");
    assert_eq!(
        token68_on_basic.validate(),
        Err(InvalidChallenge::Token68NotAllowed("Basic".into()))
    );
    assert!(token68_on_basic.to_header_value().is_err());
    let reply = sent(Unauthorized::new(token68_on_basic));
    assert_eq!(reply.status, 500);
    assert_eq!(reply.headers_named("www-authenticate").count(), 0);

    let bad_token68 = Challenge::new("Negotiate")
        .with_token68("not token68!")
        .with_param("x", "y");
    let fixed_param = bad_token68.clone().with_param("x", "z");
    assert!(matches!(
        fixed_param.validate(),
        Err(InvalidChallenge::Token68(_))
    ));
    // A valid token68 replaces the refused one.
    let fixed_token68 = Challenge::new("Negotiate")
        .with_token68("not token68!")
        .with_token68("YII=");
    assert_eq!(fixed_token68.validate(), Ok(()));
    assert_eq!(fixed_token68.to_header_value().unwrap(), "Negotiate YII=");
}

/// `with_scope` and `with_description` leave out what RFC 6750 does not allow on every scheme,
/// as their docs say, not only on Bearer.
#[test]
fn scope_and_description_keep_their_rules_on_every_scheme() {
    for scheme in ["DPoP", "Basic", "Bearer"] {
        let challenge = Challenge::new(scheme)
            .with_realm("api")
            .with_scope("")
            .with_description("say \"hi\"");
        assert_eq!(challenge.param("scope"), None, "{scheme}");
        assert_eq!(challenge.param("error_description"), None, "{scheme}");
        // The first value left out is reported: the empty scope.
        let Err(InvalidChallenge::ParamValue { name, .. }) = challenge.validate() else {
            panic!("{scheme}: {:?}", challenge.validate());
        };
        assert_eq!(name, "scope", "{scheme}");
        let reply = sent(Unauthorized::new(challenge));
        assert_eq!(reply.status, 401, "{scheme}: {reply:?}");
        let parsed = challenges_of(&reply);
        assert_eq!(parsed.len(), 1, "{scheme}: {reply:?}");
        assert_eq!(parsed[0].param("scope"), None, "{scheme}: {reply:?}");
        assert_eq!(
            parsed[0].param("error_description"),
            None,
            "{scheme}: {reply:?}"
        );
    }
    let valid = Challenge::new("DPoP")
        .with_scope("read write")
        .with_description("the proof expired");
    assert_eq!(valid.param("scope"), Some("read write"));
    assert_eq!(valid.param("error_description"), Some("the proof expired"));
}
