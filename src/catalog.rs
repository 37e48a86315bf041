//! env0 policy-catalog folders: `policy.rego` with `metadata.yml` and
//! `configurationSchema.json` (SPEC 3.2).
//!
//! The folder is one policy named by the metadata's `name`. The schema describes the
//! policy's `policyData`: its defaults fill missing keys, and `policyData` that violates it
//! is an input error naming the key.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::source::SourceFile;

/// `metadata.yml`: what env0's catalog says about a policy.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub cloud_provider: Option<String>,
}

/// One catalog folder, ready to prepare inputs for its policy.
#[derive(Clone, Debug)]
pub struct Catalog {
    /// The policy's name: the metadata's `name`, else the folder's name.
    pub name: String,
    pub metadata: Metadata,
    schema: Option<ConfigurationSchema>,
}

#[derive(Clone, Debug)]
struct ConfigurationSchema {
    file: Arc<str>,
    validator: Arc<jsonschema::Validator>,
    defaults: Map<String, Value>,
}

/// The files a catalog folder may hold beside `policy.rego`.
pub const METADATA_FILE: &str = "metadata.yml";
pub const SCHEMA_FILE: &str = "configurationSchema.json";

impl Catalog {
    /// Builds the catalog policy of a folder named `folder_name` from its `metadata.yml`
    /// and `configurationSchema.json`, when present.
    pub fn new(
        folder_name: &str,
        metadata: Option<&Arc<SourceFile>>,
        schema: Option<&Arc<SourceFile>>,
    ) -> Result<Catalog> {
        let metadata = match metadata {
            Some(source) => parse_metadata(source)?,
            None => Metadata::default(),
        };
        let schema = schema.map(ConfigurationSchema::parse).transpose()?;
        let name = metadata
            .name
            .clone()
            .filter(|name| !name.trim().is_empty())
            .unwrap_or_else(|| folder_name.to_string());
        Ok(Catalog {
            name,
            metadata,
            schema,
        })
    }

    /// The input this policy sees: `policyData` with the schema's defaults filled in, after
    /// checking it against the schema. `None` when the input can be used as it is.
    pub fn prepare_input(&self, input: &Value) -> Result<Option<Value>> {
        Ok(self.filled_policy_data(input)?.map(|policy_data| {
            let mut adjusted = input.clone();
            if let Value::Object(fields) = &mut adjusted {
                fields.insert("policyData".to_string(), policy_data);
            }
            adjusted
        }))
    }

    /// The `policyData` this policy sees, after checking it against the schema: `None`
    /// when the input's own is used as it is, else the input's with the schema's defaults
    /// filled in. Cheaper than [`Catalog::prepare_input`], which copies the whole input.
    pub fn filled_policy_data(&self, input: &Value) -> Result<Option<Value>> {
        let Some(schema) = &self.schema else {
            return Ok(None);
        };
        let given = input.get("policyData");
        let filled = schema.fill_defaults(given);
        let policy_data = filled.as_ref().or(given).unwrap_or(&Value::Null);
        match policy_data {
            Value::Null => schema.check(&Value::Object(Map::new()), &self.name)?,
            other => schema.check(other, &self.name)?,
        }
        Ok(filled)
    }
}

fn parse_metadata(source: &Arc<SourceFile>) -> Result<Metadata> {
    if source.text.trim().is_empty() {
        return Ok(Metadata::default());
    }
    yaml_serde::from_str(&source.text).map_err(|error| {
        let diagnostic = Diagnostic::error(format!(
            "invalid `{METADATA_FILE}`: {}",
            first_line(&error.to_string())
        ))
        .with_help(
            "metadata.yml holds `name`, `description`, `categories`, `tags` and `cloudProvider`",
        );
        let located = match error.location() {
            Some(at) => diagnostic.at_line_column(source, to_u32(at.line()), to_u32(at.column())),
            None => diagnostic.in_file(source.name.clone()),
        };
        Error::invalid(located)
    })
}

impl ConfigurationSchema {
    fn parse(source: &Arc<SourceFile>) -> Result<ConfigurationSchema> {
        let schema: Value = serde_json::from_str(&source.text).map_err(|error| {
            Error::invalid(
                Diagnostic::error(format!(
                    "invalid JSON in `{SCHEMA_FILE}`: {}",
                    json_reason(&error)
                ))
                .at_line_column(
                    source,
                    to_u32(error.line()),
                    to_u32(error.column()),
                ),
            )
        })?;
        let validator = jsonschema::validator_for(&schema).map_err(|error| {
            Error::invalid(
                Diagnostic::error(format!(
                    "`{SCHEMA_FILE}` is not a valid JSON Schema: {error}"
                ))
                .in_file(source.name.clone()),
            )
        })?;
        let defaults = match schema.get("properties") {
            Some(Value::Object(properties)) => properties
                .iter()
                .filter_map(|(key, property)| Some((key.clone(), property.get("default")?.clone())))
                .collect(),
            _ => Map::new(),
        };
        Ok(ConfigurationSchema {
            file: source.name.clone(),
            validator: Arc::new(validator),
            defaults,
        })
    }

    /// `policyData` with missing keys taken from the defaults; `None` when nothing is missing
    /// or `policyData` is present but not an object (the check reports that).
    fn fill_defaults(&self, given: Option<&Value>) -> Option<Value> {
        let mut fields = match given {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(fields)) => fields.clone(),
            Some(_) => return None,
        };
        let mut changed = given.is_none();
        for (key, default) in &self.defaults {
            if !fields.contains_key(key) {
                fields.insert(key.clone(), default.clone());
                changed = true;
            }
        }
        changed.then_some(Value::Object(fields))
    }

    fn check(&self, policy_data: &Value, policy: &str) -> Result<()> {
        let problems: Vec<Diagnostic> =
            self.validator
                .iter_errors(policy_data)
                .map(|error| {
                    let pointer = error.instance_path().to_string();
                    let key = pointer_to_path(&pointer);
                    Diagnostic::error(format!(
                    "`{key}` does not match the configuration schema of policy `{policy}`: {error}"
                ))
                .in_file(self.file.clone())
                .with_help(format!("set `{key}` in the input to a value the schema accepts"))
                })
                .collect();
        match problems.is_empty() {
            true => Ok(()),
            false => Err(Error {
                class: crate::error::ErrorClass::Invalid,
                diagnostics: problems,
            }),
        }
    }
}

/// `/limits/0` → `policyData.limits[0]`.
fn pointer_to_path(pointer: &str) -> String {
    let mut path = String::from("policyData");
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            path.push_str(&format!("[{segment}]"));
        } else {
            path.push('.');
            path.push_str(&segment);
        }
    }
    path
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// serde_json's message without its trailing ` at line L column C`.
pub fn json_reason(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text.get(..at).unwrap_or(&text).to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn catalog(schema: Value) -> Catalog {
        let source = SourceFile::new("cost/configurationSchema.json", schema.to_string());
        Catalog {
            name: "cost".into(),
            metadata: Metadata::default(),
            schema: Some(ConfigurationSchema::parse(&source).unwrap()),
        }
    }

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "maxCostIncrease": {"type": "number", "default": 100},
                "teams": {"type": "array", "items": {"type": "string"}}
            }
        })
    }

    #[test]
    fn defaults_fill_missing_keys_and_input_wins() {
        let catalog = catalog(schema());
        let adjusted = catalog.prepare_input(&json!({"x": 1})).unwrap().unwrap();
        assert_eq!(
            adjusted,
            json!({"x": 1, "policyData": {"maxCostIncrease": 100}})
        );
        let given = json!({"policyData": {"maxCostIncrease": 5}});
        assert_eq!(catalog.prepare_input(&given).unwrap(), None);
    }

    #[test]
    fn a_violation_names_the_key() {
        let catalog = catalog(schema());
        let error = catalog
            .prepare_input(&json!({"policyData": {"teams": ["a", 3]}}))
            .unwrap_err();
        assert_eq!(error.class, crate::error::ErrorClass::Invalid);
        let message = &error.diagnostics[0].message;
        assert!(
            message.starts_with("`policyData.teams[1]` does not match"),
            "{message}"
        );
    }

    #[test]
    fn required_keys_without_defaults_are_violations() {
        let catalog = catalog(json!({"type": "object", "required": ["owner"],
            "properties": {"owner": {"type": "string"}}}));
        let error = catalog.prepare_input(&json!({})).unwrap_err();
        assert!(error.diagnostics[0].message.contains("`policyData`"));
        assert!(error.diagnostics[0].message.contains("owner"));
    }

    #[test]
    fn metadata_names_the_policy() {
        let source = SourceFile::new(
            "m.yml",
            "name: Cost guard\ntags: [cost]\ncloudProvider: aws\n",
        );
        let metadata = parse_metadata(&source).unwrap();
        assert_eq!(metadata.name.as_deref(), Some("Cost guard"));
        assert_eq!(metadata.cloud_provider.as_deref(), Some("aws"));
        let broken = SourceFile::new("m.yml", "name: [unclosed\n");
        let error = parse_metadata(&broken).unwrap_err();
        assert!(error.diagnostics[0].location().is_some());
    }
}
