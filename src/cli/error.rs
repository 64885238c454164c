//! How errors reach the user: a title, the detail, and what to do. Exit code 2.

use std::fmt;
use std::io;

use crate::catalog::CatalogErrors;
use crate::input::InputError;

/// Catalog problems shown in full; a directory of thousands of broken files should not bury
/// the first ones (which are often the cause of the rest).
const SHOWN_CATALOG_ERRORS: usize = 50;

/// An error that ends the run.
#[derive(Debug)]
pub enum CliError {
    Usage(String),
    Input(InputError),
    Catalog(CatalogErrors),
    Io(String, io::Error),
    /// A message already written out in full (redacted with `--redact`).
    Message(String),
    /// Already reported in full (e.g. on stdout as part of the report).
    Reported,
}

impl CliError {
    /// Whether this is the reader of our output going away: not worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, CliError::Input(InputError::Output(e)) | CliError::Io(_, e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl From<CatalogErrors> for CliError {
    fn from(e: CatalogErrors) -> Self {
        CliError::Catalog(e)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(message) => write!(f, "error: {message}"),
            CliError::Input(e) => {
                write!(f, "error: {e}")?;
                match e {
                    InputError::Empty => write!(
                        f,
                        "\n  help: pass the stopped reason as an argument, or pipe it in: ecs-diagnose explain - < reason.txt"
                    ),
                    InputError::Json { .. } => write!(
                        f,
                        "\n  help: plain text is accepted too; pass --input-format text to read the input as error messages"
                    ),
                    InputError::UnknownShape { .. } => write!(
                        f,
                        "\n  help: pipe `aws ecs describe-tasks` output or an event as is, or pass --input-format text"
                    ),
                    _ => Ok(()),
                }
            }
            CliError::Catalog(errors) => {
                let n = errors.0.len();
                writeln!(
                    f,
                    "error: {n} problem{} in pattern files",
                    if n == 1 { "" } else { "s" }
                )?;
                for e in errors.0.iter().take(SHOWN_CATALOG_ERRORS) {
                    // Multi-line details (a regex error's caret line) stay under their error.
                    writeln!(f, "  {}", e.to_string().replace('\n', "\n      "))?;
                }
                if n > SHOWN_CATALOG_ERRORS {
                    writeln!(f, "  ... and {} more", n - SHOWN_CATALOG_ERRORS)?;
                }
                write!(
                    f,
                    "  help: the pattern file format is described in patterns/README.md"
                )
            }
            CliError::Io(what, e) => write!(f, "error: {what}: {e}"),
            CliError::Message(message) => f.write_str(message),
            CliError::Reported => Ok(()),
        }
    }
}
