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
        let (rules, analysed) = value
            .as_ref()
            .map(rules_expr)
            .unwrap_or_else(|| ("None".to_string(), Vec::new()));
        let mut json_expr = "None".to_string();
        let mut runtime_expr = "None".to_string();
        let mut head_expr = "None".to_string();
        if let Some(value) = &value {
            // The full twin serves catalog commands; the runtime twin leaves out the examples,
            // which `explain` never reads.
            let mut runtime = value.clone();
            if let Some(map) = runtime.as_object_mut() {
                map.remove("examples");
                map.remove("near_misses");
            }
            // The head is what diagnosing reads up front (see `spec::HeadSpec`): the rest of a
            // pattern is read when a finding is rendered.
            let mut head = value.clone();
            if let Some(map) = head.as_object_mut() {
                const HEAD: &[&str] = &[
                    "id",
                    "title",
                    "category",
                    "severity",
                    "level",
                    "priority",
                    "transient",
                    "match",
                    "probes",
                ];
                map.retain(|key, _| HEAD.contains(&key.as_str()));
                // An analysed regex is in its `EmbeddedRule` as a Rust string: reading it there
                // spares the JSON parser its escapes, half of the head's bytes.
                if let Some(rules) = map.get_mut("match").and_then(|m| m.as_array_mut()) {
                    for (rule, moved) in rules.iter_mut().zip(&analysed) {
                        if let (true, Some(rule)) = (moved, rule.as_object_mut()) {
                            rule.remove("regex");
                        }
                    }
                }
            }
            json_expr = embed_json(&out_dir, &format!("pattern-{i}.json"), value);
            runtime_expr = embed_json(&out_dir, &format!("pattern-{i}.runtime.json"), &runtime);
            head_expr = embed_json(&out_dir, &format!("pattern-{i}.head.json"), &head);
        }
        writeln!(
            code,
            "    EmbeddedFile {{ name: {name:?}, yaml: include_str!({}), json: {json_expr}, runtime_json: {runtime_expr}, head_json: {head_expr}, rules: {rules} }},",
            quoted(path)
        )
        .unwrap();
    }
    code.push_str("];\n");
    println!(
        "cargo::rustc-env=ECS_DIAGNOSE_PATTERN_COUNT={}",
        files.len()
    );
    fs::write(out_dir.join("embedded_patterns.rs"), code).expect("OUT_DIR is writable");
}

fn embed_json(out_dir: &Path, file: &str, value: &serde_json::Value) -> String {
    let path = out_dir.join(file);
    fs::write(
        &path,
        serde_json::to_string(value).expect("YAML values are JSON"),
    )
    .expect("OUT_DIR is writable");
    format!("Some(include_str!({}))", quoted(&path))
}

/// What the loader would otherwise work out from each rule's regex at every start: its capture
/// names and its required literals (see src/catalog/literals.rs), as Rust code, one
/// `EmbeddedRule` per rule. A regex that does not parse gets `None`, and the loader reports it.
/// Also, per rule, whether its regex is in its `EmbeddedRule`.
fn rules_expr(pattern: &serde_json::Value) -> (String, Vec<bool>) {
    let Some(rules) = pattern.get("match").and_then(|m| m.as_array()) else {
        return ("None".to_string(), Vec::new());
    };
    let mut analysed_regex = Vec::new();
    let mut out = String::from("Some(&[");
    for rule in rules {
        let source = rule.get("regex").and_then(|r| r.as_str());
        let analysed = source.and_then(|source| {
            let literals = literals::required_literals(source).ok()?;
            let captures = literals::capture_names(source).ok()?;
            Some((literals, captures))
        });
        analysed_regex.push(source.is_some() && analysed.is_some());
        match (source, analysed) {
            (None, _) => {
                out.push_str("Some(EmbeddedRule { regex: None, literals: &[], captures: &[] }),")
            }
            (Some(_), None) => out.push_str("None,"),
            (Some(source), Some((literals, captures))) => {
                out.push_str(&format!(
                    "Some(EmbeddedRule {{ regex: Some({source:?}), literals: &["
                ));
                for clause in literals {
                    out.push_str(&format!("&{clause:?},"));
                }
                out.push_str(&format!("], captures: &{captures:?} }}),"));
            }
        }
    }
    out.push_str("])");
    (out, analysed_regex)
}

fn quoted(path: &Path) -> String {
    format!("{:?}", path.to_string_lossy())
}
