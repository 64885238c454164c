//! `{name}` templates used by cause, fix, notes, candidates and commands.
//!
//! Parsed once when the catalog loads (so an unknown placeholder is a load error, not a
//! surprise at 3 a.m.), rendered for every finding. `{{` and `}}` write literal braces.
//! A value that is not known for this input renders as `<name>`: a visible placeholder the
//! reader must fill in, never a guessed value.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Var(String),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    pieces: Vec<Piece>,
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
    /// Parses `source`.
    pub fn parse(source: &str) -> Result<Template, TemplateError> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = source.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|&(_, c)| c) == Some('{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().map(|&(_, c)| c) == Some('}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let rest = &source[at + 1..];
                    let Some(end) = rest.find('}') else {
                        return Err(TemplateError {
                            message: format!("unclosed `{{` at byte {at}; write `{{{{` for a literal brace"),
                        });
                    };
                    let name = &rest[..end];
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
                    for _ in 0..=name.chars().count() {
                        chars.next();
                    }
                }
                '}' => {
                    return Err(TemplateError {
                        message: format!("unmatched `}}` at byte {at}; write `}}}}` for a literal brace"),
                    });
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        Ok(Template { source: source.to_string(), pieces })
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The placeholder names, in order of appearance (with repeats).
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Var(name) => Some(name.as_str()),
            Piece::Literal(_) => None,
        })
    }

    /// Renders with `lookup`; unknown values become `<name>`.
    pub fn render<'v>(&self, lookup: impl Fn(&str) -> Option<&'v str>) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
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
        assert_eq!(t.render(|_| Some("a.b")), r#"--change-batch '{"Name":"a.b"}'"#);
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
