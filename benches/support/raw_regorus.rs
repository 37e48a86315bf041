//! The baseline for the Rego path: the same Rego files given straight to one `regorus`
//! engine, reused for every decision, each verdict rule read with `eval_rule`. The only
//! change to the files is that `rego.metadata.rule()`, which the engine does not provide,
//! becomes the literal object its METADATA block stands for.

#![allow(dead_code)]

use regorus::{Engine, Value};

use super::workloads::{PolicyFile, SHIPPED};

/// An engine with a generated Rego set loaded, and the rules to read per decision.
pub struct RawRegorus {
    engine: Engine,
    rules: Vec<String>,
}

/// The verdict rules each shipped policy defines, in the order of [`SHIPPED`].
const RULES: [&[&str]; 7] = [
    &["deny"],
    &["pending", "allow"],
    &["pending"],
    &["deny"],
    &["deny"],
    &["warn"],
    &["allow"],
];

impl RawRegorus {
    /// Loads the `.rego` files of a set made by [`super::workloads::rego_set`].
    pub fn load(files: &[PolicyFile]) -> RawRegorus {
        RawRegorus::load_into(Engine::new(), files)
    }

    /// Loads into an engine set up by the caller.
    pub fn load_into(mut engine: Engine, files: &[PolicyFile]) -> RawRegorus {
        let mut rules = Vec::new();
        for file in files.iter().filter(|file| file.path.ends_with(".rego")) {
            let text = with_literal_metadata(&file.text);
            engine.set_rego_v0(!text.contains("import rego.v1"));
            let package = engine
                .add_policy(file.path.clone(), text)
                .unwrap_or_else(|error| panic!("{}: {error}", file.path));
            let kind = SHIPPED
                .iter()
                .position(|shipped| {
                    package == format!("data.{}", shipped.rego_package)
                        || package.starts_with(&format!("data.{}_", shipped.rego_package))
                })
                .unwrap_or_else(|| panic!("unknown package {package}"));
            rules.extend(RULES[kind].iter().map(|rule| format!("{package}.{rule}")));
        }
        RawRegorus { engine, rules }
    }

    /// Decides one input: sets it, reads every verdict rule, and counts the messages.
    pub fn decide(&mut self, input: &Value) -> usize {
        self.engine.set_input(input.clone());
        let mut messages = 0;
        for rule in &self.rules {
            let value = self
                .engine
                .eval_rule(rule.clone())
                .unwrap_or_else(|error| panic!("{rule}: {error}"));
            messages += messages_in(&value);
        }
        messages
    }
}

/// How many messages a verdict rule's value holds.
fn messages_in(value: &Value) -> usize {
    match value {
        Value::Set(items) => items.len(),
        Value::Array(items) => items.len(),
        Value::Undefined => 0,
        _ => 1,
    }
}

/// The input as the engine takes it.
pub fn input(text: &str) -> Value {
    Value::from_json_str(text).expect("the workload is valid JSON")
}

/// Replaces `rego.metadata.rule()` by `{"title": ..., "description": ...}` from the
/// METADATA block of the file (the shipped files have one block each).
fn with_literal_metadata(text: &str) -> String {
    if !text.contains("rego.metadata.rule()") {
        return text.to_string();
    }
    let field = |key: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(&format!("# {key}: ")))
            .unwrap_or_default()
            .to_string()
    };
    let literal = serde_json::json!({"title": field("title"), "description": field("description")});
    text.replace("rego.metadata.rule()", &literal.to_string())
}

/// The same files in `regorus`'s compiled mode: one register-machine program per package
/// (its verdict rules as entry points), each run on a machine of its own, reused.
pub struct RawRvm {
    machines: Vec<(regorus::rvm::vm::RegoVM, usize)>,
}

impl RawRvm {
    /// Compiles the packages of a set made by [`super::workloads::rego_set`].
    pub fn load(files: &[PolicyFile]) -> RawRvm {
        use regorus::languages::rego::compiler::Compiler;
        use regorus::rvm::vm::RegoVM;

        let raw = RawRegorus::load(files);
        let mut packages: Vec<(String, Vec<&str>)> = Vec::new();
        for rule in &raw.rules {
            let package = rule.rsplit_once('.').map_or("", |(package, _)| package);
            match packages.iter_mut().find(|(name, _)| name == package) {
                Some((_, rules)) => rules.push(rule),
                None => packages.push((package.to_string(), vec![rule])),
            }
        }
        let machines = packages
            .iter()
            .map(|(_, rules)| {
                let entry: regorus::Rc<str> = rules[0].into();
                let policy = raw
                    .engine
                    .clone()
                    .compile_with_entrypoint(&entry)
                    .expect("the package compiles");
                let program = Compiler::compile_from_policy(&policy, rules)
                    .expect("the package compiles to a program");
                let mut machine = RegoVM::new();
                machine.load_program(program);
                machine
                    .set_data(Value::new_object())
                    .expect("data is an object");
                (machine, rules.len())
            })
            .collect();
        RawRvm { machines }
    }

    /// Decides one input: runs every entry point of every program, and counts the messages.
    pub fn decide(&mut self, input: &Value) -> usize {
        let mut messages = 0;
        for (machine, entries) in &mut self.machines {
            machine.set_input(input.clone());
            for entry in 0..*entries {
                let value = machine
                    .execute_entry_point_by_index(entry)
                    .unwrap_or_else(|error| panic!("entry {entry}: {error}"));
                messages += messages_in(&value);
            }
        }
        messages
    }
}
