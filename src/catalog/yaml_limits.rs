//! What a pattern file may make the YAML parser do. A user catalog is input like any other: a
//! few kilobytes of aliases can expand to gigabytes ("billion laughs"), and flow collections
//! nested thousands deep take the parser quadratic time. Both are refused, naming the file,
//! before the file is deserialised.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

/// Deepest nesting of flow collections (`[`, `{`) accepted; pattern files use one or two.
pub const MAX_FLOW_DEPTH: usize = 32;
/// Most bytes of text a file may expand to through aliases, beyond its own size.
pub const MAX_EXPANSION_BYTES: usize = 4 << 20;

/// Checks `text` against both limits; the error says which one it broke.
pub fn check(text: &str) -> Result<(), String> {
    let depth = flow_depth(text);
    if depth > MAX_FLOW_DEPTH {
        return Err(format!(
            "flow collections (`[` and `{{`) are nested {depth} deep; pattern files are limited to {MAX_FLOW_DEPTH}"
        ));
    }
    let budget = text.len().saturating_mul(2) + MAX_EXPANSION_BYTES;
    let mut counter = Counter { left: budget };
    let deserializer = serde_yaml::Deserializer::from_str(text);
    match deserializer.deserialize_any(&mut counter) {
        Err(e) if e.to_string().contains(EXPANDED) => Err(format!(
            "aliases (`*name`) expand the file to more than {budget} bytes; write the values out, or use fewer aliases"
        )),
        // Syntax errors are left for the deserialiser, which reports them with positions.
        _ => Ok(()),
    }
}

/// How deep flow collections nest, outside quoted scalars, comments and block scalars.
fn flow_depth(text: &str) -> usize {
    let mut deepest = 0usize;
    let mut depth = 0usize;
    // Indentation of the line that opened a block scalar (`|` or `>`); deeper lines are text.
    let mut block_indent: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(opened) = block_indent {
            if line.trim().is_empty() || indent > opened {
                continue;
            }
            block_indent = None;
        }
        let mut quote: Option<char> = None;
        let mut previous = ' ';
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match quote {
                Some('"') if c == '\\' => {
                    chars.next();
                }
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None => match c {
                    '#' if previous.is_whitespace() => break,
                    '"' | '\'' if previous.is_whitespace() || "[{,:".contains(previous) => {
                        quote = Some(c)
                    }
                    '[' | '{' => {
                        depth += 1;
                        deepest = deepest.max(depth);
                    }
                    ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                },
            }
            previous = c;
        }
        let trimmed = line.trim_end();
        let opens_block = trimmed
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .is_some_and(|last| {
                (last.starts_with('|') || last.starts_with('>'))
                    && last[1..]
                        .chars()
                        .all(|c| matches!(c, '-' | '+' | '0'..='9'))
            });
        if opens_block && depth == 0 {
            block_indent = Some(indent);
        }
    }
    deepest
}

/// Marks the error of an expansion past the budget.
const EXPANDED: &str = "expanded past the limit";

/// Visits a whole document, counting the bytes of every scalar (aliases count each time they
/// are used), and stops once `left` runs out.
struct Counter {
    left: usize,
}

impl Counter {
    fn spend<E: de::Error>(&mut self, bytes: usize) -> Result<(), E> {
        // Every node costs a little, so a long sequence of empty aliases is counted too.
        match self.left.checked_sub(bytes + 8) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => Err(E::custom(EXPANDED)),
        }
    }
}

impl<'de> Visitor<'de> for &mut Counter {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.spend(v.len())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.spend::<A::Error>(0)?;
        while seq.next_element_seed(Seed(&mut *self))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.spend::<A::Error>(0)?;
        while map.next_key_seed(Seed(&mut *self))?.is_some() {
            map.next_value_seed(Seed(&mut *self))?;
        }
        Ok(())
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        use de::VariantAccess;
        let (_, variant) = data.variant_seed(Seed(&mut *self))?;
        variant.newtype_variant_seed(Seed(self))
    }
}

struct Seed<'c>(&'c mut Counter);

impl<'de> de::DeserializeSeed<'de> for Seed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_files_pass() {
        let text = "id: x\nmatch:\n  - regex: '^a[b]{2}'\nfix: >-\n  use [this] { or that\nnotes: [a, [b]]\n";
        assert_eq!(check(text), Ok(()));
    }

    #[test]
    fn deep_flow_nesting_is_refused() {
        let text = format!("id: x\nnotes: {}{}\n", "[".repeat(40), "]".repeat(40));
        assert!(check(&text).unwrap_err().contains("nested 40 deep"));
    }

    #[test]
    fn alias_expansion_is_capped() {
        let text = format!(
            "id: x\ncause: &s {}\nnotes: [{}]\n",
            "x".repeat(100_000),
            vec!["*s"; 100].join(",")
        );
        assert!(check(&text).unwrap_err().contains("aliases"));
    }
}
