//! Loading a set of Rego files: parse each in its dialect, read its metadata, run OPA's
//! compile-time checks, adapt the text where the engine and OPA differ, and compile it all
//! into one engine.

use std::collections::BTreeMap;
use std::sync::Arc;

use regorus::{Engine, Value};
use serde::Deserialize;
use serde_json::Value as Json;

use super::checks::{self, CheckedFile};
use super::combined;
use super::diagnose::{self, EngineFile};
use super::engine;
use super::inline;
use super::metadata::{self, Catalog};
use super::nesting;
use super::parse_hints;
use super::rename::Renaming;
use super::rewrite::{Edit, EditedText};
use super::scan;
use super::syntax::{BodySyntax, ModuleSyntax, RuleKind};
use super::version::{Dialect, RegoVersion, SyntaxClues};
use super::{RegoModule, RegoOptions};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, ErrorClass};
use crate::source::{SourceFile, Span};

/// One file after its first parse.
pub struct ParsedFile {
    pub source: Arc<SourceFile>,
    pub dialect: Dialect,
    keyword_import: Option<Edit>,
    pub syntax: ModuleSyntax,
}

/// Everything loading produces.
pub struct Loaded {
    pub engine: Engine,
    /// The values the rewritten METADATA calls return, by the number each call carries.
    pub metadata_values: Arc<Vec<Value>>,
    pub files: Vec<EngineFile>,
    pub parsed: Vec<ParsedFile>,
    pub catalog: Catalog,
    /// The packages (`a.b`) whose verdict rules the engine also holds as one rule, each
    /// with that rule's engine path (see `combined`).
    pub combined: Vec<(String, String)>,
    /// The short names the engine knows the packages by, if it does (see `rename`).
    pub renaming: Option<Renaming>,
}

impl Loaded {
    /// The path the engine knows `package` by: its own, or its short name.
    pub fn engine_package<'a>(&'a self, package: &'a [String]) -> &'a [String] {
        match &self.renaming {
            Some(renaming) => renaming.engine_package(package),
            None => package,
        }
    }
}

fn invalid(diagnostics: Vec<Diagnostic>) -> Error {
    Error {
        class: ErrorClass::Invalid,
        diagnostics,
    }
}

pub fn load(
    modules: Vec<RegoModule>,
    data: Vec<(Arc<str>, Json)>,
    options: &RegoOptions,
) -> Result<Loaded, Error> {
    let (parsed, mut problems) = parse_all(modules, options);
    let mut catalog = Catalog::new();
    for file in &parsed {
        match metadata::read(&file.source, &file.syntax) {
            Ok(annotations) => catalog.add(&file.syntax, annotations),
            Err(found) => {
                problems.extend(found);
                catalog.add(&file.syntax, metadata::FileAnnotations::default());
            }
        }
    }
    let checked: Vec<CheckedFile<'_>> = parsed
        .iter()
        .map(|file| CheckedFile {
            source: &file.source,
            syntax: &file.syntax,
        })
        .collect();
    problems.extend(checks::check(&checked));
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    // Where the files read `data` (tests aside), which both the combined rules and the
    // short names must keep clear of.
    let reads: Vec<Vec<String>> = parsed.iter().flat_map(combined::data_reads).collect();
    let renaming = options
        .rewrite_for_stream
        .then(|| Renaming::plan(&parsed, !data.is_empty() || !reads.is_empty()))
        .flatten();
    let adapted = |rewrite_for_stream: bool| {
        let renaming = renaming.as_ref().filter(|_| rewrite_for_stream);
        let (files, metadata_values) = adapt(&parsed, &catalog, rewrite_for_stream, renaming);
        let metadata_values: Arc<Vec<Value>> = Arc::new(
            metadata_values
                .iter()
                .map(|value| Value::deserialize(value).unwrap_or_else(|_| Value::new_object()))
                .collect(),
        );
        let compiled = compile(
            &parsed,
            &files,
            metadata_values.clone(),
            &data,
            options,
            &reads,
            renaming,
        );
        compiled.map(|(engine, combined)| {
            let renaming = renaming.cloned();
            (engine, combined, files, metadata_values, renaming)
        })
    };
    // Written-in constant rules and short package names only spare work: should the engine
    // refuse the text they give, the files are loaded as they are, and a problem is theirs.
    // That is a bug, which tests and fuzzing (built with debug assertions) report.
    let rewritten = options.rewrite_for_stream.then(|| adapted(true));
    let (engine, combined, files, metadata_values, renaming) = match rewritten {
        Some(Ok(loaded)) => loaded,
        Some(Err(refused)) => {
            let loaded = adapted(false)?;
            debug_assert!(
                false,
                "the engine refused the text rewritten for a stream: {refused:?}"
            );
            loaded
        }
        None => adapted(false)?,
    };
    Ok(Loaded {
        engine,
        metadata_values,
        files,
        parsed,
        catalog,
        combined,
        renaming,
    })
}

/// Parses every file, trying its likeliest dialect first; reports every file that fails.
pub(super) fn parse_all(
    modules: Vec<RegoModule>,
    options: &RegoOptions,
) -> (Vec<ParsedFile>, Vec<Diagnostic>) {
    let mut scratch = Engine::new();
    let mut parsed = Vec::new();
    let mut problems = Vec::new();
    for module in modules {
        let source = module.source;
        if let Some(problem) = nesting::too_deep(&source) {
            problems.push(problem);
            continue;
        }
        let clues = SyntaxClues::of(&source.text);
        if options.version == RegoVersion::V0
            && let Some((keyword, at)) = clues.unimported_keyword()
        {
            problems.push(
                Diagnostic::error(format!("`{keyword}` is a keyword in Rego v0 only after `import future.keywords.{keyword}`"))
                    .at(&source, Span::new(at, at + keyword.len()))
                    .with_help("add the import, or read the file as Rego v1 (`--rego-version v1` or `auto`)"),
            );
            continue;
        }
        let mut first_failure = None;
        for dialect in clues.attempts(options.version) {
            let keyword_import = clues.keyword_import(dialect);
            let edited = EditedText::new(&source.text, keyword_import.iter().cloned().collect());
            match parse_one(&mut scratch, &source, &edited, dialect, options) {
                Ok(syntax) => {
                    parsed.push(ParsedFile {
                        source: source.clone(),
                        dialect,
                        keyword_import,
                        syntax,
                    });
                    first_failure = None;
                    break;
                }
                Err(error) => {
                    first_failure.get_or_insert((error, edited));
                }
            }
        }
        if let Some((error, edited)) = first_failure {
            // The engine's report of an open bracket or a missing operand points elsewhere.
            let problem = parse_hints::problem(&source).unwrap_or_else(|| {
                let file = EngineFile { source, edited };
                diagnose::diagnostic(std::slice::from_ref(&file), &error, "")
            });
            problems.push(problem);
        }
    }
    (parsed, problems)
}

fn parse_one(
    scratch: &mut Engine,
    source: &Arc<SourceFile>,
    edited: &EditedText,
    dialect: Dialect,
    options: &RegoOptions,
) -> anyhow::Result<ModuleSyntax> {
    scratch.set_rego_v0(dialect.is_v0());
    engine::guarded(|| {
        scratch.add_policy(source.name.to_string(), edited.text.clone())?;
        let module = scratch
            .get_modules()
            .last()
            .ok_or_else(|| anyhow::anyhow!("the parsed module is missing"))?;
        let original = |offset: usize| edited.original_offset(offset);
        let names = options.rewrite_for_stream;
        Ok(ModuleSyntax::read(module, &source.text, &original, names))
    })
}

/// The edited text of every file and the metadata values its calls now index.
fn adapt(
    parsed: &[ParsedFile],
    catalog: &Catalog,
    rewrite_for_stream: bool,
    renaming: Option<&Renaming>,
) -> (Vec<EngineFile>, Vec<Json>) {
    let mut edits: Vec<Vec<Edit>> = parsed
        .iter()
        .enumerate()
        .map(|(index, file)| {
            let short_name = renaming.and_then(|renaming| renaming.edit(index));
            let spared = rewrite_for_stream
                .then(|| spared_rego_v1_import(file))
                .flatten();
            let stream_edits = short_name.into_iter().chain(spared);
            file.keyword_import
                .iter()
                .cloned()
                .chain(stream_edits)
                .collect()
        })
        .collect();
    let mut written = if rewrite_for_stream {
        inline::constant_rules(parsed)
    } else {
        vec![Vec::new(); parsed.len()]
    };
    let mut metadata_values = Vec::new();
    for (index, file) in parsed.iter().enumerate() {
        let (Some(file_edits), Some(written)) = (edits.get_mut(index), written.get(index)) else {
            continue;
        };
        v0_set_heads(file, file_edits);
        metadata_calls(index, file, catalog, &mut metadata_values, file_edits);
        negation_guards(file, written, file_edits);
        head_keys(file, file_edits);
    }
    split_functions(parsed, &mut edits);
    for (file_edits, written) in edits.iter_mut().zip(written.iter_mut()) {
        inline::add_clear(file_edits, std::mem::take(written));
    }
    let files = parsed
        .iter()
        .zip(edits)
        .map(|(file, file_edits)| EngineFile {
            source: file.source.clone(),
            edited: if file_edits.is_empty() {
                EditedText::unchanged(&file.source.text)
            } else {
                EditedText::new(&file.source.text, file_edits)
            },
        })
        .collect();
    (files, metadata_values)
}

/// The blanking of `import rego.v1` in a file read as Rego v1, where it changes nothing;
/// for a stream of decisions. Once a set has any import, the engine looks the name of
/// every call up among the imports, as a string it builds for the purpose (3% of a
/// shipped-set decision). The engine also takes `v1` for the import's name, so a file that
/// spells `v1` anywhere else keeps it. The line stays, empty.
fn spared_rego_v1_import(file: &ParsedFile) -> Option<Edit> {
    if file.dialect.is_v0() {
        return None;
    }
    let text = &file.source.text;
    let tokens = scan::tokenize(text);
    let significant: Vec<&scan::Token> = scan::significant(&tokens).collect();
    let spells = |token: &scan::Token, word: &str| token.text(text) == word;
    let mut found = None;
    for (at, window) in significant.windows(4).enumerate() {
        if let [import, rego, dot, v1] = window
            && spells(import, "import")
            && spells(rego, "rego")
            && spells(dot, ".")
            && spells(v1, "v1")
            && significant
                .get(at + 4)
                .is_none_or(|next| !spells(next, "."))
        {
            found = Some(Span::new(import.start, v1.end));
        }
    }
    let span = found?;
    let v1_names = significant
        .iter()
        .filter(|token| token.kind == scan::TokenKind::Ident && spells(token, "v1"))
        .count();
    let one_line = text.get(span.start..span.end)?.chars().all(|c| c != '\n');
    (v1_names == 1 && one_line).then(|| Edit::replace(span.start, span.end, ""))
}

/// OPA's v0 mode reads `p[x] if { ... }` as a multi-value rule; the engine reads it as an
/// object. Dropping the `if` (v0 does not need it) gives the v0 meaning.
fn v0_set_heads(file: &ParsedFile, edits: &mut Vec<Edit>) {
    for rule in &file.syntax.rules {
        let (Some(keyword), Some(body)) = (rule.v0_set_head_if, rule.bodies.first()) else {
            continue;
        };
        if body.braced {
            edits.push(Edit::replace(keyword.start, keyword.end, "  "));
        } else {
            edits.push(Edit::replace(keyword.start, keyword.end, "{ "));
            edits.push(Edit::insert(body.query.end, " }"));
        }
    }
}

/// Replaces each `rego.metadata.rule()` / `rego.metadata.chain()` by a call, of the same
/// length, that returns the value computed for its rule.
fn metadata_calls(
    file_index: usize,
    file: &ParsedFile,
    catalog: &Catalog,
    values: &mut Vec<Json>,
    edits: &mut Vec<Edit>,
) {
    for call in &file.syntax.calls {
        let value = match (call.name.as_str(), call.args) {
            ("rego.metadata.rule", 0) => catalog.rule_value(file_index, call.rule),
            ("rego.metadata.chain", 0) => catalog.chain_value(file_index, call.rule),
            _ => continue,
        };
        // The padding goes inside the parentheses: a reference may follow the call
        // (`rego.metadata.rule().title`), and the engine allows no space before it.
        let width = call.span.end.saturating_sub(call.span.start);
        let inner = width.saturating_sub(engine::METADATA_FUNCTION.len() + 2);
        let replacement = format!("{}({:<inner$})", engine::METADATA_FUNCTION, values.len());
        values.push(value);
        edits.push(Edit::replace(call.span.start, call.span.end, replacement));
    }
}

/// OPA evaluates the arguments of calls inside `not` before negating: `not f(x.y)` with
/// `x.y` undefined is false there, true in the engine. A guard statement after the
/// negation (`; __vgN := x.y`) makes the body fail the same way. A guarded use of a
/// constant rule that is `written` in is guarded as written.
fn negation_guards(file: &ParsedFile, written: &[Edit], edits: &mut Vec<Edit>) {
    let mut counter = 0;
    for negation in &file.syntax.negations {
        let mut guards = String::new();
        for reference in &negation.guarded {
            let Some(text) = inline::text_at(&file.source.text, *reference, written) else {
                continue;
            };
            if text.contains('\n') {
                continue;
            }
            counter += 1;
            guards.push_str(&format!("; __vg{counter} := {text}"));
        }
        if guards.is_empty() {
            continue;
        }
        match negation.braceless_body {
            Some(body) => {
                edits.push(Edit::insert(body.start, "{ "));
                edits.push(Edit::insert(negation.end, format!("{guards} }}")));
            }
            None => edits.push(Edit::insert(negation.end, guards)),
        }
    }
}

/// OPA evaluates the key of a multi-value rule as the last statement of its body:
/// `deny contains f(x) if body` is `deny contains k if { body; k := f(x) }`, so a key that
/// is undefined, or whose builtin fails, drops that one iteration. The engine evaluates the
/// key apart from the body, where an undefined or failing key drops the whole rule (a deny
/// lost to one odd item) or stops the evaluation. The same rewrite gives OPA's meaning.
/// The key keeps its lines (its text becomes a variable and blanks); the copy in the body
/// is written on one line, so keys holding comments or raw strings are left alone.
fn head_keys(file: &ParsedFile, edits: &mut Vec<Edit>) {
    let text = &file.source.text;
    let mut counter = 0;
    for rule in &file.syntax.rules {
        let [body] = rule.bodies.as_slice() else {
            continue;
        };
        if rule.kind != RuleKind::MultiValue || rule.head_expression.is_none() {
            continue;
        }
        // The engine's span of some keys (object literals) is not the key's, so the key is
        // read from the text: all that stands between the head's name and its body.
        let Some(key) = key_span(text, rule.name_span.end, body.span.start) else {
            continue;
        };
        // A body without braces that a negation guard already wraps is left alone.
        let wrapped = file.syntax.negations.iter().any(|negation| {
            negation
                .braceless_body
                .is_some_and(|braceless| braceless.start == body.query.start)
        });
        if rule.v0_set_head_if.is_some() || (wrapped && !body.braced) {
            continue;
        }
        let Some(key_text) = text.get(key.start..key.end) else {
            continue;
        };
        let plain = key_text
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '"' || c == ' ');
        let one_line_safe = scan::tokenize(key_text)
            .iter()
            .all(|token| token.kind != scan::TokenKind::Comment)
            && !key_text.contains('`');
        if plain || !one_line_safe {
            continue;
        }
        let Some((open, close)) = body_braces(text, body) else {
            continue;
        };
        // Edits inside the key (a METADATA call) apply to the copy instead.
        let mut copy = key_text.to_string();
        let inner: Vec<Edit> = edits
            .iter()
            .filter(|edit| edit.start >= key.start && edit.end <= key.end)
            .cloned()
            .collect();
        if inner.iter().any(|edit| edit.start == edit.end) {
            continue;
        }
        for edit in inner.iter().rev() {
            let (Some(start), Some(end)) = (
                edit.start.checked_sub(key.start),
                edit.end.checked_sub(key.start),
            ) else {
                continue;
            };
            if copy.is_char_boundary(start) && copy.is_char_boundary(end) {
                copy.replace_range(start..end, &edit.text);
            }
        }
        edits.retain(|edit| !inner.contains(edit));
        counter += 1;
        let name = format!("__vh{counter}");
        let copy: String = copy
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        let mut head = name.clone();
        head.extend(
            key_text
                .chars()
                .skip(name.len())
                .map(|c| if c == '\n' || c == '\r' { c } else { ' ' }),
        );
        edits.push(Edit::replace(key.start, key.end, head));
        if let Some(open) = open {
            edits.push(Edit::insert(open, "{ "));
        }
        edits.push(Edit::insert(
            close,
            format!(
                "; {name} := {copy}{}",
                if open.is_some() { " }" } else { "" }
            ),
        ));
    }
}

/// The span of a multi-value head's key in `NAME contains KEY [if] BODY` or
/// `NAME[KEY] BODY`, given where the name ends and the body starts.
fn key_span(text: &str, name_end: usize, body_start: usize) -> Option<Span> {
    let trimmed_span = |start: usize, end: usize| -> Option<(usize, usize)> {
        let part = text.get(start..end)?;
        let start = start + (part.len() - part.trim_start().len());
        Some((start, start + part.trim().len()))
    };
    let (start, mut end) = trimmed_span(name_end, body_start)?;
    let head = text.get(start..end)?;
    if let Some(before_if) = head.strip_suffix("if")
        && before_if.ends_with(|c: char| c.is_whitespace())
    {
        end = start + before_if.trim_end().len();
    }
    let head = text.get(start..end)?;
    let (start, end) = if let Some(rest) = head.strip_prefix("contains") {
        if !rest.starts_with(|c: char| c.is_whitespace()) {
            return None;
        }
        trimmed_span(start + "contains".len(), end)?
    } else if head.starts_with('[') && head.ends_with(']') && head.len() >= 2 {
        trimmed_span(start + 1, end - 1)?
    } else {
        return None;
    };
    (start < end).then_some(Span { start, end })
}

/// Where a body's statements end (before its `}`), and, for a body written without
/// braces, where its opening brace is to go; `None` when the body is not as expected.
fn body_braces(text: &str, body: &BodySyntax) -> Option<(Option<usize>, usize)> {
    let query = text.get(body.query.start..body.query.end)?;
    if body.braced {
        let close = query.trim_end().strip_suffix('}')?.len();
        Some((None, body.query.start + close))
    } else {
        Some((Some(body.query.start), body.query.end))
    }
}

/// The engine evaluates a function defined in several files of one package against the
/// first file's tables, which fails or misbinds arguments. Each later file's definitions
/// get a name of their own, and the first file gets a definition that forwards to them,
/// so all definitions of the function live in one file, with every line left in place.
fn split_functions(parsed: &[ParsedFile], edits: &mut [Vec<Edit>]) {
    let mut files_by_function: BTreeMap<(Vec<String>, Vec<String>), Vec<usize>> = BTreeMap::new();
    for (index, file) in parsed.iter().enumerate() {
        for rule in file
            .syntax
            .rules
            .iter()
            .filter(|r| r.kind == RuleKind::Function)
        {
            let key = (file.syntax.package.clone(), rule.path.clone());
            let files = files_by_function.entry(key).or_default();
            if !files.contains(&index) {
                files.push(index);
            }
        }
    }
    let mut counter = 0;
    for ((_, path), files) in files_by_function {
        let Some((&first, later)) = files.split_first() else {
            continue;
        };
        let name = path.join(".");
        for &index in later {
            counter += 1;
            let renamed = format!("__vfn{counter}");
            let Some(file) = parsed.get(index) else {
                continue;
            };
            let mut arity = 0;
            for rule in file
                .syntax
                .rules
                .iter()
                .filter(|r| r.kind == RuleKind::Function && r.path == path)
            {
                arity = rule.arity;
                if let Some(file_edits) = edits.get_mut(index) {
                    file_edits.push(Edit::replace(
                        rule.name_span.start,
                        rule.name_span.end,
                        renamed.clone(),
                    ));
                }
            }
            let arguments: Vec<String> = (0..arity).map(|n| format!("__va{n}")).collect();
            let arguments = arguments.join(", ");
            if let (Some(file_edits), Some(first_file)) = (edits.get_mut(first), parsed.get(first))
            {
                file_edits.push(Edit::insert(
                    first_file.source.text.len(),
                    format!("\n{name}({arguments}) := {renamed}({arguments})\n"),
                ));
            }
        }
    }
}

/// Builds the engine that evaluates, with the packages' combined verdict rules where it
/// can hold them; the packages that have one.
fn compile(
    parsed: &[ParsedFile],
    files: &[EngineFile],
    metadata_values: Arc<Vec<Value>>,
    data: &[(Arc<str>, Json)],
    options: &RegoOptions,
    reads: &[Vec<String>],
    renaming: Option<&Renaming>,
) -> Result<(Engine, Vec<(String, String)>), Error> {
    let modules = combined::modules(parsed, reads, renaming);
    if !modules.is_empty() {
        let built = engine_with(
            parsed,
            files,
            metadata_values.clone(),
            data,
            options,
            &modules,
        );
        // Without them otherwise: the problems reported are then the files' own.
        if let Ok(engine) = built {
            let packages = modules
                .into_iter()
                .map(|module| (module.package, module.path))
                .collect();
            return Ok((engine, packages));
        }
    }
    let engine = engine_with(parsed, files, metadata_values, data, options, &[])?;
    Ok((engine, Vec::new()))
}

/// Builds an engine: verdict's functions, every file in its dialect, the `combined`
/// modules, the data documents; then prepares it, so that errors the engine finds in a
/// whole policy set are load errors.
fn engine_with(
    parsed: &[ParsedFile],
    files: &[EngineFile],
    metadata_values: Arc<Vec<Value>>,
    data: &[(Arc<str>, Json)],
    options: &RegoOptions,
    combined: &[combined::Module],
) -> Result<Engine, Error> {
    let mut engine = engine::new_engine(options.strict_builtin_errors, options.timeout);
    engine::add_functions(&mut engine, metadata_values, options.strict_builtin_errors).map_err(
        |error| {
            invalid(vec![Diagnostic::error(format!(
                "cannot set up the policy engine: {error}"
            ))])
        },
    )?;
    let mut problems = Vec::new();
    for (file, parsed) in files.iter().zip(parsed) {
        engine.set_rego_v0(parsed.dialect.is_v0());
        let added = engine::guarded(|| {
            engine.add_policy(file.source.name.to_string(), file.edited.text.clone())
        });
        if let Err(error) = added {
            problems.push(diagnose::diagnostic(files, &error, ""));
        }
    }
    for module in combined {
        engine.set_rego_v0(false);
        let name = format!("<verdict rules of {}>", module.package);
        if let Err(error) = engine::guarded(|| engine.add_policy(name, module.text.clone())) {
            problems.push(diagnose::diagnostic(files, &error, ""));
        }
    }
    for (name, document) in data {
        if let Err(problem) = add_data(&mut engine, name, document) {
            problems.push(*problem);
        }
    }
    if problems.is_empty()
        && let Err(error) = engine::guarded(|| engine.eval_query("true".to_string(), false))
    {
        problems.push(diagnose::diagnostic(files, &error, ""));
    }
    if problems.is_empty() {
        Ok(engine)
    } else {
        Err(invalid(problems))
    }
}

fn add_data(engine: &mut Engine, name: &Arc<str>, document: &Json) -> Result<(), Box<Diagnostic>> {
    if !document.is_object() {
        return Err(Box::new(
            Diagnostic::error(format!("data file `{name}` does not hold a JSON object"))
                .in_file(name.clone())
                .with_help(
                    "data documents are merged under `data`: the top level must be an object",
                ),
        ));
    }
    let value = Value::deserialize(document).map_err(|error| {
        Box::new(
            Diagnostic::error(format!("cannot read data file `{name}`: {error}"))
                .in_file(name.clone()),
        )
    })?;
    engine.add_data(value).map_err(|error| {
        Box::new(
            Diagnostic::error(format!(
                "data file `{name}` conflicts with data loaded before it: {error}"
            ))
            .in_file(name.clone()),
        )
    })
}
