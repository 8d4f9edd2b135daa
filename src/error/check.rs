//! One-line permission checks that end in `?`.

use std::error::Error as StdError;

use super::{Forbidden, HttpError};

/// Turns a failed check (`false`, `None`) into a refusal, in one expression ending in `?`.
///
/// ```
/// use denied::prelude::*;
/// use denied::{Forbidden, HttpError};
///
/// struct User { roles: Vec<&'static str> }
///
/// fn archive(user: &User, repo: Option<&str>) -> Result<String, HttpError> {
///     let repo = repo.or_not_found()?;
///     user.roles.contains(&"admin").or_deny(Forbidden::missing_role("admin"))?;
///     Ok(format!("archived {repo}"))
/// }
///
/// let admin = User { roles: vec!["admin"] };
/// assert_eq!(archive(&admin, Some("denied"))?, "archived denied");
/// assert_eq!(archive(&admin, None).unwrap_err().status(), 404);
/// assert_eq!(archive(&User { roles: vec![] }, Some("denied")).unwrap_err().status(), 403);
/// # Ok::<(), HttpError>(())
/// ```
pub trait OrDeny: Sized {
    /// What a passed check gives: `()` for a `bool`, the value for an `Option`.
    type Granted;

    /// Passes, or fails with `refusal`.
    ///
    /// # Errors
    ///
    /// `refusal`, when the check failed.
    fn or_deny<E>(self, refusal: E) -> Result<Self::Granted, E>;

    /// Passes, or fails with the refusal `refusal` builds, built only on failure.
    ///
    /// # Errors
    ///
    /// What `refusal` returns, when the check failed.
    fn or_deny_with<E>(self, refusal: impl FnOnce() -> E) -> Result<Self::Granted, E>;

    /// Passes, or fails with the default [`Forbidden`].
    ///
    /// # Errors
    ///
    /// A 403, when the check failed.
    fn or_forbidden(self) -> Result<Self::Granted, Forbidden> {
        self.or_deny_with(Forbidden::new)
    }

    /// Passes, or fails with the crate's 404.
    ///
    /// # Errors
    ///
    /// A 404, when the check failed.
    fn or_not_found(self) -> Result<Self::Granted, HttpError> {
        self.or_deny_with(HttpError::not_found)
    }
}

impl OrDeny for bool {
    type Granted = ();

    fn or_deny<E>(self, refusal: E) -> Result<(), E> {
        if self {
            Ok(())
        } else {
            Err(refusal)
        }
    }

    fn or_deny_with<E>(self, refusal: impl FnOnce() -> E) -> Result<(), E> {
        if self {
            Ok(())
        } else {
            Err(refusal())
        }
    }
}

impl<T> OrDeny for Option<T> {
    type Granted = T;

    fn or_deny<E>(self, refusal: E) -> Result<T, E> {
        self.ok_or(refusal)
    }

    fn or_deny_with<E>(self, refusal: impl FnOnce() -> E) -> Result<T, E> {
        self.ok_or_else(refusal)
    }
}

/// Hides any error behind a generic 500, keeping it as the hidden source for logs.
///
/// ```
/// use denied::prelude::*;
///
/// fn load() -> Result<String, denied::HttpError> {
///     let text = std::fs::read_to_string("/no/such/file").or_internal()?;
///     Ok(text)
/// }
/// let error = load().unwrap_err();
/// assert_eq!(error.status(), 500);
/// assert_eq!(error.message(), None); // the generic sentence is sent
/// assert!(std::error::Error::source(&error).is_some());
///
/// // The boxed errors of app code (and `anyhow::Error`) too.
/// fn parse(text: &str) -> Result<u32, Box<dyn std::error::Error + Send + Sync>> {
///     Ok(text.parse()?)
/// }
/// let error = parse("seven").or_internal().unwrap_err();
/// assert_eq!(error.status(), 500);
/// ```
pub trait OrInternal<T> {
    /// The value, or a 500 whose hidden source is the error.
    ///
    /// # Errors
    ///
    /// A generic 500, when `self` is an error.
    fn or_internal(self) -> Result<T, HttpError>;
}

/// Any error [`HttpError::with_source`] takes: every `std::error::Error + Send + Sync`, a
/// `Box<dyn Error + Send + Sync>`, and the error types that convert into one (`anyhow::Error`).
impl<T, E: Into<Box<dyn StdError + Send + Sync + 'static>>> OrInternal<T> for Result<T, E> {
    fn or_internal(self) -> Result<T, HttpError> {
        self.map_err(|error| HttpError::internal().with_source(error))
    }
}
