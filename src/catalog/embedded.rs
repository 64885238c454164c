//! The built-in pattern files, embedded by `build.rs`.

/// One embedded pattern file: its YAML text, and a JSON twin made at build time when the YAML
/// parsed (loading JSON is faster; the YAML stays for error messages and `catalog show`).
#[derive(Debug)]
pub struct EmbeddedFile {
    pub name: &'static str,
    pub yaml: &'static str,
    pub json: Option<&'static str>,
    /// The JSON twin without examples and near misses, for runs that only diagnose.
    pub runtime_json: Option<&'static str>,
    /// Only what diagnosing reads up front: the rules and what ranks the pattern.
    pub head_json: Option<&'static str>,
    /// What build.rs worked out about each rule's regex; `None` for a regex that does not parse.
    pub rules: Option<&'static [Option<EmbeddedRule>]>,
}

/// A rule's regex, analysed at build time.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedRule {
    /// The regex itself (left out of the head JSON, see `build.rs`).
    pub regex: Option<&'static str>,
    /// Required literals (see `literals.rs`).
    pub literals: &'static [&'static [&'static str]],
    /// Named groups.
    pub captures: &'static [&'static str],
}

include!(concat!(env!("OUT_DIR"), "/embedded_patterns.rs"));
