//! JSON text with every string cut to a maximum length, as a stream. A JSON reader must hold a
//! whole string before it hands it on, so a 300 MB `stoppedReason` would be held whole (and
//! copied); cut here, before the parser, no string costs more than the cap, whatever the input.
//! Only the inside of strings changes: the document stays valid JSON (a cut never splits an
//! escape, a surrogate pair or a UTF-8 sequence).

use std::io::{self, Read};

/// Where the reader is in the JSON text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Outside,
    /// In a string, `len` bytes into it.
    InString {
        len: usize,
    },
    /// Just after a backslash.
    Escape {
        len: usize,
    },
    /// In `\uXXXX`, `left` hex digits to go.
    Unicode {
        len: usize,
        left: u8,
    },
    /// Past the cap: dropping bytes up to the closing quote.
    Skipping {
        len: usize,
        escape: bool,
    },
}

/// A reader that cuts every JSON string to `max` bytes (of JSON text).
pub struct CappedStrings<R> {
    inner: R,
    max: usize,
    state: State,
    /// The last `\u` escape was a high surrogate: its low half must follow before a cut.
    high_surrogate: bool,
    hex: u16,
    raw: Vec<u8>,
    /// Strings cut, and the longest one's length.
    pub cut: u64,
    pub longest: usize,
}

impl<R: Read> CappedStrings<R> {
    pub fn new(inner: R, max: usize) -> Self {
        CappedStrings {
            inner,
            max,
            state: State::Outside,
            high_surrogate: false,
            hex: 0,
            raw: vec![0; 64 * 1024],
            cut: 0,
            longest: 0,
        }
    }

    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// Whether `byte` is kept, moving the state on.
    fn keep(&mut self, byte: u8) -> bool {
        match self.state {
            State::Outside => {
                if byte == b'"' {
                    self.state = State::InString { len: 0 };
                }
                true
            }
            State::InString { len } => match byte {
                b'"' => {
                    self.state = State::Outside;
                    true
                }
                b'\\' if len >= self.max && !self.high_surrogate => self.skip(len, true),
                b'\\' => {
                    self.state = State::Escape { len: len + 1 };
                    true
                }
                // A continuation byte finishes the character in progress.
                _ if len >= self.max && byte & 0xC0 != 0x80 && !self.high_surrogate => {
                    self.skip(len, false)
                }
                _ => {
                    self.high_surrogate = false;
                    self.state = State::InString { len: len + 1 };
                    true
                }
            },
            State::Escape { len } => {
                self.state = if byte == b'u' {
                    self.hex = 0;
                    State::Unicode {
                        len: len + 1,
                        left: 4,
                    }
                } else {
                    self.high_surrogate = false;
                    State::InString { len: len + 1 }
                };
                true
            }
            State::Unicode { len, left } => {
                let digit = (byte as char).to_digit(16).unwrap_or(0) as u16;
                self.hex = self.hex.wrapping_shl(4) | digit;
                self.state = if left > 1 {
                    State::Unicode {
                        len: len + 1,
                        left: left - 1,
                    }
                } else {
                    self.high_surrogate = (0xD800..0xDC00).contains(&self.hex);
                    State::InString { len: len + 1 }
                };
                true
            }
            State::Skipping { len, escape } => {
                if escape {
                    self.state = State::Skipping {
                        len: len + 1,
                        escape: false,
                    };
                    false
                } else if byte == b'"' {
                    self.cut += 1;
                    self.longest = self.longest.max(len);
                    self.state = State::Outside;
                    true
                } else {
                    self.state = State::Skipping {
                        len: len + 1,
                        escape: byte == b'\\',
                    };
                    false
                }
            }
        }
    }

    fn skip(&mut self, len: usize, escape: bool) -> bool {
        self.state = State::Skipping {
            len: len + 1,
            escape,
        };
        false
    }
}

impl<R: Read> Read for CappedStrings<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            let want = out.len().min(self.raw.len());
            let n = self.inner.read(&mut self.raw[..want])?;
            if n == 0 {
                return Ok(0);
            }
            let mut written = 0;
            for i in 0..n {
                let byte = self.raw[i];
                if self.keep(byte) {
                    out[written] = byte;
                    written += 1;
                }
            }
            // A chunk that was all skipped string is not the end of the input: read on.
            if written > 0 {
                return Ok(written);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(input: &str, max: usize) -> (String, u64) {
        let mut reader = CappedStrings::new(input.as_bytes(), max);
        let mut out = String::new();
        reader.read_to_string(&mut out).unwrap();
        (out, reader.cut)
    }

    #[test]
    fn long_strings_are_cut_and_the_json_stays_valid() {
        let (out, cut) = cap(
            r#"{"a":"0123456789","b":"é\"\u00e9\ud83d\ude00xyz","c":[1,"ok"]}"#,
            4,
        );
        assert_eq!(cut, 2);
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["a"], "0123");
        assert_eq!(value["c"][1], "ok");
        assert!(value["b"].as_str().unwrap().starts_with('é'));
    }

    #[test]
    fn short_documents_pass_unchanged() {
        let doc = r#"{"tasks":[{"stoppedReason":"Essential \"container\" exited"}]}"#;
        assert_eq!(cap(doc, 1024), (doc.to_string(), 0));
    }
}
