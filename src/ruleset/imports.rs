//! Which environments an environment imports, transitively, with cycles reported rather
//! than followed: the walk visits each environment once, iteratively, so neither a cycle
//! nor a long chain can hang it or exhaust the stack.

use std::collections::HashMap;

use serde_json::Value;

use super::person::Name;
use crate::diagnostic::Diagnostic;
use crate::error::Error;

/// `input.environments`: each environment's direct imports, keyed by its comparison key.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ImportGraph {
    imports: HashMap<String, Vec<Name>>,
}

/// Everything an environment imports.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ImportWalk {
    /// Every environment reachable through imports, the root excluded, depth first in the
    /// order the imports are listed.
    pub reached: Vec<Name>,
    /// Each cycle found, as the path that closes it (`a → b → a`).
    pub cycles: Vec<Vec<Name>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    OnPath,
    Done,
}

impl ImportGraph {
    /// Reads `{"org/project/env": {"imports": [...]}}`; names compare case-insensitively,
    /// so two spellings of one environment merge. Absent or `null`, the document, an
    /// entry or its `imports` lists nothing. Anything else that is not as shown is an
    /// invalid input: an import that could not be read would otherwise go unchecked, and
    /// an open of the environment importing it be allowed without the grant it needs.
    pub fn read(value: Option<&Value>) -> Result<ImportGraph, Error> {
        let mut imports: HashMap<String, Vec<Name>> = HashMap::new();
        let environments = match value {
            None | Some(Value::Null) => return Ok(ImportGraph { imports }),
            Some(Value::Object(environments)) => environments,
            Some(_) => return Err(malformed("`environments` is not an object")),
        };
        for (name, entry) in environments {
            let environment = Name::new(name)
                .ok_or_else(|| malformed("`environments` has an entry with an empty name"))?;
            let listed = match entry {
                Value::Null => None,
                Value::Object(entry) => entry.get("imports"),
                _ => {
                    return Err(malformed(format!(
                        "`environments` entry `{}` is not an object",
                        environment.shown
                    )));
                }
            };
            let listed = match listed {
                None | Some(Value::Null) => &[][..],
                Some(Value::Array(listed)) => listed.as_slice(),
                Some(_) => {
                    return Err(malformed(format!(
                        "the `imports` of `{}` is not a list",
                        environment.shown
                    )));
                }
            };
            let resolved = listed
                .iter()
                .map(|import| {
                    import
                        .as_str()
                        .and_then(|import| resolve(&environment.shown, import))
                        .ok_or_else(|| {
                            malformed(format!(
                                "the `imports` of `{}` lists {import}, which is not an environment name",
                                environment.shown
                            ))
                        })
                })
                .collect::<Result<Vec<Name>, Error>>()?;
            imports.entry(environment.key).or_default().extend(resolved);
        }
        Ok(ImportGraph { imports })
    }

    /// Walks the imports of `root` depth first.
    pub fn walk(&self, root: &Name) -> ImportWalk {
        let mut walk = ImportWalk::default();
        let mut marks: HashMap<&str, Mark> = HashMap::new();
        let mut path: Vec<(&Name, usize)> = vec![(root, 0)];
        marks.insert(&root.key, Mark::OnPath);
        while let Some((node, next_child)) = path.last_mut() {
            let node = *node;
            let child = self
                .imports
                .get(&node.key)
                .and_then(|children| children.get(*next_child));
            let Some(child) = child else {
                marks.insert(&node.key, Mark::Done);
                path.pop();
                continue;
            };
            *next_child += 1;
            match marks.get(child.key.as_str()) {
                None => {
                    marks.insert(&child.key, Mark::OnPath);
                    walk.reached.push(child.clone());
                    path.push((child, 0));
                }
                Some(Mark::OnPath) => walk.cycles.push(cycle_through(&path, child)),
                Some(Mark::Done) => {}
            }
        }
        walk
    }
}

/// The part of the current path from `child`'s earlier visit, closed by `child` again.
fn cycle_through(path: &[(&Name, usize)], child: &Name) -> Vec<Name> {
    let start = path
        .iter()
        .position(|(node, _)| node.key == child.key)
        .unwrap_or(0);
    path.iter()
        .skip(start)
        .map(|(node, _)| (*node).clone())
        .chain(std::iter::once(child.clone()))
        .collect()
}

/// Resolves an import as ESC does: `project/env` is in the importer's organisation, a bare
/// `env` in the importer's project; a full `org/project/env` stands as it is.
fn resolve(importer: &str, import: &str) -> Option<Name> {
    let import = Name::new(import)?.shown;
    let import = import.as_str();
    let segments = import.split('/').count();
    let mut scope = importer.split('/');
    let resolved = match segments {
        1 => match (scope.next(), scope.next()) {
            (Some(org), Some(project)) => format!("{org}/{project}/{import}"),
            _ => import.to_string(),
        },
        2 => match scope.next() {
            Some(org) if importer.contains('/') => format!("{org}/{import}"),
            _ => import.to_string(),
        },
        _ => import.to_string(),
    };
    // A name with an empty segment (`acme//db`, a bare `/`) names no environment.
    Name::new(&resolved).filter(|name| !name.shown.split('/').any(str::is_empty))
}

/// An input whose `environments` cannot be read as the imports of each environment.
fn malformed(message: impl Into<String>) -> Error {
    Error::invalid(Diagnostic::error(message).with_help(
        r#"write `"environments": {"org/project/env": {"imports": ["org/project/other"]}}`"#,
    ))
}

/// A cycle as text: `a → b → a`.
pub(crate) fn cycle_text(cycle: &[Name]) -> String {
    cycle
        .iter()
        .map(|environment| environment.shown.as_str())
        .collect::<Vec<_>>()
        .join(" → ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn graph(value: Value) -> ImportGraph {
        ImportGraph::read(Some(&value)).unwrap()
    }

    fn walk(graph: &ImportGraph, root: &str) -> (Vec<String>, Vec<String>) {
        let walk = graph.walk(&Name::new(root).unwrap());
        (
            walk.reached.into_iter().map(|e| e.shown).collect(),
            walk.cycles.iter().map(|c| cycle_text(c)).collect(),
        )
    }

    #[test]
    fn transitive_imports_depth_first_each_once() {
        let imports = graph(json!({
            "acme/app/prod": {"imports": ["acme/shared/aws", "acme/shared/db"]},
            "acme/shared/aws": {"imports": ["acme/shared/base"]},
            "acme/shared/db": {"imports": ["acme/shared/base"]},
        }));
        let (reached, cycles) = walk(&imports, "acme/app/prod");
        assert_eq!(
            reached,
            ["acme/shared/aws", "acme/shared/base", "acme/shared/db"]
        );
        assert!(cycles.is_empty());
    }

    #[test]
    fn cycles_and_self_imports_are_reported_not_followed() {
        let imports = graph(json!({
            "a/p/a": {"imports": ["a/p/b"]},
            "a/p/b": {"imports": ["A/P/A"]},
            "a/p/self": {"imports": ["a/p/self"]},
        }));
        let (reached, cycles) = walk(&imports, "a/p/a");
        assert_eq!(reached, ["a/p/b"]);
        assert_eq!(cycles, ["a/p/a → a/p/b → A/P/A"]);
        let (reached, cycles) = walk(&imports, "a/p/self");
        assert!(reached.is_empty());
        assert_eq!(cycles, ["a/p/self → a/p/self"]);
    }

    #[test]
    fn a_long_chain_is_walked_without_recursion() {
        let chain: serde_json::Map<String, Value> = (0..50_000)
            .map(|n| {
                (
                    format!("o/p/e{n}"),
                    json!({"imports": [format!("o/p/e{}", n + 1)]}),
                )
            })
            .collect();
        let (reached, cycles) = walk(&graph(Value::Object(chain)), "o/p/e0");
        assert_eq!(reached.len(), 50_000);
        assert!(cycles.is_empty());
    }

    #[test]
    fn relative_imports_resolve_in_the_importers_scope() {
        let imports = graph(json!({
            "acme/app/prod": {"imports": ["shared/aws", "local"]},
        }));
        let (reached, _) = walk(&imports, "acme/app/prod");
        assert_eq!(reached, ["acme/shared/aws", "acme/app/local"]);
    }

    #[test]
    fn absent_or_null_lists_nothing() {
        for value in [
            json!(null),
            json!({}),
            json!({"acme/app/prod": null}),
            json!({"acme/app/prod": {}}),
            json!({"acme/app/prod": {"imports": null}}),
        ] {
            let (reached, _) = walk(&graph(value.clone()), "acme/app/prod");
            assert!(reached.is_empty(), "{value}");
        }
        assert_eq!(ImportGraph::read(None).unwrap(), ImportGraph::default());
    }

    #[test]
    fn imports_that_cannot_be_read_are_an_invalid_input() {
        let cases = [
            (json!([]), "`environments` is not an object"),
            (json!({"": {"imports": []}}), "an entry with an empty name"),
            (
                json!({"a/b/c": ["a/b/d"]}),
                "entry `a/b/c` is not an object",
            ),
            (
                json!({"a/b/c": {"imports": "a/b/d"}}),
                "the `imports` of `a/b/c` is not a list",
            ),
            (
                json!({"a/b/c": {"imports": {"a/b/d": true}}}),
                "is not a list",
            ),
            (json!({"a/b/c": {"imports": [7]}}), "lists 7, which is not"),
            (
                json!({"a/b/c": {"imports": [{"name": "a/b/d"}]}}),
                "lists {\"name\":\"a/b/d\"}",
            ),
            (
                json!({"a/b/c": {"imports": [" "]}}),
                "lists \" \", which is not",
            ),
            (json!({"a/b/c": {"imports": ["\u{200b}"]}}), "which is not"),
            (json!({"a/b/c": {"imports": ["a//d"]}}), "which is not"),
            (json!({"a/b/c": {"imports": ["d/"]}}), "which is not"),
        ];
        for (value, message) in cases {
            let error = ImportGraph::read(Some(&value)).expect_err("malformed");
            assert_eq!(error.class, crate::error::ErrorClass::Invalid, "{value}");
            let shown = error.to_string();
            assert!(shown.contains(message), "{value}: {shown}");
        }
    }
}
