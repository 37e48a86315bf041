//! Compiling `.policy` policies into Rego v1 (`verdict compile --to rego`).
//!
//! Each policy becomes one package, `verdict.policy.<name>`, whose `deny`, `pending`,
//! `warn` and `allow` rules are partial sets of message strings, as env0, OPA and verdict's
//! own Rego path read them; its `when` guards become one rule, `applies`, its `config` a
//! rule of the merged configuration, and each `let` a rule of its own, every one preceded
//! by the statement it came from. The policy language's semantics (SPEC 4.3) differ from
//! Rego's — missing fields are null, not undefined; only `true` is true; comparisons are
//! typed; arithmetic on anything but numbers is null — so generated code goes through a
//! helper library, `verdict.lib` (with the builtins under their own names in
//! `verdict.fn`), that implements every operator and builtin as the policy language's
//! evaluator does, and every term it writes has a value for every input. The library is
//! printed once, before the policies; each module names the file it belongs in.
//!
//! What the compiled Rego cannot do as the policy language does:
//! - Identical messages collapse into one outcome: Rego's sets have no duplicates. The
//!   verdict is the same.
//! - Where Rego cannot compute the policy language's answer, the library stops the
//!   evaluation with an error, so that a gate fails closed rather than decides otherwise:
//!   `%` on numbers that are not whole (or beyond 2^53), a time outside the years 1678 to
//!   2261 (engines keep times in 64-bit nanoseconds), a leap second, `matches` on text
//!   holding a NUL character.
//! - A literal regular expression too large for regorus (Unicode classes such as `\w`
//!   grow fast) is a compile error; a computed one matches nothing there.
//! - Resource limits: the policy language stops runaway evaluations itself; Rego engines
//!   have their own limits (verdict's Rego path, a time limit).
//! - With engines that stop on builtin errors (OPA's `--strict-builtin-errors`), a sum or
//!   product beyond the largest double, and a computed pattern that does not compile, stop
//!   the evaluation (the policy language gives null and false); nothing else the library
//!   does can fail.
//!
//! Under regorus, which computes in doubles as the policy language does, every other
//! answer is the same to the last digit (the tests check every operator and builtin, every
//! shipped policy and fixture, and random expressions). Under OPA, which computes with
//! more precision than doubles, these differ: integers beyond 2^53 stay exact (the policy
//! language rounds them to doubles), `0.1 + 0.2` is `0.3`, a result beyond the largest
//! double is a number rather than null, `round` keeps digits past 2^52, and OPA's `upper`
//! and `lower` use Go's simpler case mapping (`upper("ß")` is `ß`, not `SS`); OPA also reads
//! time zones from its own database.

mod calls;
mod emitter;
mod expr;
mod library;
mod literal;
mod names;

#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::dsl::ast;
use crate::dsl::compile::CompiledPolicy;
use crate::source::SourceFile;

use emitter::Emitter;
pub use library::library;

/// One Rego module of the output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegoModuleText {
    /// Where the module belongs in a policy directory: `verdict/policy/cost_guard.rego`.
    pub path: String,
    /// The package without `data.`: `verdict.policy.cost_guard`.
    pub package: String,
    pub text: String,
}

/// Compiles policies into modules with package names unique among all it compiled.
#[derive(Debug, Default)]
pub struct RegoCompiler {
    packages: HashSet<String>,
}

impl RegoCompiler {
    pub fn new() -> RegoCompiler {
        RegoCompiler::default()
    }

    /// Compiles one policy block into its module. The errors are the policy's own (it
    /// must compile as a verdict policy first), or constructs Rego cannot express.
    pub fn compile_policy(
        &mut self,
        block: &ast::PolicyBlock,
        source: &Arc<SourceFile>,
    ) -> Result<RegoModuleText, Vec<Diagnostic>> {
        CompiledPolicy::compile(block, source)?;
        let component = self.unique_component(&block.name.value);
        let package = format!("verdict.policy.{component}");
        let text = Emitter::new(block, source).module(block, &package)?;
        self.packages.insert(component.clone());
        Ok(RegoModuleText {
            path: format!("verdict/policy/{component}.rego"),
            package,
            text,
        })
    }

    /// Compiles every policy of a file, in order; every error of every policy.
    pub fn compile_file(
        &mut self,
        file: &ast::File,
        source: &Arc<SourceFile>,
    ) -> Result<Vec<RegoModuleText>, Vec<Diagnostic>> {
        let mut modules = Vec::new();
        let mut errors = Vec::new();
        for item in &file.items {
            if let ast::Item::Policy(block) = item {
                match self.compile_policy(block, source) {
                    Ok(module) => modules.push(module),
                    Err(diagnostics) => errors.extend(diagnostics),
                }
            }
        }
        if errors.is_empty() {
            Ok(modules)
        } else {
            Err(errors)
        }
    }

    fn unique_component(&self, policy_name: &str) -> String {
        let wanted = names::package_component(policy_name);
        let mut candidate = wanted.clone();
        let mut suffix = 2;
        while self.packages.contains(&candidate) {
            candidate = format!("{wanted}_{suffix}");
            suffix += 1;
        }
        candidate
    }
}

/// Compiles one policy block into a Rego v1 module (one package per policy); the module
/// imports the [`library`].
pub fn compile_policy(
    block: &ast::PolicyBlock,
    source: &Arc<SourceFile>,
) -> Result<String, Vec<Diagnostic>> {
    RegoCompiler::new()
        .compile_policy(block, source)
        .map(|module| module.text)
}

/// Compiles every policy of a parsed file: the text `verdict compile --to rego` prints,
/// the library first, then one module per policy, each headed by the file it belongs in.
pub fn compile_file(file: &ast::File, source: &Arc<SourceFile>) -> Result<String, Vec<Diagnostic>> {
    let modules = RegoCompiler::new().compile_file(file, source)?;
    let mut all = library();
    all.extend(modules);
    Ok(render(&all))
}

/// Modules as one text: each starts with a `# file: PATH` line, and a blank line separates
/// them. Rego needs each module in a file of its own; the paths say which.
pub fn render(modules: &[RegoModuleText]) -> String {
    let mut out = String::new();
    for (index, module) in modules.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(&format!("# file: {}\n", module.path));
        out.push_str(&module.text);
        if !module.text.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}
