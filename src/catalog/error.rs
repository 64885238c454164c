//! Problems found while loading pattern files. Loading collects every problem before
//! reporting, so an author fixes a file in one pass.

use std::fmt;

/// One problem in one pattern file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    /// The file, as the user would type it (`patterns/x.yaml` for built-ins).
    pub file: String,
    /// 1-based line and column.
    pub position: Option<(u32, u32)>,
    /// The pattern id, when the file got far enough to have one.
    pub pattern: Option<String>,
    /// Where in the pattern (`match[0].regex`, `fix`, ...).
    pub field: Option<String>,
    pub message: String,
}

impl CatalogError {
    pub fn new(file: &str, message: impl Into<String>) -> CatalogError {
        CatalogError {
            file: file.to_string(),
            position: None,
            pattern: None,
            field: None,
            message: message.into(),
        }
    }

    pub fn at(mut self, position: Option<(usize, usize)>) -> CatalogError {
        if let Some((line, column)) = position {
            let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            self.position = Some((narrow(line), narrow(column)));
        }
        self
    }

    pub fn pattern(mut self, id: Option<&str>) -> CatalogError {
        self.pattern = id.map(str::to_string);
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> CatalogError {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        f.write_str(": ")?;
        if let Some(id) = &self.pattern {
            write!(f, "pattern `{id}`: ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found in a catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogErrors(pub Vec<CatalogError>);

impl fmt::Display for CatalogErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CatalogErrors {}

/// Line and column (1-based) of the first occurrence of `needle` in `text`, searching from
/// the `nth` occurrence of `anchor` (so the nth `regex:` key finds the nth rule's regex).
pub fn locate(text: &str, needle: &str, anchor: Option<(&str, usize)>) -> Option<(usize, usize)> {
    let start = match anchor {
        Some((anchor, nth)) => text.match_indices(anchor).nth(nth).map(|(at, _)| at)?,
        None => 0,
    };
    let needle = needle
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(needle);
    let at = if needle.is_empty() {
        start
    } else {
        start + text[start..].find(needle)?
    };
    Some(line_column(text, at))
}

/// 1-based line and column of byte offset `at`.
pub fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(at, |nl| at - nl - 1) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_the_nth_key() {
        let text = "id: a\nmatch:\n  - regex: one\n  - regex: two\n";
        assert_eq!(locate(text, "two", Some(("regex:", 1))), Some((4, 12)));
        assert_eq!(locate(text, "", Some(("regex:", 0))), Some((3, 5)));
        assert_eq!(locate(text, "nowhere", None), None);
    }

    #[test]
    fn display_names_file_line_and_pattern() {
        let e = CatalogError::new("patterns/x.yaml", "invalid regex")
            .at(Some((3, 5)))
            .pattern(Some("x"))
            .field("match[0].regex");
        assert_eq!(
            e.to_string(),
            "patterns/x.yaml:3:5: pattern `x`: match[0].regex: invalid regex"
        );
    }
}
