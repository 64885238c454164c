//! UTF-16 input (what Windows PowerShell's `>` and `Out-File` write) read as the UTF-8 the rest
//! of the program expects. Without this, every other byte is a NUL and nothing matches.

use std::io::{self, BufRead, Read};

/// Byte order of UTF-16 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endian {
    Little,
    Big,
}

impl Endian {
    pub fn name(self) -> &'static str {
        match self {
            Endian::Little => "UTF-16LE",
            Endian::Big => "UTF-16BE",
        }
    }
}

/// Whether the text `reader` starts with is UTF-16: a byte order mark, or ASCII text with a
/// NUL in every other byte.
pub fn detect(reader: &mut impl BufRead) -> io::Result<Option<Endian>> {
    let buf = reader.fill_buf()?;
    if buf.starts_with(&[0xFF, 0xFE]) {
        return Ok(Some(Endian::Little));
    }
    if buf.starts_with(&[0xFE, 0xFF]) {
        return Ok(Some(Endian::Big));
    }
    let sample = &buf[..buf.len().min(64) & !1];
    if sample.len() < 4 {
        return Ok(None);
    }
    let pairs = || sample.chunks_exact(2);
    if pairs().all(|p| p[1] == 0 && p[0] != 0) {
        return Ok(Some(Endian::Little));
    }
    if pairs().all(|p| p[0] == 0 && p[1] != 0) {
        return Ok(Some(Endian::Big));
    }
    Ok(None)
}

/// Decodes UTF-16 from `inner` into UTF-8; a byte order mark is dropped, unpaired surrogates
/// become U+FFFD.
pub struct Utf16<R> {
    inner: R,
    endian: Endian,
    /// A byte left over from an odd-sized read, and a high surrogate awaiting its pair.
    odd: Option<u8>,
    high: Option<u16>,
    started: bool,
    out: Vec<u8>,
    out_pos: usize,
}

impl<R: Read> Utf16<R> {
    pub fn new(inner: R, endian: Endian) -> Self {
        Utf16 {
            inner,
            endian,
            odd: None,
            high: None,
            started: false,
            out: Vec::new(),
            out_pos: 0,
        }
    }

    fn push(&mut self, c: char) {
        let mut buf = [0; 4];
        self.out
            .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }

    fn unit(&mut self, unit: u16) {
        let first = !self.started;
        self.started = true;
        if first && unit == 0xFEFF {
            return;
        }
        match (self.high.take(), unit) {
            (Some(high), 0xDC00..=0xDFFF) => {
                let c = 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                self.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            (high, 0xD800..=0xDBFF) => {
                if high.is_some() {
                    self.push(char::REPLACEMENT_CHARACTER);
                }
                self.high = Some(unit);
            }
            (high, _) => {
                if high.is_some() {
                    self.push(char::REPLACEMENT_CHARACTER);
                }
                let c = char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER);
                self.push(c);
            }
        }
    }
}

impl<R: Read> Read for Utf16<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos >= self.out.len() {
            self.out.clear();
            self.out_pos = 0;
            let mut raw = [0u8; 16 * 1024];
            let n = self.inner.read(&mut raw)?;
            if n == 0 {
                if self.high.take().is_some() || self.odd.take().is_some() {
                    self.push(char::REPLACEMENT_CHARACTER);
                    continue;
                }
                return Ok(0);
            }
            let mut bytes: Vec<u8> = self.odd.take().into_iter().collect();
            bytes.extend_from_slice(&raw[..n]);
            let mut pairs = bytes.chunks_exact(2);
            for pair in &mut pairs {
                let unit = match self.endian {
                    Endian::Little => u16::from_le_bytes([pair[0], pair[1]]),
                    Endian::Big => u16::from_be_bytes([pair[0], pair[1]]),
                };
                self.unit(unit);
            }
            self.odd = pairs.remainder().first().copied();
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

    fn encode(text: &str, endian: Endian, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
        for unit in units {
            match endian {
                Endian::Little => out.extend_from_slice(&unit.to_le_bytes()),
                Endian::Big => out.extend_from_slice(&unit.to_be_bytes()),
            }
        }
        out
    }

    #[test]
    fn both_byte_orders_with_or_without_a_mark() {
        let text = "OutOfMemoryError: Container killed 😀 é";
        for endian in [Endian::Little, Endian::Big] {
            for bom in [true, false] {
                let bytes = encode(text, endian, bom);
                let mut reader = io::BufReader::new(&bytes[..]);
                assert_eq!(detect(&mut reader).unwrap(), Some(endian));
                let mut out = String::new();
                Utf16::new(reader, endian).read_to_string(&mut out).unwrap();
                assert_eq!(out, text);
            }
        }
        let mut plain = io::BufReader::new(&b"OutOfMemoryError"[..]);
        assert_eq!(detect(&mut plain).unwrap(), None);
    }
}
