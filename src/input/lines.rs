//! Reading lines with a bound on memory: a line longer than the limit keeps its first part and
//! the rest is skipped, so a 1 GB paste with no newline never sits in memory.

use std::io::{self, BufRead};

/// One line as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number.
    pub number: usize,
    /// The line's bytes without the newline, at most the reader's limit.
    pub bytes: Vec<u8>,
    /// The full length of the line, when it was longer than what `bytes` kept.
    pub truncated_from: Option<usize>,
}

/// Splits a reader into bounded lines.
pub struct BoundedLines<R> {
    reader: R,
    limit: usize,
    number: usize,
    bytes_read: u64,
}

impl<R: BufRead> BoundedLines<R> {
    pub fn new(reader: R, limit: usize) -> Self {
        BoundedLines {
            reader,
            limit,
            number: 0,
            bytes_read: 0,
        }
    }

    /// Bytes consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// The next line, or `None` at the end of input.
    pub fn next_line(&mut self) -> io::Result<Option<Line>> {
        let mut kept = Vec::new();
        let mut total = 0usize;
        let mut saw_any = false;
        loop {
            let buf = match self.reader.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                break;
            }
            saw_any = true;
            let (chunk, found_newline) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (&buf[..i], true),
                None => (buf, false),
            };
            let room = self.limit.saturating_sub(kept.len());
            kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
            total += chunk.len();
            let used = chunk.len() + usize::from(found_newline);
            self.reader.consume(used);
            self.bytes_read += used as u64;
            if found_newline {
                break;
            }
        }
        if !saw_any {
            return Ok(None);
        }
        self.number += 1;
        if kept.last() == Some(&b'\r') && total == kept.len() {
            kept.pop();
            total -= 1;
        }
        let truncated_from = (total > kept.len()).then_some(total);
        Ok(Some(Line {
            number: self.number,
            bytes: kept,
            truncated_from,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_bounds() {
        let input = b"short\r\nthis line is long\nlast";
        let mut lines = BoundedLines::new(&input[..], 8);
        let a = lines.next_line().unwrap().unwrap();
        assert_eq!(
            (a.number, a.bytes.as_slice(), a.truncated_from),
            (1, &b"short"[..], None)
        );
        let b = lines.next_line().unwrap().unwrap();
        assert_eq!(
            (b.bytes.as_slice(), b.truncated_from),
            (&b"this lin"[..], Some(17))
        );
        let c = lines.next_line().unwrap().unwrap();
        assert_eq!(c.bytes, b"last");
        assert!(lines.next_line().unwrap().is_none());
    }

    #[test]
    fn small_buffer_reader() {
        let data = "x".repeat(10_000);
        let reader = std::io::BufReader::with_capacity(16, data.as_bytes());
        let mut lines = BoundedLines::new(reader, 100);
        let line = lines.next_line().unwrap().unwrap();
        assert_eq!(line.bytes.len(), 100);
        assert_eq!(line.truncated_from, Some(10_000));
    }
}
