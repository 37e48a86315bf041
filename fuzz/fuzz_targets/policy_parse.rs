//! The policy-language parser on arbitrary text: it parses or reports diagnostics, and a
//! file that parses also checks, formats and compiles to Rego without a panic, a hang or
//! a runaway allocation.

#![no_main]

use libfuzzer_sys::fuzz_target;
use verdict::dsl;
use verdict::source::SourceFile;

fuzz_target!(|text: &str| {
    let source = SourceFile::new("fuzz.policy", text);
    let Ok(file) = dsl::parse::parse(&source) else {
        return;
    };
    let _ = dsl::check::check(&file, &source);
    let _ = dsl::format::format(&source);
    let _ = dsl::to_rego::compile_file(&file, &source);
});
