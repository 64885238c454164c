//! The built-in pattern files, embedded by `build.rs`.

/// One embedded pattern file: its YAML text, and a JSON twin made at build time when the YAML
/// parsed (loading JSON is faster; the YAML stays for error messages and `catalog show`).
pub struct EmbeddedFile {
    pub name: &'static str,
    pub yaml: &'static str,
    pub json: Option<&'static str>,
    /// Required literals of each rule, extracted at build time (see `literals.rs`).
    pub prefilter: Option<&'static [Option<&'static [&'static [&'static str]]>]>,
}

include!(concat!(env!("OUT_DIR"), "/embedded_patterns.rs"));
