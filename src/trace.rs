//! One `tracing` event for every error the crate renders (feature `tracing`): what an operator
//! needs, hidden causes included, and nothing changes for the client.

use tracing::Level;

use crate::report::Report;

/// The target of every event.
pub(crate) const TARGET: &str = "denied";

/// Whether a subscriber listens to the crate's events at all: only then is a request's method
/// and path kept for them.
pub(crate) fn listening() -> bool {
    tracing::enabled!(target: TARGET, Level::ERROR)
}

/// Emits the event for the error `report` tells of: 5xx at `ERROR`, 401, 403 and 404 at
/// `INFO`, every other status at `DEBUG`.
pub(crate) fn rendered(report: &Report<'_>) {
    let error = report.error();
    let status = error.status().as_u16();
    // Nothing is gathered for an event no subscriber takes: the error path stays as cheap.
    let wanted = match status {
        500..=599 => tracing::enabled!(target: TARGET, Level::ERROR),
        401 | 403 | 404 => tracing::enabled!(target: TARGET, Level::INFO),
        _ => tracing::enabled!(target: TARGET, Level::DEBUG),
    };
    if !wanted {
        return;
    }
    let concealed = error.concealed();
    let reason = concealed
        .and_then(|refused| refused.reason())
        .or(error.reason());
    let reason_code = reason.map(|reason| reason.code());
    let reason_detail = reason
        .and_then(|reason| reason.detail())
        .map(|(_, detail)| detail);
    let challenge = error
        .challenges()
        .iter()
        .chain(concealed.map_or(&[][..], |refused| refused.challenges()))
        .find(|challenge| challenge.param("error").is_some());
    let bearer_error = challenge.and_then(|challenge| challenge.param("error"));
    let bearer_error_description =
        challenge.and_then(|challenge| challenge.param("error_description"));
    let note = error.note();
    let sources: Vec<String> = crate::report::causes(std::error::Error::source(error))
        .map(ToString::to_string)
        .collect();
    let source = (!sources.is_empty()).then(|| sources.join(": "));
    let method = report.method().map(http::Method::as_str);
    let path = report.path();
    let request_id = report.request_id();
    macro_rules! event {
        ($level:expr) => {
            tracing::event!(
                target: TARGET,
                $level,
                status,
                reason = reason_code,
                reason_detail,
                bearer_error,
                bearer_error_description,
                concealed = concealed.is_some(),
                note,
                source = source.as_deref(),
                method,
                path,
                request_id,
                "refused: {error}"
            )
        };
    }
    match status {
        500..=599 => event!(Level::ERROR),
        401 | 403 | 404 => event!(Level::INFO),
        _ => event!(Level::DEBUG),
    }
}
