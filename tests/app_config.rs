//! App-wide settings, installed once per process, so this file is its own test binary:
//! RFC 9457 bodies, a translated default sentence and a report hook.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use denied::{
    BodyFormat, Catalog, Config, Forbidden, HttpError, ProblemDetails, Report, Unauthorized,
};
use http::StatusCode;
use support::{check_body, reply_of, Format};

static REPORTED: Mutex<Vec<String>> = Mutex::new(Vec::new());
static REPORTS: AtomicUsize = AtomicUsize::new(0);

/// Renders the error it is given, as a hook that logs the response would: the inner render
/// must not call the hook again.
fn remember(report: &Report<'_>) {
    let error = report.error();
    REPORTS.fetch_add(1, Ordering::SeqCst);
    let rendered = error.render();
    assert_eq!(rendered.status(), error.status());
    let mut line = error.to_string();
    if let Some(source) = std::error::Error::source(error) {
        line.push_str(&format!(": {source}"));
    }
    REPORTED.lock().unwrap().push(line);
}

fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        Config::new()
            .format(BodyFormat::Problem)
            .base_language(
                "de",
                Catalog::new().message(StatusCode::FORBIDDEN, "Zugriff verweigert"),
            )
            .report(remember)
            .install()
            .expect("the first install succeeds");
    });
}

#[test]
fn problem_details_carry_type_title_status_detail_and_extensions() {
    install();
    let reply = reply_of(Forbidden::missing_role("admin").render());
    assert_eq!(check_body(&reply, Format::Problem), "Zugriff verweigert");
    assert_eq!(reply.header("content-language"), Some("de"));
    let problem = ProblemDetails::from_slice(&reply.body).unwrap();
    assert_eq!(problem.problem_type, "about:blank");
    assert_eq!(problem.title.as_deref(), Some("Forbidden"));
    assert_eq!(problem.status, Some(403));
    assert_eq!(problem.reason(), Some("missing_role"));
    assert_eq!(problem.extensions["role"], "admin");
}

#[test]
fn a_translated_default_does_not_override_an_errors_own_message() {
    install();
    let own = reply_of(Forbidden::new().with_message("Nur für Eigentümer").render());
    assert_eq!(check_body(&own, Format::Problem), "Nur für Eigentümer");
    // An error's own message is in the app's base language.
    assert_eq!(own.header("content-language"), Some("de"));
    // The German catalog has no 404: the crate's English sentence answers, named as English.
    let other = reply_of(HttpError::not_found().render());
    assert_eq!(
        check_body(&other, Format::Problem),
        "The requested resource was not found"
    );
    assert_eq!(other.header("content-language"), Some("en"));
}

#[test]
fn every_status_renders_as_problem_details() {
    install();
    for error in [
        HttpError::bad_request(),
        HttpError::conflict(),
        HttpError::too_many_requests(),
        HttpError::internal(),
        Unauthorized::bearer().with_realm("api").into(),
    ] {
        check_body(&reply_of(error.render()), Format::Problem);
    }
}

#[test]
fn concealment_holds_in_problem_format() {
    install();
    let genuine = HttpError::not_found().render();
    let concealed = Forbidden::not_owner().conceal().render();
    assert_eq!(concealed.headers(), genuine.headers());
    assert_eq!(concealed.body(), genuine.body());
}

#[test]
fn the_report_hook_sees_the_hidden_cause_the_client_does_not() {
    install();
    let before = REPORTS.load(Ordering::SeqCst);
    let error = HttpError::internal().with_source(std::io::Error::other("db-primary refused"));
    let reply = reply_of(error.render());
    assert!(REPORTS.load(Ordering::SeqCst) > before);
    assert!(REPORTED
        .lock()
        .unwrap()
        .iter()
        .any(|line| line.contains("db-primary refused")));
    assert!(!String::from_utf8_lossy(&reply.body).contains("db-primary"));
}

#[test]
fn a_hook_that_renders_the_error_is_called_once_per_render() {
    install();
    // A role no other test renders, so that its report line is this render's alone.
    let error = Forbidden::missing_role("re-entry-auditor").into_http_error();
    let before = REPORTS.load(Ordering::SeqCst);
    let _ = error.render();
    // Other tests render on other threads meanwhile; this thread's render reported at least
    // once, and the process is still here, so the hook did not recurse.
    assert!(REPORTS.load(Ordering::SeqCst) > before);
    let line = error.to_string();
    let reported = REPORTED.lock().unwrap();
    assert_eq!(reported.iter().filter(|seen| **seen == line).count(), 1);
}

#[test]
fn a_second_install_is_refused_with_a_clear_error() {
    install();
    let error = Config::new().install().unwrap_err();
    assert!(error.to_string().contains("already configured"));
    assert!(format!("{error:?}").contains(&error.to_string()));
}
