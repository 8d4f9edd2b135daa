//! Text written into a log line that may come from a request or from another service: its
//! control characters are escaped, so that it can neither break the line nor drive a terminal.

use std::fmt;

/// `text` for a one-line log: a control character (a line break, a terminal escape) is written
/// as its escape (`\n`, `\u{1b}`), every other character as it is.
pub(crate) struct Escaped<'a>(pub(crate) &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(char::is_control) {
            f.write_str(&rest[..at])?;
            let mut chars = rest[at..].chars();
            if let Some(control) = chars.next() {
                write!(f, "{}", control.escape_debug())?;
            }
            rest = chars.as_str();
        }
        f.write_str(rest)
    }
}

/// Anything `Display` for a one-line log, written as [`Escaped`] writes text, without
/// formatting it into a string first.
pub(crate) struct EscapedDisplay<'a>(pub(crate) &'a dyn fmt::Display);

impl fmt::Display for EscapedDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// Passes what is written on to the formatter, escaped.
        struct Escaping<'a, 'b>(&'a mut fmt::Formatter<'b>);
        impl fmt::Write for Escaping<'_, '_> {
            fn write_str(&mut self, text: &str) -> fmt::Result {
                write!(self.0, "{}", Escaped(text))
            }
        }
        fmt::write(&mut Escaping(f), format_args!("{}", self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::{Escaped, EscapedDisplay};

    #[test]
    fn a_display_is_escaped_as_text_is() {
        let error = std::io::Error::other("db-primary\nrefused\u{1b}[2K");
        assert_eq!(
            EscapedDisplay(&error).to_string(),
            "db-primary\\nrefused\\u{1b}[2K"
        );
    }

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        let forged = "1\n2024-01-01T00:00:00Z INFO admin login ok\u{1b}[2K caf\u{e9}\t\u{85}";
        assert_eq!(
            Escaped(forged).to_string(),
            "1\\n2024-01-01T00:00:00Z INFO admin login ok\\u{1b}[2K caf\u{e9}\\t\\u{85}"
        );
        assert_eq!(Escaped("plain text").to_string(), "plain text");
    }
}
