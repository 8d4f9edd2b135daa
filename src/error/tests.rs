//! Tests of `HttpError` as a value: what it keeps, how it reads, what it interns.

use std::time::Duration;

use super::*;

#[test]
fn stays_small_enough_to_return_by_value() {
    // 88: a concealed constant refusal is kept in what was padding.
    assert!(std::mem::size_of::<HttpError>() <= 88);
}

/// A refusal concealed without a box is, for logs, the refusal it was: the same text, the
/// same `Debug`, the same reason, the `source` of the 404. Any other is kept whole.
#[test]
fn a_concealed_refusal_kept_as_a_constant_is_the_refusal_given() {
    let refusals = || {
        [
            (Forbidden::new(), true),
            (Forbidden::not_owner(), true),
            (Forbidden::blocked_by_policy(), true),
            (Forbidden::missing_role("admin"), false),
            (Forbidden::new().with_message("no"), false),
            (Forbidden::not_owner().with_note("repo 42 is bob's"), false),
            (
                Forbidden::new().with_reason(Reason::Custom("plan".into())),
                false,
            ),
        ]
    };
    for (refusal, constant) in refusals() {
        let expected = (
            refusal.to_string(),
            format!("{refusal:?}"),
            refusal.reason().cloned(),
        );
        let concealed = refusal.conceal();
        assert_eq!(
            concealed.concealed_constant.is_some(),
            constant,
            "{expected:?}"
        );
        let kept = concealed.concealed().unwrap();
        assert_eq!(
            (
                kept.to_string(),
                format!("{kept:?}"),
                kept.reason().cloned()
            ),
            expected
        );
        let source = concealed.source().unwrap().to_string();
        assert_eq!(source, expected.0);
        assert_eq!(
            concealed.to_string(),
            format!("{}, concealed as 404", expected.0)
        );
    }
    // A note added to the 404 itself keeps the constant beside it, and the 404 reads as
    // one that conceals a boxed refusal does: the refusal, then the 404's own note.
    let noted = Forbidden::not_owner().conceal().with_note("probe");
    assert_eq!(noted.concealed().unwrap().reason(), Some(&Reason::NotOwner));
    assert_eq!(
        noted.to_string(),
        "403 forbidden: not_owner, concealed as 404: probe"
    );
    let boxed = Forbidden::missing_role("admin")
        .conceal()
        .with_note("probe");
    assert_eq!(
        boxed.to_string(),
        "403 forbidden: missing_role admin, concealed as 404: probe"
    );
    let source = noted.source().unwrap();
    assert!(source.downcast_ref::<Forbidden>().is_some());
    // A refusal with a source of its own is kept whole, source and all.
    let with_source = Forbidden::new()
        .with_source(std::io::Error::other("disk"))
        .conceal();
    assert!(with_source.concealed_constant.is_none());
    let kept = with_source.concealed().unwrap();
    assert_eq!(kept.source().unwrap().to_string(), "disk");
}

#[test]
fn display_is_lower_case_without_trailing_punctuation() {
    let error = HttpError::internal().with_note("db down");
    assert_eq!(error.to_string(), "500 internal server error: db down");
}

#[test]
fn a_withheld_5xx_message_is_kept_for_logs() {
    let error = HttpError::internal().with_message("pool exhausted");
    assert_eq!(error.message(), None);
    assert!(error.to_string().contains("pool exhausted"));
}

#[test]
fn a_401_without_a_usable_challenge_says_so_in_logs() {
    let error: HttpError = crate::error::Unauthorized::bearer()
        .with_realm("bad\nrealm")
        .into();
    assert!(error.to_string().contains("no usable challenge"));
}

/// Asserts that the process interned `error`'s challenge. (Nothing in these tests fills
/// the process's table: the challenge module tests a full table of its own.)
fn assert_interned(error: &HttpError) {
    assert!(error.interned_challenge().is_some(), "{error:?}");
}

/// What a client and a log see of an error: its response, challenges, status, `Display`
/// and `Debug`.
fn seen(error: &HttpError) -> impl PartialEq + fmt::Debug {
    let response = error.render();
    let headers: Vec<(String, Vec<u8>)> = response
        .headers()
        .iter()
        .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
        .collect();
    (
        response.status(),
        headers,
        response.body().clone(),
        error.challenges().to_vec(),
        error.status(),
        error.to_string(),
        format!("{error:?}"),
    )
}

/// A challenge of `'static` text is interned; the same text owned is boxed. Both send the
/// same and read the same, as built and after each change that boxes the interned one.
#[test]
fn an_interned_challenge_is_seen_as_the_boxed_one() {
    let owned = |text: &str| -> Cow<'static, str> { Cow::Owned(text.to_owned()) };
    let pairs = || {
        [
            (
                crate::error::Unauthorized::bearer().with_realm("interned"),
                crate::error::Unauthorized::bearer().with_realm(owned("interned")),
            ),
            (
                crate::error::Unauthorized::basic().with_realm("interned"),
                crate::error::Unauthorized::basic().with_realm(owned("interned")),
            ),
            (
                crate::error::Unauthorized::invalid_token("the token expired")
                    .with_realm("interned"),
                crate::error::Unauthorized::invalid_token(owned("the token expired"))
                    .with_realm(owned("interned")),
            ),
            // In the app's realm.
            (
                crate::error::Unauthorized::bearer(),
                crate::error::Unauthorized::new(Challenge::new(owned("Bearer"))),
            ),
            (
                crate::error::Unauthorized::invalid_token("the token expired"),
                crate::error::Unauthorized::invalid_token(owned("the token expired")),
            ),
        ]
    };
    for (interned, boxed) in pairs() {
        let interned = interned.into_http_error();
        let boxed = boxed.into_http_error();
        assert_interned(&interned);
        assert!(boxed.interned_challenge().is_none());
        assert_eq!(seen(&interned), seen(&boxed), "{interned:?}");
    }
    let interned = HttpError::malformed_credentials("two tokens were sent");
    let boxed = HttpError::malformed_credentials(owned("two tokens were sent"));
    assert_interned(&interned);
    assert!(boxed.interned_challenge().is_none());
    assert_eq!(seen(&interned), seen(&boxed), "{interned:?}");
    let changes: [fn(crate::error::Unauthorized) -> HttpError; 4] = [
        |refusal| {
            refusal
                .with_challenge(Challenge::basic("other"))
                .into_http_error()
        },
        |refusal| {
            refusal
                .into_http_error()
                .with_retry_after(Duration::from_secs(30))
        },
        |refusal| refusal.with_note("a note").into_http_error(),
        |refusal| refusal.with_message("its own").into_http_error(),
    ];
    for change in changes {
        for (interned, boxed) in pairs() {
            let (interned, boxed) = (change(interned), change(boxed));
            assert_eq!(seen(&interned), seen(&boxed), "{interned:?}");
        }
    }
    // A realm that cannot be sent is never interned: the 401 is a 500, every time.
    for _ in 0..2 {
        let broken: HttpError = crate::error::Unauthorized::bearer()
            .with_realm("line\r\nbreak")
            .into();
        assert!(broken.interned_challenge().is_none());
        assert_eq!(broken.render().status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}

/// Challenges of the same `'static` realm and description that differ in their error code,
/// or of the same realm that differ in their description, or of the same texts but one in
/// the app's realm, are interned apart: each sends its own, on its own status.
#[test]
fn challenges_that_share_texts_are_interned_apart() {
    static REALM: &str = "shared";
    static DESCRIPTION: &str = "shared description";
    static OTHER_DESCRIPTION: &str = "another description";
    let expected = [
        (
            StatusCode::UNAUTHORIZED,
            r#"Bearer realm="shared", error="invalid_token", error_description="shared description""#,
        ),
        (
            StatusCode::BAD_REQUEST,
            r#"Bearer realm="api", error="invalid_request", error_description="shared description""#,
        ),
        (
            StatusCode::UNAUTHORIZED,
            r#"Bearer realm="api", error="invalid_token", error_description="shared description""#,
        ),
        (
            StatusCode::UNAUTHORIZED,
            r#"Bearer realm="shared", error="invalid_token", error_description="another description""#,
        ),
    ];
    for _ in 0..2 {
        let errors: [HttpError; 4] = [
            crate::error::Unauthorized::invalid_token(DESCRIPTION)
                .with_realm(REALM)
                .into(),
            HttpError::malformed_credentials(DESCRIPTION),
            crate::error::Unauthorized::invalid_token(DESCRIPTION).into(),
            crate::error::Unauthorized::invalid_token(OTHER_DESCRIPTION)
                .with_realm(REALM)
                .into(),
        ];
        for (error, (status, challenge)) in errors.iter().zip(expected) {
            assert_interned(error);
            let response = error.render();
            assert_eq!(response.status(), status);
            assert_eq!(
                response.headers()[http::header::WWW_AUTHENTICATE],
                challenge
            );
        }
    }
    assert!(crate::challenge::interned_are_distinct());
}

/// Threads that build the same challenge at once intern it once, and all send it.
#[test]
fn threads_intern_a_challenge_once() {
    let threads: Vec<_> = (0..8)
        .map(|_| {
            std::thread::spawn(|| {
                (0..50)
                    .map(|_| {
                        let error: HttpError = crate::error::Unauthorized::invalid_token("expired")
                            .with_realm("threads")
                            .into();
                        assert_interned(&error);
                        error.render().headers()[http::header::WWW_AUTHENTICATE].clone()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for thread in threads {
        for value in thread.join().unwrap() {
            assert_eq!(
                value,
                r#"Bearer realm="threads", error="invalid_token", error_description="expired""#
            );
        }
    }
    assert!(crate::challenge::interned_are_distinct());
}

#[test]
fn retry_after_rounds_up() {
    let error = HttpError::too_many_requests().with_retry_after(Duration::from_millis(1));
    assert_eq!(error.retry_after(), Some(RetryAfter::Delay(1)));
    let error = HttpError::too_many_requests().with_retry_after(Duration::ZERO);
    assert_eq!(error.retry_after(), Some(RetryAfter::Delay(0)));
}
