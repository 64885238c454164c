//! Input adapters: everything a user can hand us becomes [`Evidence`], one item at a time.
//!
//! The format is detected from the first bytes (JSON starts with `{` or `[`, anything else is
//! text) unless `--input-format` says otherwise. Items are streamed to a sink so memory does not
//! grow with the input.

pub mod capped;
pub mod json;
pub mod lines;
pub mod lossy;
pub mod service_event;
pub mod text;
pub mod utf16;
pub mod wrap;

use std::fmt;
use std::io::{self, BufRead, BufReader, Read};

use crate::model::Evidence;

/// Where each item goes: usually "diagnose and render". An error stops reading.
pub type Sink<'s> = dyn FnMut(Evidence) -> io::Result<()> + 's;

/// What the input is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Detect: JSON if it starts with `{` or `[`, text otherwise.
    #[default]
    Auto,
    /// Error messages, one per line (console labels and service events understood).
    Text,
    /// Any of the JSON shapes below, detected per value.
    Json,
    /// `aws ecs describe-tasks` output.
    DescribeTasks,
    /// One task object (or an array of them).
    Task,
    /// EventBridge "ECS Task State Change" events: one, an array, or JSON Lines.
    Event,
    /// ECS service event messages, one per line.
    ServiceEvent,
}

/// Why input could not be read.
#[derive(Debug)]
pub enum InputError {
    /// Nothing but whitespace.
    Empty,
    Io(io::Error),
    /// Writing the output failed (a closed pipe, usually); not an input problem.
    Output(io::Error),
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    UnknownShape {
        found: String,
        expected: String,
    },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Empty => f.write_str("the input is empty"),
            InputError::Io(e) => write!(f, "cannot read the input: {e}"),
            InputError::Output(e) => write!(f, "cannot write the output: {e}"),
            InputError::Json {
                line,
                column,
                message,
            } => {
                write!(
                    f,
                    "malformed JSON at line {line}, column {column}: {message}"
                )
            }
            InputError::UnknownShape { found, expected } => {
                write!(f, "unrecognised JSON: found {found}; expected {expected}")
            }
        }
    }
}

impl std::error::Error for InputError {}

/// Warnings about the input, capped so a million bad lines do not become a million warnings.
#[derive(Debug, Default)]
pub struct Warnings {
    kept: Vec<String>,
    dropped: usize,
}

const MAX_WARNINGS: usize = 100;

impl Warnings {
    pub fn push(&mut self, warning: String) {
        if self.kept.len() < MAX_WARNINGS {
            self.kept.push(warning);
        } else {
            self.dropped += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    pub fn into_vec(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.kept
                .push(format!("... and {} more warnings", self.dropped));
        }
        self.kept
    }
}

/// Reads `reader` as `format`, handing each item to `sink`. Returns the number of items.
pub fn read(
    reader: impl Read,
    format: InputFormat,
    sink: &mut Sink<'_>,
    warnings: &mut Warnings,
) -> Result<usize, InputError> {
    let mut raw = BufReader::with_capacity(64 * 1024, reader);
    let mut reader: Box<dyn BufRead + '_> = match utf16::detect(&mut raw).map_err(InputError::Io)? {
        Some(endian) => {
            warnings.push(format!("the input is {}; read as such", endian.name()));
            Box::new(BufReader::with_capacity(
                64 * 1024,
                utf16::Utf16::new(raw, endian),
            ))
        }
        None => Box::new(raw),
    };
    let first = skip_leading_whitespace(&mut reader).map_err(InputError::Io)?;
    let Some(first) = first else {
        return Err(InputError::Empty);
    };
    let shape = match format {
        InputFormat::Auto if looks_like_json(first, reader.fill_buf().map_err(InputError::Io)?) => {
            Some(None)
        }
        InputFormat::Auto | InputFormat::Text | InputFormat::ServiceEvent => None,
        InputFormat::Json => Some(None),
        InputFormat::DescribeTasks => Some(Some(json::Shape::DescribeTasks)),
        InputFormat::Task => Some(Some(json::Shape::Task)),
        InputFormat::Event => Some(Some(json::Shape::Event)),
    };
    let count = match shape {
        Some(expected) => json::read(reader, expected, sink, warnings)?,
        None => {
            let mode = if format == InputFormat::ServiceEvent {
                text::TextMode::ServiceEvents
            } else {
                text::TextMode::Errors
            };
            text::read(reader, mode, sink, warnings)?
        }
    };
    Ok(count)
}

/// Consumes whitespace and a byte-order mark; returns the first other byte (not consumed).
fn skip_leading_whitespace(reader: &mut impl BufRead) -> io::Result<Option<u8>> {
    let mut first_chunk = true;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(None);
        }
        let mut skip = if first_chunk && buf.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        first_chunk = false;
        skip += buf[skip..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        if skip < buf.len() {
            let first = buf[skip];
            reader.consume(skip);
            return Ok(Some(first));
        }
        let n = buf.len();
        reader.consume(n);
    }
}

/// `{` followed by a key or `}`, or `[` followed by an object, array, or `]`. Text such as
/// `[2024-05-01] ...` is not JSON.
fn looks_like_json(first: u8, buffered: &[u8]) -> bool {
    let next = buffered.iter().skip(1).find(|b| !b.is_ascii_whitespace());
    matches!(
        (first, next),
        (b'{', Some(b'"' | b'}')) | (b'[', Some(b'{' | b'[' | b']')) | (b'{' | b'[', None)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(input: &[u8], format: InputFormat) -> Result<usize, InputError> {
        let mut sink = |_: Evidence| -> io::Result<()> { Ok(()) };
        read(input, format, &mut sink, &mut Warnings::default())
    }

    #[test]
    fn empty_input() {
        assert!(matches!(
            count(b"", InputFormat::Auto),
            Err(InputError::Empty)
        ));
        assert!(matches!(
            count(b" \n\t\n", InputFormat::Auto),
            Err(InputError::Empty)
        ));
        assert!(matches!(
            count(b"\xEF\xBB\xBF\n", InputFormat::Auto),
            Err(InputError::Empty)
        ));
    }

    #[test]
    fn detection() {
        assert_eq!(
            count(b"Task stopped by user", InputFormat::Auto).unwrap(),
            1
        );
        assert_eq!(
            count(b"[2024-05-01] Task stopped by user", InputFormat::Auto).unwrap(),
            1
        );
        assert_eq!(
            count(
                br#"  {"stoppedReason": "Task stopped by user"}"#,
                InputFormat::Auto
            )
            .unwrap(),
            1
        );
        assert!(matches!(
            count(b"{not json", InputFormat::Json),
            Err(InputError::Json { .. })
        ));
    }
}
