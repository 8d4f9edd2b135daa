//! What the report hook sees: the error with its hidden cause, and the request it answers.

use std::cell::Cell;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use http::Method;

use crate::error::HttpError;
use crate::log_line::{Escaped, EscapedDisplay};

/// How deep a hidden cause's chain is followed: a source may name itself.
const MAX_CAUSES: usize = 16;

/// The chain of errors from `first` on, each the source of the one before, at most
/// [`MAX_CAUSES`] of them.
pub(crate) fn causes<'a>(
    first: Option<&'a (dyn std::error::Error + 'static)>,
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(first, |error| error.source()).take(MAX_CAUSES)
}

/// The report hook: sees every error just before it is rendered, with its hidden cause and the
/// request it answers.
pub(crate) type ReportHook = Arc<dyn Fn(&Report<'_>) + Send + Sync>;

/// What a report tells of the request an error answers: its method and path when the app's
/// settings keep them, and its id when it carried a valid one.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct RequestView<'a> {
    pub(crate) method: Option<&'a Method>,
    pub(crate) path: Option<&'a str>,
    pub(crate) id: Option<&'a str>,
}

/// An error about to be rendered, for [`Config::report`](crate::Config::report): everything
/// the client is not told, and the request it answers when a framework layer serves it.
///
/// Its `Display` is one log line (control characters in the request's or the app's text
/// escaped, `\n` for a line break): `GET /admin (request id 7f3a): 403 forbidden: missing_role
/// admin`, with the error's hidden note, a Bearer challenge's `error` and `error_description`
/// (so that "token expired" and "unknown token" read apart), and the hidden source's chain:
/// `GET /db: 500 internal server error: caused by: connection to db-primary refused`.
///
/// ```
/// let config = denied::Config::new().report(|report| {
///     let path = report.path().unwrap_or("-");
///     eprintln!("{} {path}: {}", report.error().status(), report.error());
/// });
/// ```
#[derive(Clone, Copy)]
pub struct Report<'a> {
    error: &'a HttpError,
    request: RequestView<'a>,
}

impl<'a> Report<'a> {
    pub(crate) fn new(error: &'a HttpError, request: RequestView<'a>) -> Self {
        Self { error, request }
    }

    /// The error, with its hidden cause ([`std::error::Error::source`],
    /// [`HttpError::note`]).
    ///
    /// ```
    /// let config = denied::Config::new().report(|report| {
    ///     if let Some(note) = report.error().note() {
    ///         eprintln!("{}: {note}", report.error().status());
    ///     }
    /// });
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn error(&self) -> &'a HttpError {
        self.error
    }

    /// The request's method, when a framework layer serves the request.
    ///
    /// ```
    /// let config = denied::Config::new().report(|report| {
    ///     let method = report.method().map_or("-", |method| method.as_str());
    ///     eprintln!("{method}: {}", report.error());
    /// });
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn method(&self) -> Option<&'a Method> {
        self.request.method
    }

    /// The request's path as it was sent, without the query, when a framework layer serves the
    /// request.
    ///
    /// ```
    /// let config = denied::Config::new().report(|report| {
    ///     eprintln!("{} refused: {}", report.path().unwrap_or("-"), report.error());
    /// });
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn path(&self) -> Option<&'a str> {
        self.request.path
    }

    /// The request's id (see [`Config::request_id_header`](crate::Config::request_id_header)),
    /// when it carried a valid one.
    ///
    /// ```
    /// let config = denied::Config::new().report(|report| {
    ///     // Support finds the hidden cause by the id the client saw in the body.
    ///     eprintln!("[{}] {}", report.request_id().unwrap_or("no id"), report.error());
    /// });
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn request_id(&self) -> Option<&'a str> {
        self.request.id
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Report")
            .field("method", &self.method())
            .field("path", &self.path())
            .field("request_id", &self.request_id())
            .field("error", &self.error.to_string())
            .finish()
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(method) = self.method() {
            let path = Escaped(self.path().unwrap_or("-"));
            write!(f, "{method} {path}")?;
            if let Some(id) = self.request_id() {
                write!(f, " (request id {id})")?;
            }
            f.write_str(": ")?;
        }
        write!(f, "{}", self.error)?;
        for challenge in self.error.challenges() {
            if let Some(code) = challenge.param("error") {
                write!(f, ": {}", Escaped(code))?;
                if let Some(description) = challenge.param("error_description") {
                    write!(f, " ({})", Escaped(description))?;
                }
            }
        }
        // A concealed refusal's hidden source is the cause of the 404 that hides it.
        let hidden_source = self.error.hidden_source().or_else(|| {
            let concealed = self.error.concealed()?;
            concealed.as_http_error().hidden_source()
        });
        for (depth, cause) in causes(hidden_source).enumerate() {
            let joint = if depth == 0 { ": caused by: " } else { ": " };
            write!(f, "{joint}{}", EscapedDisplay(cause))?;
        }
        Ok(())
    }
}

thread_local! {
    /// Set while the report hook runs, so that a hook that renders an error does not call
    /// itself again.
    static REPORTING: Cell<bool> = const { Cell::new(false) };
}

/// Calls the report hook, unless this render happens inside it. A hook that panics is stopped
/// here: the panic goes no further than the hook, and the response is sent as it would have
/// been.
pub(crate) fn report_once(hook: &ReportHook, report: &Report<'_>) {
    /// Clears the flag even when the hook panics.
    struct Reporting;
    impl Drop for Reporting {
        fn drop(&mut self) {
            let _ = REPORTING.try_with(|reporting| reporting.set(false));
        }
    }
    // Inside the hook already, or while the thread's locals are torn down: no report.
    let already_reporting = REPORTING.try_with(|reporting| reporting.replace(true));
    if !matches!(already_reporting, Ok(false)) {
        return;
    }
    let _reporting = Reporting;
    // The hook sees the report only; nothing it could leave half-changed is used after it.
    let _ = catch_unwind(AssertUnwindSafe(|| hook(report)));
}

#[cfg(test)]
mod tests {
    use super::{Report, RequestView};
    use crate::error::{Forbidden, HttpError};

    /// The line ends with the hidden source's chain, escaped; a concealed refusal's source is
    /// the 404's.
    #[test]
    fn the_line_names_the_hidden_sources_chain_concealed_or_not() {
        let refused = || std::io::Error::other("db-primary\nrefused");
        let internal = HttpError::internal().with_source(refused());
        let concealed = Forbidden::not_owner().with_source(refused()).conceal();
        for error in [internal, concealed] {
            let line = Report::new(&error, RequestView::default()).to_string();
            assert!(
                line.ends_with(": caused by: db-primary\\nrefused"),
                "{line}"
            );
        }
        let plain = HttpError::forbidden();
        let line = Report::new(&plain, RequestView::default()).to_string();
        assert!(!line.contains("caused by"), "{line}");
    }
}
