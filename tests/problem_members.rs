//! Problem `type`, `instance` and extension members, per error and app-wide (a type base, and
//! reasons without their detail): its own test binary, because the settings are process-wide.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use denied::{BodyFormat, Config, Forbidden, HttpError, ProblemDetails};
use support::{check_body, reply_of, Format};

fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        Config::new()
            .format(BodyFormat::Problem)
            .problem_type_base("https://example.com/problems/")
            .reason_details(false)
            .install()
            .unwrap();
    });
}

fn problem(error: impl Into<HttpError>) -> (ProblemDetails, support::Reply) {
    let reply = reply_of(error.into().render());
    check_body(&reply, Format::Problem);
    (ProblemDetails::from_slice(&reply.body).unwrap(), reply)
}

#[test]
fn a_reason_gets_the_apps_type_and_keeps_its_detail_to_itself() {
    install();
    let (body, _) = problem(Forbidden::missing_role("admin"));
    assert_eq!(
        body.problem_type,
        "https://example.com/problems/missing_role"
    );
    assert_eq!(body.title.as_deref(), Some("Forbidden"));
    assert_eq!(body.reason(), Some("missing_role"));
    assert!(!body.extensions.contains_key("role"), "{body:?}");
    let (plain, _) = problem(HttpError::not_found());
    assert_eq!(plain.problem_type, "about:blank");
}

#[test]
fn an_errors_own_type_instance_and_members_are_sent() {
    install();
    let error = Forbidden::not_owner()
        .with_type("https://example.com/problems/not-yours")
        .with_instance("/repos/secret%20plans")
        .with_member("plan", "free")
        .with_member("plan", "team")
        .with_member("limits", serde_json::json!({"daily": 3}));
    let (body, _) = problem(error);
    assert_eq!(body.problem_type, "https://example.com/problems/not-yours");
    assert_eq!(body.instance.as_deref(), Some("/repos/secret%20plans"));
    assert_eq!(body.extensions["plan"], "team");
    assert_eq!(body.extensions["limits"]["daily"], 3);
}

#[test]
fn members_that_break_rfc_9457_are_left_out_and_logged() {
    install();
    let error = HttpError::conflict()
        .with_member("id", 1)
        .with_member("2fast", 1)
        .with_member("has-dash", 1)
        .with_member("status", 200)
        .with_member("detail", "spoof")
        .with_member("request_id", "spoofed-id")
        .with_type("not a uri");
    let logged = error.to_string();
    let (body, reply) = problem(error);
    assert_eq!(body.status, Some(409));
    assert_eq!(body.problem_type, "about:blank");
    for name in ["id", "2fast", "has-dash"] {
        assert!(!body.extensions.contains_key(name), "{name}");
        assert!(logged.contains(name), "{logged}");
    }
    assert!(!String::from_utf8_lossy(&reply.body).contains("spoof"));
    assert!(!body.extensions.contains_key("request_id"));
    assert!(logged.contains("request_id"), "{logged}");
}

#[test]
fn a_concealed_refusal_keeps_no_member_of_its_own() {
    install();
    let concealed = Forbidden::missing_role("admin")
        .with_member("plan", "free")
        .with_instance("/repos/secret")
        .conceal();
    reply_of(concealed.render())
        .assert_same_as(&reply_of(HttpError::not_found().render()), "concealed");
}

#[test]
fn a_custom_reason_that_is_not_uri_safe_names_no_type() {
    install();
    let (body, _) =
        problem(Forbidden::new().with_reason(denied::Reason::Custom("out of stock".into())));
    assert_eq!(body.problem_type, "about:blank");
    assert_eq!(body.reason(), Some("out of stock"));
    let (body, _) =
        problem(Forbidden::new().with_reason(denied::Reason::Custom("quota-2.5~x".into())));
    assert_eq!(
        body.problem_type,
        "https://example.com/problems/quota-2.5~x"
    );
}
