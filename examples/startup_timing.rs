use std::time::Instant;
use regex_automata::{meta, util::syntax, MatchKind, nfa::thompson::{self, WhichCaptures}};
fn main() {
    let c = ecs_diagnose::catalog::Catalog::builtin().unwrap();
    for p in c.patterns() { for r in &p.rules { if let Some(x) = &r.regex {
        let s = x.source();
        let t = Instant::now();
        for _ in 0..20 { let _m = meta::Regex::builder()
            .syntax(syntax::Config::new().case_insensitive(true).unicode(false).utf8(false))
            .configure(meta::Config::new().match_kind(MatchKind::All).auto_prefilter(false).which_captures(WhichCaptures::None).onepass(false).backtrack(false).dfa(false))
            .build(s).unwrap(); }
        let a = t.elapsed() / 20;
        let t = Instant::now();
        for _ in 0..20 { let _n = thompson::Compiler::new().syntax(syntax::Config::new().case_insensitive(true).unicode(false).utf8(false)).configure(thompson::Config::new().which_captures(WhichCaptures::None)).build(s).unwrap(); }
        let b = t.elapsed() / 20;
        println!("{:>10?} {:>10?} {} {}", a, b, p.id, s.len());
    }}}
}
