//! `{name}` templates used by cause, fix, notes, candidates and commands.
//!
//! User templates are parsed and checked when the catalog loads (an unknown placeholder is a
//! load error, not a surprise at 3 a.m.); built-in ones are checked by the catalog tests and
//! parsed on first render, since a run renders only the few patterns that matched.
//! `{{` and `}}` write literal braces.
//! A value that is not known for this input renders as `<name>`: a visible placeholder the
//! reader must fill in, never a guessed value.

use std::fmt;
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Var(String),
}

/// A template, parsed now ([`Template::parse`]) or on first use ([`Template::unchecked`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    pieces: OnceLock<Vec<Piece>>,
}

/// A syntax error in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Template {
    /// Parses `source` now.
    pub fn parse(source: &str) -> Result<Template, TemplateError> {
        let pieces = OnceLock::new();
        let _ = pieces.set(parse_pieces(source)?);
        Ok(Template {
            source: source.to_string(),
            pieces,
        })
    }

    /// A template parsed on first use. For templates already checked (the built-in catalog,
    /// by its tests); should one not parse after all, it renders as written.
    pub fn unchecked(source: String) -> Template {
        Template {
            source,
            pieces: OnceLock::new(),
        }
    }

    fn pieces(&self) -> &[Piece] {
        self.pieces.get_or_init(|| {
            parse_pieces(&self.source).unwrap_or_else(|_| vec![Piece::Literal(self.source.clone())])
        })
    }
}

/// Splits `source` into literal runs and placeholders (literal text is copied in runs between
/// braces, not character by character).
fn parse_pieces(source: &str) -> Result<Vec<Piece>, TemplateError> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut rest = source;
    while let Some(at) = rest.find(['{', '}']) {
        let offset = source.len() - rest.len() + at;
        literal.push_str(&rest[..at]);
        let brace = rest.as_bytes()[at];
        let after = &rest[at + 1..];
        if after.as_bytes().first() == Some(&brace) {
            // `{{` or `}}`: a literal brace.
            literal.push(brace as char);
            rest = &after[1..];
            continue;
        }
        if brace == b'}' {
            return Err(TemplateError {
                message: format!(
                    "unmatched `}}` at byte {offset}; write `}}}}` for a literal brace"
                ),
            });
        }
        let Some(end) = after.find('}') else {
            return Err(TemplateError {
                message: format!(
                    "unclosed `{{` at byte {offset}; write `{{{{` for a literal brace"
                ),
            });
        };
        let name = &after[..end];
        if !is_variable_name(name) {
            return Err(TemplateError {
                message: format!(
                    "`{{{name}}}` is not a placeholder (names are lower_snake_case); write `{{{{` for a literal brace"
                ),
            });
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(std::mem::take(&mut literal)));
        }
        pieces.push(Piece::Var(name.to_string()));
        rest = &after[end + 1..];
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Ok(pieces)
}

impl Template {
    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The placeholder names, in order of appearance (with repeats).
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.pieces().iter().filter_map(|p| match p {
            Piece::Var(name) => Some(name.as_str()),
            Piece::Literal(_) => None,
        })
    }

    /// Renders with `lookup`; unknown values become `<name>`.
    pub fn render<'v>(&self, lookup: impl Fn(&str) -> Option<&'v str>) -> String {
        let mut out = String::new();
        for piece in self.pieces() {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Var(name) => match lookup(name) {
                    Some(value) => out.push_str(value),
                    None => {
                        out.push('<');
                        out.push_str(name);
                        out.push('>');
                    }
                },
            }
        }
        out
    }
}

fn is_variable_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'_'))
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_known_and_unknown_values() {
        let t = Template::parse("aws ecr x --region {region} --registry-id {account}").unwrap();
        let out = t.render(|name| (name == "region").then_some("eu-west-1"));
        assert_eq!(out, "aws ecr x --region eu-west-1 --registry-id <account>");
        assert_eq!(t.variables().collect::<Vec<_>>(), ["region", "account"]);
    }

    #[test]
    fn escaped_braces() {
        let t = Template::parse(r#"--change-batch '{{"Name":"{record}"}}'"#).unwrap();
        assert_eq!(
            t.render(|_| Some("a.b")),
            r#"--change-batch '{"Name":"a.b"}'"#
        );
    }

    #[test]
    fn syntax_errors() {
        assert!(Template::parse("{region").is_err());
        assert!(Template::parse("a } b").is_err());
        assert!(Template::parse("{Region}").is_err());
        assert!(Template::parse("{\"a\": 1}").is_err());
    }

    #[test]
    fn unicode_literals_survive() {
        let t = Template::parse("can’t pull {image} — check").unwrap();
        assert_eq!(t.render(|_| Some("x")), "can’t pull x — check");
    }
}
