//! The literals a regex cannot match without: the engine's prefilter.
//!
//! Compiling every rule's regex at start-up costs tens of milliseconds, so the engine instead
//! looks for literals each rule *requires* (one Aho-Corasick pass per message) and compiles and
//! runs only the rules whose required literals all occur. The result is a conjunction of
//! clauses; a clause is satisfied when any of its alternatives occurs (ASCII case-insensitive).
//!
//! This file is also compiled into `build.rs`, which extracts the built-in patterns' literals
//! at build time, so it depends on nothing but `regex-syntax`.

use regex_syntax::ParserBuilder;
use regex_syntax::ast::{self, Ast};
use regex_syntax::hir::{Class, Hir, HirKind};

/// The named groups of `source`, in order, from its syntax tree (nothing is compiled).
pub fn capture_names(source: &str) -> Result<Vec<String>, String> {
    fn walk(ast: &Ast, names: &mut Vec<String>) {
        match ast {
            Ast::Group(group) => {
                if let ast::GroupKind::CaptureName { name, .. } = &group.kind {
                    names.push(name.name.clone());
                }
                walk(&group.ast, names);
            }
            Ast::Repetition(rep) => walk(&rep.ast, names),
            Ast::Alternation(alt) => alt.asts.iter().for_each(|a| walk(a, names)),
            Ast::Concat(concat) => concat.asts.iter().for_each(|a| walk(a, names)),
            _ => {}
        }
    }
    let ast = ast::parse::Parser::new()
        .parse(source)
        .map_err(|e| e.to_string())?;
    let mut names = Vec::new();
    walk(&ast, &mut names);
    Ok(names)
}

/// One clause: the message must contain at least one of these (lower-case ASCII) strings.
pub type Clause = Vec<String>;

/// Shortest literal worth looking for.
const MIN_LITERAL: usize = 3;
/// Clauses kept per rule: the most selective few are enough.
const MAX_CLAUSES: usize = 3;

/// The required-literal clauses of `source`, compiled the way catalog regexes are
/// (case-insensitive, ASCII classes). Empty when nothing is required (the rule is always run).
pub fn required_literals(source: &str) -> Result<Vec<Clause>, String> {
    let hir = ParserBuilder::new()
        .case_insensitive(true)
        .unicode(false)
        .utf8(false)
        .build()
        .parse(source)
        .map_err(|e| e.to_string())?;
    let mut clauses = required(&hir);
    for clause in &mut clauses {
        clause.sort();
        clause.dedup();
    }
    clauses.sort_by_key(|c| std::cmp::Reverse(c.iter().map(String::len).min().unwrap_or(0)));
    clauses.dedup();
    clauses.truncate(MAX_CLAUSES);
    Ok(clauses)
}

/// Every required-literal clause of `source`, not only the most selective few: what a message
/// cut short must still contain (all but the one the cut went through) for the rule to be
/// consistent with it.
pub fn all_required_literals(source: &str) -> Result<Vec<Clause>, String> {
    let hir = ParserBuilder::new()
        .case_insensitive(true)
        .unicode(false)
        .utf8(false)
        .build()
        .parse(source)
        .map_err(|e| e.to_string())?;
    let mut clauses = required(&hir);
    for clause in &mut clauses {
        clause.sort();
        clause.dedup();
    }
    clauses.dedup();
    Ok(clauses)
}

fn required(hir: &Hir) -> Vec<Clause> {
    match hir.kind() {
        HirKind::Literal(lit) => literal_clause(&lit.0).into_iter().collect(),
        HirKind::Capture(cap) => required(&cap.sub),
        HirKind::Repetition(rep) if rep.min >= 1 => required(&rep.sub),
        HirKind::Concat(items) => {
            let mut clauses = Vec::new();
            let mut run: Vec<u8> = Vec::new();
            for item in items {
                if let Some(bytes) = literal_bytes(item) {
                    run.extend(bytes);
                    continue;
                }
                clauses.extend(literal_clause(&run));
                run.clear();
                clauses.extend(required(item));
            }
            clauses.extend(literal_clause(&run));
            clauses
        }
        HirKind::Alternation(alts) => {
            // Required only if every branch requires something: take each branch's best.
            let mut alternatives = Vec::new();
            for alt in alts {
                let best = required(alt)
                    .into_iter()
                    .filter(|c| c.len() == 1)
                    .max_by_key(|c| c[0].len());
                match best {
                    Some(mut clause) => alternatives.push(clause.remove(0)),
                    None => return Vec::new(),
                }
            }
            vec![alternatives]
        }
        _ => Vec::new(),
    }
}

/// The bytes `hir` always matches exactly (ASCII case-insensitively), if it is that simple.
fn literal_bytes(hir: &Hir) -> Option<Vec<u8>> {
    match hir.kind() {
        HirKind::Literal(lit) => Some(lit.0.iter().map(u8::to_ascii_lowercase).collect()),
        HirKind::Class(Class::Bytes(class)) => {
            let ranges = class.ranges();
            let single = |r: &regex_syntax::hir::ClassBytesRange| {
                (r.start() == r.end()).then_some(r.start())
            };
            match ranges {
                [a] => single(a)
                    .filter(u8::is_ascii)
                    .map(|b| vec![b.to_ascii_lowercase()]),
                [a, b] => {
                    let (a, b) = (single(a)?, single(b)?);
                    (a.is_ascii_alphabetic() && a.eq_ignore_ascii_case(&b))
                        .then(|| vec![a.to_ascii_lowercase()])
                }
                _ => None,
            }
        }
        HirKind::Class(Class::Unicode(class)) => {
            let ranges = class.ranges();
            let single = |r: &regex_syntax::hir::ClassUnicodeRange| {
                (r.start() == r.end()).then_some(r.start())
            };
            match ranges {
                [a] => single(a)
                    .filter(char::is_ascii)
                    .map(|c| vec![c.to_ascii_lowercase() as u8]),
                [a, b] => {
                    let (a, b) = (single(a)?, single(b)?);
                    (a.is_ascii_alphabetic()
                        && b.is_ascii_alphabetic()
                        && a.eq_ignore_ascii_case(&b))
                    .then(|| vec![a.to_ascii_lowercase() as u8])
                }
                _ => None,
            }
        }
        HirKind::Capture(cap) => literal_bytes(&cap.sub),
        HirKind::Concat(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(literal_bytes(item)?);
            }
            Some(out)
        }
        _ => None,
    }
}

/// A clause for a literal run, if it is long enough and plain ASCII (non-ASCII bytes could
/// match differently under Unicode case folding, so they are never relied on).
fn literal_clause(bytes: &[u8]) -> Option<Clause> {
    let text: String = bytes
        .iter()
        .map(|b| b.to_ascii_lowercase())
        .collect::<Vec<u8>>()
        .split(|b| !b.is_ascii())
        .max_by_key(|part| part.len())
        .map(|part| String::from_utf8_lossy(part).into_owned())?;
    (text.len() >= MIN_LITERAL).then(|| vec![text])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenations_give_literal_runs() {
        let clauses = required_literals(r"(?x) resolve\ ref\ (?P<image>public\.ecr\.aws/[a-z]+) .*? (i/o\ timeout|deadline\ exceeded)").unwrap();
        assert!(
            clauses.contains(&vec!["resolve ref ".to_string()]),
            "{clauses:?}"
        );
        assert!(
            clauses.contains(&vec!["public.ecr.aws/".to_string()]),
            "{clauses:?}"
        );
        assert!(
            clauses.contains(&vec![
                "deadline exceeded".to_string(),
                "i/o timeout".to_string()
            ]),
            "{clauses:?}"
        );
    }

    #[test]
    fn optional_parts_are_not_required() {
        assert_eq!(
            required_literals(r"(?:optional\ part)?x").unwrap(),
            Vec::<Clause>::new()
        );
        assert_eq!(required_literals(r"a|bcd").unwrap(), Vec::<Clause>::new());
        assert_eq!(
            required_literals(r"Essential container").unwrap(),
            vec![vec!["essential container".to_string()]]
        );
    }

    #[test]
    fn repetitions_with_a_minimum_are_required() {
        assert_eq!(
            required_literals(r"(?:abc)+").unwrap(),
            vec![vec!["abc".to_string()]]
        );
        assert_eq!(
            required_literals(r"(?:abc)*").unwrap(),
            Vec::<Clause>::new()
        );
    }
}
