//! Embeds every `patterns/*.yaml` file in the binary, so adding a pattern is a YAML change only.
//!
//! Each file is also converted to JSON here, because parsing JSON at start-up is several times
//! faster than parsing YAML and `explain` should answer in milliseconds. A file that is not
//! valid YAML is embedded without a JSON twin: the build never fails on pattern content, and
//! the runtime loader then reports the YAML error with file, line and column like it does for
//! user catalogs.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

#[path = "src/catalog/literals.rs"]
#[allow(dead_code)]
mod literals;

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));
    let patterns = manifest_dir.join("patterns");
    println!("cargo::rerun-if-changed=patterns");

    let mut files: Vec<PathBuf> = fs::read_dir(&patterns)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();

    let mut code = String::from("pub static EMBEDDED: &[EmbeddedFile] = &[\n");
    for (i, path) in files.iter().enumerate() {
        let name = format!("patterns/{}", path.file_name().unwrap().to_string_lossy());
        let yaml = fs::read_to_string(path).unwrap_or_default();
        let value = serde_yaml::from_str::<serde_json::Value>(&yaml).ok();
        let json = value.as_ref().and_then(|value| serde_json::to_string(value).ok());
        let prefilter = value.as_ref().map(prefilter_expr).unwrap_or_else(|| "None".to_string());
        let json_expr = match json {
            Some(json) => {
                let json_path = out_dir.join(format!("pattern-{i}.json"));
                fs::write(&json_path, json).expect("OUT_DIR is writable");
                format!("Some(include_str!({}))", quoted(&json_path))
            }
            None => "None".to_string(),
        };
        writeln!(
            code,
            "    EmbeddedFile {{ name: {name:?}, yaml: include_str!({}), json: {json_expr}, prefilter: {prefilter} }},",
            quoted(path)
        )
        .unwrap();
    }
    code.push_str("];\n");
    println!("cargo::rustc-env=ECS_DIAGNOSE_PATTERN_COUNT={}", files.len());
    fs::write(out_dir.join("embedded_patterns.rs"), code).expect("OUT_DIR is writable");
}

/// The required literals of every rule (see src/catalog/literals.rs), as Rust code:
/// `Some(&[Some(&[&["lit", ...], ...]), None, ...])`, one entry per rule. `None` when a rule has
/// no regex or its regex does not parse (the loader then reports it).
fn prefilter_expr(pattern: &serde_json::Value) -> String {
    let Some(rules) = pattern.get("match").and_then(|m| m.as_array()) else {
        return "None".to_string();
    };
    let mut out = String::from("Some(&[");
    for rule in rules {
        let clauses = rule
            .get("regex")
            .and_then(|r| r.as_str())
            .and_then(|source| literals::required_literals(source).ok());
        match clauses {
            Some(clauses) => {
                out.push_str("Some(&[");
                for clause in clauses {
                    out.push_str(&format!("&{clause:?},"));
                }
                out.push_str("]),");
            }
            None => out.push_str("None,"),
        }
    }
    out.push_str("])");
    out
}

fn quoted(path: &Path) -> String {
    format!("{:?}", path.to_string_lossy())
}
