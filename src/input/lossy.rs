//! Invalid UTF-8 is replaced, not fatal: logs get corrupted, and a stray byte in one container's
//! reason must not cost the user the diagnosis of every task in the document.

use std::io::{self, Read};

const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// Where invalid UTF-8 was found: the first few lines, and how many lines in all.
#[derive(Debug, Default, Clone)]
pub struct InvalidUtf8 {
    pub first: Vec<u64>,
    pub lines: u64,
    last: Option<u64>,
}

impl InvalidUtf8 {
    const SHOWN: usize = 5;

    pub fn record(&mut self, line: u64) {
        if self.last == Some(line) {
            return;
        }
        self.last = Some(line);
        self.lines += 1;
        if self.first.len() < Self::SHOWN {
            self.first.push(line);
        }
    }

    /// The warning to give, if anything was replaced.
    pub fn warning(&self) -> Option<String> {
        if self.lines == 0 {
            return None;
        }
        let shown: Vec<String> = self.first.iter().map(u64::to_string).collect();
        let more = match self.lines - self.first.len() as u64 {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        Some(format!(
            "input is not valid UTF-8 (line {}{more}); invalid bytes were replaced by U+FFFD",
            shown.join(", ")
        ))
    }
}

/// A reader that passes valid UTF-8 through and turns each invalid sequence into U+FFFD.
pub struct LossyUtf8<R> {
    inner: R,
    raw: Vec<u8>,
    /// Bytes of an incomplete sequence at the end of the last chunk, kept for the next one.
    carry: usize,
    out: Vec<u8>,
    out_pos: usize,
    line: u64,
    eof: bool,
    pub invalid: InvalidUtf8,
}

impl<R: Read> LossyUtf8<R> {
    pub fn new(inner: R) -> Self {
        LossyUtf8 {
            inner,
            raw: vec![0; 64 * 1024],
            carry: 0,
            out: Vec::with_capacity(64 * 1024),
            out_pos: 0,
            line: 1,
            eof: false,
            invalid: InvalidUtf8::default(),
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.out_pos = 0;
        while self.out.is_empty() && !self.eof {
            let n = loop {
                match self.inner.read(&mut self.raw[self.carry..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            self.eof = n == 0;
            let end = self.carry + n;
            self.carry = 0;
            let raw = std::mem::take(&mut self.raw);
            let mut chunk = &raw[..end];
            loop {
                match std::str::from_utf8(chunk) {
                    Ok(valid) => {
                        self.push_valid(valid.as_bytes());
                        break;
                    }
                    Err(e) => {
                        let (valid, rest) = chunk.split_at(e.valid_up_to());
                        self.push_valid(valid);
                        match e.error_len() {
                            Some(len) => {
                                self.invalid.record(self.line);
                                self.out.extend_from_slice(REPLACEMENT);
                                chunk = &rest[len..];
                            }
                            // A sequence cut by the chunk's end: finish it with the next read.
                            None if !self.eof => {
                                self.carry = rest.len();
                                break;
                            }
                            None => {
                                self.invalid.record(self.line);
                                self.out.extend_from_slice(REPLACEMENT);
                                break;
                            }
                        }
                    }
                }
            }
            self.raw = raw;
            if self.carry > 0 {
                self.raw.copy_within(end - self.carry..end, 0);
            }
        }
        Ok(())
    }

    fn push_valid(&mut self, bytes: &[u8]) {
        self.line += memchr::memchr_iter(b'\n', bytes).count() as u64;
        self.out.extend_from_slice(bytes);
    }
}

impl<R: Read> Read for LossyUtf8<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos == self.out.len() {
            self.refill()?;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lossy(input: &[u8], read_size: usize) -> (String, InvalidUtf8) {
        // A reader that hands out `read_size` bytes at a time, to cut sequences anywhere.
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.1.min(self.0.len()).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut reader = LossyUtf8::new(Trickle(input, read_size));
        let mut out = String::new();
        reader.read_to_string(&mut out).unwrap();
        (out, reader.invalid)
    }

    #[test]
    fn valid_text_passes_through_whatever_the_chunking() {
        let text = "naïve — 日本語 ✓\nline two €";
        for size in 1..8 {
            assert_eq!(lossy(text.as_bytes(), size).0, text);
            assert_eq!(lossy(text.as_bytes(), size).1.lines, 0);
        }
    }

    #[test]
    fn invalid_bytes_become_replacement_characters_with_their_line() {
        let input = b"ok\nbad \xff\xfe here\nand \xe2\x82 cut";
        for size in 1..8 {
            let (out, invalid) = lossy(input, size);
            assert_eq!(
                out, "ok\nbad \u{FFFD}\u{FFFD} here\nand \u{FFFD} cut",
                "read size {size}"
            );
            assert_eq!(invalid.lines, 2);
            assert_eq!(invalid.first, vec![2, 3]);
        }
        let (out, _) = lossy(b"truncated at the end \xe2\x82", 4);
        assert_eq!(out, "truncated at the end \u{FFFD}");
    }
}
