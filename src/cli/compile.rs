//! `verdict compile --to rego`: the policies of `.policy` files as Rego v1 modules, so
//! the same rules can run in OPA or env0.

use std::path::Path;

use super::args::{CompileArgs, CompileTarget};
use super::output;
use crate::diagnostic::Diagnostic;
use crate::dsl::{self, to_rego};
use crate::error::{Error, ErrorClass, Result};
use crate::exit::Exit;
use crate::limits::Limits;
use crate::load;

pub fn run(args: &CompileArgs) -> Result<Exit> {
    let CompileTarget::Rego = args.target;
    let sources = load::discover(&args.paths, Limits::default().policy_bytes)?;
    if sources.policy_files.is_empty() {
        return Err(Error::invalid(
            Diagnostic::error("no .policy files to compile")
                .with_help("name .policy files or directories holding them"),
        ));
    }
    let mut compiler = to_rego::RegoCompiler::new();
    let mut modules = to_rego::library();
    let mut errors = Vec::new();
    for source in &sources.policy_files {
        let compiled =
            dsl::parse::parse(source).and_then(|file| compiler.compile_file(&file, source));
        match compiled {
            Ok(compiled) => modules.extend(compiled),
            Err(diagnostics) => errors.push(Error {
                class: ErrorClass::Invalid,
                diagnostics,
            }),
        }
    }
    if let Some(error) = Error::merge(errors) {
        return Err(error);
    }
    match &args.out_dir {
        None => output::print_stdout(&to_rego::render(&modules))?,
        Some(directory) => {
            for module in &modules {
                write_module(directory, &module.path, &module.text)?;
            }
        }
    }
    Ok(Exit::Success)
}

fn write_module(directory: &Path, relative: &str, text: &str) -> Result<()> {
    let path = directory.join(relative);
    let name = path.display().to_string();
    let written = match path.parent() {
        Some(parent) => std::fs::create_dir_all(parent).and_then(|()| std::fs::write(&path, text)),
        None => std::fs::write(&path, text),
    };
    written.map_err(|error| Error::cannot_write(&name, &error))
}
