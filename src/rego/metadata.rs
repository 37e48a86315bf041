//! `# METADATA` comment blocks, read as OPA reads them, and the values of
//! `rego.metadata.rule()` and `rego.metadata.chain()` built from them.

use std::sync::Arc;

use serde_json::{Map, Value as Json, json};

use super::scan::{self, Token, TokenKind};
use super::syntax::ModuleSyntax;
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

/// Where an annotation applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Rule,
    Document,
    Package,
    Subpackages,
}

impl Scope {
    fn from_name(name: &str) -> Option<Scope> {
        match name {
            "rule" => Some(Scope::Rule),
            "document" => Some(Scope::Document),
            "package" => Some(Scope::Package),
            "subpackages" => Some(Scope::Subpackages),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Scope::Rule => "rule",
            Scope::Document => "document",
            Scope::Package => "package",
            Scope::Subpackages => "subpackages",
        }
    }
}

/// One annotation: its scope and the normalised object OPA returns for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Annotation {
    pub scope: Scope,
    pub value: Json,
}

impl Annotation {
    fn text(&self, key: &str) -> Option<&str> {
        self.value.get(key).and_then(Json::as_str)
    }
}

/// The annotations of one file, attached to what follows each block.
#[derive(Clone, Debug, Default)]
pub struct FileAnnotations {
    /// Per rule (same indexes as `ModuleSyntax::rules`): rule and document scopes.
    pub rules: Vec<Vec<Annotation>>,
    /// Package and subpackages scopes of the package clause.
    pub package: Vec<Annotation>,
}

/// A block before normalisation: where it starts and its YAML text.
struct Block {
    start: usize,
    end: usize,
    yaml: String,
}

/// Reads every `# METADATA` block of a file and attaches it to the rule or package that
/// follows; problems are diagnostics at the block.
pub fn read(
    source: &Arc<SourceFile>,
    syntax: &ModuleSyntax,
) -> Result<FileAnnotations, Vec<Diagnostic>> {
    let mut annotations = FileAnnotations {
        rules: vec![Vec::new(); syntax.rules.len()],
        package: Vec::new(),
    };
    let mut problems = Vec::new();
    for block in blocks(&source.text) {
        let before_package = block.end <= syntax.package_span.start;
        let rule = syntax
            .rules
            .iter()
            .position(|rule| rule.span.start >= block.end);
        let default_scope = if before_package {
            Scope::Package
        } else {
            Scope::Rule
        };
        match normalise(&block, default_scope) {
            Ok(annotation) => match (before_package, rule) {
                (true, _) => annotations.package.push(annotation),
                (false, Some(index)) => {
                    if let Some(list) = annotations.rules.get_mut(index) {
                        list.push(annotation);
                    }
                }
                (false, None) => {}
            },
            Err(message) => problems.push(
                Diagnostic::error(format!("invalid METADATA block: {message}"))
                    .at(source, Span::new(block.start, block.start + 1))
                    .with_help("METADATA blocks hold YAML: https://www.openpolicyagent.org/docs/policy-reference/#annotations"),
            ),
        }
    }
    if problems.is_empty() {
        Ok(annotations)
    } else {
        Err(problems)
    }
}

/// Comment lines that stand alone on their line, in order.
fn blocks(text: &str) -> Vec<Block> {
    let tokens = scan::tokenize(text);
    let mut lone_comments: Vec<&Token> = Vec::new();
    let mut line_has_code = false;
    for token in &tokens {
        match token.kind {
            TokenKind::Newline => line_has_code = false,
            TokenKind::Comment if !line_has_code => lone_comments.push(token),
            _ => line_has_code = true,
        }
    }
    let mut blocks = Vec::new();
    let mut index = 0;
    while let Some(token) = lone_comments.get(index) {
        index += 1;
        if comment_body(token.text(text)).trim() != "METADATA" {
            continue;
        }
        let mut block = Block {
            start: token.start,
            end: token.end,
            yaml: String::new(),
        };
        let mut line = token.line;
        while let Some(next) = lone_comments.get(index) {
            let body = comment_body(next.text(text));
            if next.line != line + 1 || body.trim() == "METADATA" {
                break;
            }
            block.yaml.push_str(body);
            block.yaml.push('\n');
            block.end = next.end;
            line = next.line;
            index += 1;
        }
        blocks.push(block);
    }
    blocks
}

fn comment_body(comment: &str) -> &str {
    comment.strip_prefix('#').unwrap_or(comment)
}

/// Parses a block's YAML and normalises it the way OPA presents annotations.
fn normalise(block: &Block, default_scope: Scope) -> Result<Annotation, String> {
    let parsed: Json = if block.yaml.trim().is_empty() {
        Json::Object(Map::new())
    } else {
        yaml_serde::from_str(&block.yaml).map_err(|error| error.to_string())?
    };
    let Json::Object(fields) = parsed else {
        return Err("expected a mapping of annotation fields".to_string());
    };
    let mut value = Map::new();
    let mut scope = None;
    let mut entrypoint = false;
    for (key, field) in fields {
        let normalised = match key.as_str() {
            "scope" => {
                let name = field.as_str().ok_or("`scope` must be a string")?;
                scope =
                    Some(Scope::from_name(name).ok_or_else(|| format!("invalid scope `{name}`"))?);
                continue;
            }
            "title" | "description" => {
                field
                    .as_str()
                    .ok_or_else(|| format!("`{key}` must be a string"))?;
                field
            }
            "entrypoint" => {
                entrypoint = field.as_bool().ok_or("`entrypoint` must be a boolean")?;
                field
            }
            "organizations" => strings(&key, field)?,
            "related_resources" => list(&key, field, related_resource)?,
            "authors" => list(&key, field, author)?,
            "schemas" => list(&key, field, schema)?,
            "custom" => {
                if !field.is_object() && !field.is_null() {
                    return Err("`custom` must be a mapping".to_string());
                }
                field
            }
            _ => continue,
        };
        value.insert(key, normalised);
    }
    let scope = match (scope, entrypoint) {
        (Some(Scope::Rule | Scope::Subpackages), true) => {
            return Err("`entrypoint` applies to document or package scope only".to_string());
        }
        (Some(scope), _) => scope,
        (None, true) if default_scope == Scope::Rule => Scope::Document,
        (None, _) => default_scope,
    };
    value.insert("scope".to_string(), json!(scope.name()));
    Ok(Annotation {
        scope,
        value: Json::Object(value),
    })
}

fn strings(key: &str, field: Json) -> Result<Json, String> {
    match &field {
        Json::Array(items) if items.iter().all(Json::is_string) => Ok(field),
        _ => Err(format!("`{key}` must be a list of strings")),
    }
}

fn list(key: &str, field: Json, item: fn(Json) -> Option<Json>) -> Result<Json, String> {
    let Json::Array(items) = field else {
        return Err(format!("`{key}` must be a list"));
    };
    items
        .into_iter()
        .map(|entry| item(entry).ok_or_else(|| format!("invalid entry in `{key}`")))
        .collect::<Result<Vec<_>, _>>()
        .map(Json::Array)
}

fn related_resource(entry: Json) -> Option<Json> {
    match entry {
        Json::String(reference) => Some(json!({ "ref": reference })),
        Json::Object(ref fields) if fields.get("ref").is_some_and(Json::is_string) => Some(entry),
        _ => None,
    }
}

/// `Jane Doe <jane@example.com>` becomes `{"name": "Jane Doe", "email": "jane@example.com"}`.
fn author(entry: Json) -> Option<Json> {
    match entry {
        Json::String(text) => {
            let text = text.trim();
            let mut author = Map::new();
            match text.rsplit_once('<') {
                Some((name, email)) if email.ends_with('>') => {
                    let email = email.trim_end_matches('>').trim();
                    if !name.trim().is_empty() {
                        author.insert("name".to_string(), json!(name.trim()));
                    }
                    author.insert("email".to_string(), json!(email));
                }
                _ => {
                    author.insert("name".to_string(), json!(text));
                }
            }
            Some(Json::Object(author))
        }
        Json::Object(_) => Some(entry),
        _ => None,
    }
}

/// `- input.x: schema.y` or `- input: {definition}`.
fn schema(entry: Json) -> Option<Json> {
    let Json::Object(fields) = entry else {
        return None;
    };
    let (path, target) = fields.into_iter().next()?;
    let path: Vec<&str> = path.split('.').collect();
    let mut schema = Map::new();
    schema.insert("path".to_string(), json!(path));
    match target {
        Json::String(reference) => {
            let reference: Vec<&str> = reference.split('.').collect();
            schema.insert("schema".to_string(), json!(reference));
        }
        definition => {
            schema.insert("definition".to_string(), definition);
        }
    }
    Some(Json::Object(schema))
}

/// Every annotation of a set of files, by where it applies.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// Per file, per rule definition: its annotations.
    files: Vec<FileAnnotations>,
    /// Per file: its package.
    packages: Vec<Vec<String>>,
    /// Per file, per rule: the rule's path.
    rule_paths: Vec<Vec<Vec<String>>>,
}

impl Catalog {
    pub fn new() -> Catalog {
        Catalog::default()
    }

    pub fn add(&mut self, syntax: &ModuleSyntax, annotations: FileAnnotations) {
        self.files.push(annotations);
        self.packages.push(syntax.package.clone());
        self.rule_paths
            .push(syntax.rules.iter().map(|rule| rule.path.clone()).collect());
    }

    fn rule_annotations(&self, file: usize, rule: usize) -> &[Annotation] {
        self.files
            .get(file)
            .and_then(|annotations| annotations.rules.get(rule))
            .map_or(&[], Vec::as_slice)
    }

    /// The first annotation of a scope for a package or a document of it, over all files.
    fn first_for(
        &self,
        package: &[String],
        rule_path: Option<&[String]>,
        scope: Scope,
    ) -> Option<&Annotation> {
        self.files
            .iter()
            .enumerate()
            .find_map(|(file, annotations)| {
                if self.packages.get(file).map(Vec::as_slice) != Some(package) {
                    return None;
                }
                match rule_path {
                    None => annotations.package.iter().find(|a| a.scope == scope),
                    Some(path) => annotations
                        .rules
                        .iter()
                        .enumerate()
                        .find_map(|(rule, list)| {
                            let same = self
                                .rule_paths
                                .get(file)
                                .and_then(|paths| paths.get(rule))
                                .is_some_and(|p| p.as_slice() == path);
                            same.then(|| list.iter().find(|a| a.scope == scope))
                                .flatten()
                        }),
                }
            })
    }

    /// `rego.metadata.rule()` for a rule definition: its rule-scope annotation, or `{}`.
    pub fn rule_value(&self, file: usize, rule: usize) -> Json {
        self.rule_annotations(file, rule)
            .iter()
            .find(|annotation| annotation.scope == Scope::Rule)
            .map_or_else(|| json!({}), |annotation| annotation.value.clone())
    }

    /// `rego.metadata.chain()` for a rule definition: the rule, its document, its package
    /// and the packages above that annotate their subpackages, nearest first.
    pub fn chain_value(&self, file: usize, rule: usize) -> Json {
        let package = self.packages.get(file).cloned().unwrap_or_default();
        let rule_path = self
            .rule_paths
            .get(file)
            .and_then(|paths| paths.get(rule))
            .cloned()
            .unwrap_or_default();
        let full_path: Vec<String> = package.iter().chain(&rule_path).cloned().collect();
        let mut chain = Vec::new();
        let mut rule_entry = Map::new();
        rule_entry.insert("path".to_string(), json!(full_path));
        if let Some(annotation) = self
            .rule_annotations(file, rule)
            .iter()
            .find(|annotation| annotation.scope == Scope::Rule)
        {
            rule_entry.insert("annotations".to_string(), annotation.value.clone());
        }
        chain.push(Json::Object(rule_entry));
        if let Some(document) = self.first_for(&package, Some(&rule_path), Scope::Document) {
            chain.push(json!({ "path": full_path, "annotations": document.value }));
        }
        if let Some(own) = self.first_for(&package, None, Scope::Package) {
            chain.push(json!({ "path": package, "annotations": own.value }));
        }
        for length in (1..=package.len()).rev() {
            let ancestor = package.get(..length).unwrap_or_default();
            if let Some(sub) = self.first_for(ancestor, None, Scope::Subpackages) {
                chain.push(json!({ "path": ancestor, "annotations": sub.value }));
            }
        }
        Json::Array(chain)
    }

    /// The text that stands for a rule that is simply `true`: the description of its
    /// annotations, else the title.
    pub fn summary(&self, file: usize, rule: usize) -> Option<String> {
        let package = self.packages.get(file)?;
        let path = self.rule_paths.get(file)?.get(rule)?;
        let own = self.rule_annotations(file, rule).iter();
        let document = self.first_for(package, Some(path), Scope::Document);
        let candidates: Vec<&Annotation> = own.chain(document).collect();
        candidates
            .iter()
            .find_map(|annotation| annotation.text("description"))
            .or_else(|| {
                candidates
                    .iter()
                    .find_map(|annotation| annotation.text("title"))
            })
            .map(str::to_string)
    }

    /// The title and description of a rule definition's own annotations.
    pub fn texts(&self, file: usize, rule: usize) -> Vec<&str> {
        self.rule_annotations(file, rule)
            .iter()
            .flat_map(|annotation| [annotation.text("description"), annotation.text("title")])
            .flatten()
            .filter(|text| !text.is_empty())
            .collect()
    }
}
