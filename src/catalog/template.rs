//! `{name}` templates used by cause, fix, notes, candidates and commands.
//!
//! User templates are parsed and checked when the catalog loads (an unknown placeholder is a
//! load error, not a surprise at 3 a.m.); built-in ones are checked by the catalog tests and
//! parsed on first render, since a run renders only the few patterns that matched.
//! `{{` and `}}` write literal braces.
//! A value that is not known for this input renders as `<name>`: a visible placeholder the
//! reader must fill in, never a guessed value. An optional section `{? ... }` renders only when
//! every value inside it is known: `The container{? `{container}`} ran out of memory`.

use std::fmt;
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Var(String),
    /// `{? ... }`: rendered only when every value inside is known.
    Section(Vec<Piece>),
}

/// A template, parsed now ([`Template::parse`]) or on first use ([`Template::unchecked`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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

/// Splits `source` into literal runs, placeholders and optional sections (literal text is
/// copied in runs between braces, not character by character).
fn parse_pieces(source: &str) -> Result<Vec<Piece>, TemplateError> {
    let mut at = 0;
    let pieces = sequence(source, &mut at, None)?;
    Ok(pieces)
}

/// Parses from `*at` to the end, or to the `}` closing the section opened at `section`.
fn sequence(
    source: &str,
    at: &mut usize,
    section: Option<usize>,
) -> Result<Vec<Piece>, TemplateError> {
    let error = |message: String| Err(TemplateError { message });
    let mut pieces = Vec::new();
    let mut literal = String::new();
    loop {
        let rest = &source[*at..];
        let Some(found) = rest.find(['{', '}']) else {
            literal.push_str(rest);
            *at = source.len();
            break;
        };
        literal.push_str(&rest[..found]);
        let offset = *at + found;
        let brace = source.as_bytes()[offset];
        let next = source.as_bytes().get(offset + 1).copied();
        if next == Some(brace) {
            // `{{` or `}}`: a literal brace.
            literal.push(brace as char);
            *at = offset + 2;
            continue;
        }
        if brace == b'}' {
            if section.is_some() {
                *at = offset + 1;
                if !literal.is_empty() {
                    pieces.push(Piece::Literal(literal));
                }
                return Ok(pieces);
            }
            return error(format!(
                "unmatched `}}` at byte {offset}; write `}}}}` for a literal brace"
            ));
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(std::mem::take(&mut literal)));
        }
        if next == Some(b'?') {
            *at = offset + 2;
            let inner = sequence(source, at, Some(offset))?;
            pieces.push(Piece::Section(inner));
            continue;
        }
        let Some(end) = source[offset + 1..].find('}') else {
            return error(format!(
                "unclosed `{{` at byte {offset}; write `{{{{` for a literal brace"
            ));
        };
        let name = &source[offset + 1..offset + 1 + end];
        if !is_variable_name(name) {
            return error(format!(
                "`{{{name}}}` is not a placeholder (names are lower_snake_case); write `{{{{` for a literal brace"
            ));
        }
        pieces.push(Piece::Var(name.to_string()));
        *at = offset + end + 2;
    }
    if let Some(start) = section {
        return error(format!(
            "the optional section opened at byte {start} (`{{?`) is not closed with `}}`"
        ));
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Ok(pieces)
}

fn collect_variables<'p>(pieces: &'p [Piece], out: &mut Vec<&'p str>) {
    for piece in pieces {
        match piece {
            Piece::Var(name) => out.push(name),
            Piece::Section(inner) => collect_variables(inner, out),
            Piece::Literal(_) => {}
        }
    }
}

fn render_pieces<'v>(
    pieces: &[Piece],
    lookup: &impl Fn(&str) -> Option<&'v str>,
    out: &mut String,
) {
    for piece in pieces {
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
            // A section needs its own values; a nested section decides for itself.
            Piece::Section(inner) => {
                let known = inner.iter().all(|p| match p {
                    Piece::Var(name) => lookup(name).is_some(),
                    _ => true,
                });
                if known {
                    render_pieces(inner, lookup, out);
                }
            }
        }
    }
}

impl Template {
    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The placeholder names, in order of appearance (with repeats), sections included.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        let mut names = Vec::new();
        collect_variables(self.pieces(), &mut names);
        names.into_iter()
    }

    /// Renders with `lookup`; unknown values become `<name>`, and optional sections with an
    /// unknown value are left out.
    pub fn render<'v>(&self, lookup: impl Fn(&str) -> Option<&'v str>) -> String {
        // About the text's own length: values are seldom much longer than their placeholders,
        // and growing the string piece by piece was over half of filling in a template.
        let mut out = String::with_capacity(self.source.len() + 32);
        render_pieces(self.pieces(), &lookup, &mut out);
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
    fn optional_sections() {
        let t = Template::parse(
            "The container{? `{container}`} used too much memory{? (exit {exit_code})}.",
        )
        .unwrap();
        assert_eq!(
            t.render(|n| (n == "container").then_some("api")),
            "The container `api` used too much memory."
        );
        assert_eq!(t.render(|_| None), "The container used too much memory.");
        assert_eq!(
            t.variables().collect::<Vec<_>>(),
            ["container", "exit_code"]
        );
        let nested = Template::parse("a{? b{? {x}} {y}}").unwrap();
        assert_eq!(nested.render(|n| (n == "y").then_some("Y")), "a b Y");
        assert!(Template::parse("a{? b").is_err());
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
