//! The benchmark workloads, generated from the shipped policies and fixtures so that anyone
//! can re-create them: input documents with plans of any size, NDJSON batches, and policy
//! sets of 1, 10 and 100 policies in Rego and in the policy language.
//!
//! `cargo run --release --example workloads -- DIR` writes them to disk; the benchmarks
//! build the same workloads in memory.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// The plan sizes measured besides the small input's 3 resource changes.
pub const PLAN_SIZES: [usize; 4] = [10, 100, 1_000, 10_000];

/// The policy counts measured.
pub const POLICY_COUNTS: [usize; 3] = [1, 10, 100];

/// The documents in the NDJSON batch.
pub const BATCH_LINES: usize = 10_000;

/// The evaluation time every workload is decided at.
pub const NOW: &str = "2026-11-21T10:00:00Z";

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// The small input: the shipped fixture of a small deployment, 3 resource changes, with
/// the catalog policy's one setting spelled out, so that a Rego engine used directly sees
/// the same `policyData` as verdict, which fills in the catalog's defaults.
pub fn small_input() -> Value {
    let mut document: Value = serde_json::from_str(&read("fixtures/env0/deploy-small.json"))
        .expect("the fixture is JSON");
    document["policyData"] = json!({ "requiredApprovers": 1 });
    document
}

const RESOURCE_TYPES: [&str; 8] = [
    "aws_instance",
    "aws_security_group",
    "aws_s3_bucket",
    "aws_iam_role",
    "aws_lambda_function",
    "aws_db_instance",
    "aws_cloudwatch_log_group",
    "aws_route53_record",
];

/// One resource change of a Terraform plan, about 360 bytes of JSON as real plans have.
/// Most changes update or create; one in 50 deletes, so critical deletions appear.
fn resource_change(n: usize) -> Value {
    let kind = RESOURCE_TYPES[n % RESOURCE_TYPES.len()];
    let actions = match n % 50 {
        7 => json!(["delete"]),
        13 => json!(["delete", "create"]),
        n if n % 3 == 0 => json!(["create"]),
        n if n % 5 == 0 => json!(["no-op"]),
        _ => json!(["update"]),
    };
    json!({
        "address": format!("{kind}.r{n}"),
        "mode": "managed",
        "type": kind,
        "name": format!("r{n}"),
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {
            "actions": actions,
            "before": {"id": format!("id-{n}"), "tags": {"team": "payments", "env": "prod"}, "size": n % 7},
            "after": {"id": format!("id-{n}"), "tags": {"team": "payments", "env": "prod"}, "size": n % 11},
            "after_unknown": {"arn": true}
        }
    })
}

/// The small input with a plan of `changes` resource changes.
pub fn plan_input(changes: usize) -> Value {
    let mut document = small_input();
    let resource_changes: Vec<Value> = (0..changes).map(resource_change).collect();
    document["plan"] = json!({ "resource_changes": resource_changes });
    document
}

/// The inputs measured, by name: `small` (3 changes) and `plan-N`.
pub fn inputs() -> Vec<(String, Value)> {
    let mut all = vec![("small".to_string(), small_input())];
    all.extend(
        PLAN_SIZES
            .iter()
            .map(|&n| (format!("plan-{n}"), plan_input(n))),
    );
    all
}

/// `lines` small documents, one per line, varied so that every verdict appears.
pub fn batch_ndjson(lines: usize) -> String {
    let base = small_input();
    let mut text = String::new();
    for n in 0..lines {
        let mut document = base.clone();
        document["costEstimation"]["monthlyCostDiff"] = json!((n % 9) * 30);
        if n % 4 == 1 {
            document["approvers"] = json!([]);
        }
        if n % 10 == 3 {
            document["deploymentRequest"]["type"] = json!("destroy");
        }
        let _ = writeln!(text, "{document}");
    }
    text
}

/// One shipped policy, in both languages; the policy-language file may hold several
/// policies, of which `dsl_name` is this one.
pub struct Shipped {
    /// The Rego file, or the catalog folder holding `policy.rego`.
    pub rego: &'static str,
    pub rego_package: &'static str,
    pub dsl_file: &'static str,
    pub dsl_name: &'static str,
}

/// The shipped env0 policies and their policy-language twins, in the order the sets of 1,
/// 10 and 100 policies cycle through them. The first, which walks the whole plan, is the
/// set of one policy.
pub const SHIPPED: [Shipped; 7] = [
    Shipped {
        rego: "protect-critical-resources.rego",
        rego_package: "env0.protect_critical_resources",
        dsl_file: "protect-critical-resources.policy",
        dsl_name: "protect-critical-resources",
    },
    Shipped {
        rego: "require-approvers",
        rego_package: "env0.require_approvers",
        dsl_file: "require-approvers.policy",
        dsl_name: "require-approvers",
    },
    Shipped {
        rego: "cost-threshold.rego",
        rego_package: "env0.cost_threshold",
        dsl_file: "cost.policy",
        dsl_name: "cost-threshold",
    },
    Shipped {
        rego: "cost-hard-limit.rego",
        rego_package: "env0.cost_hard_limit",
        dsl_file: "cost.policy",
        dsl_name: "cost-hard-limit",
    },
    Shipped {
        rego: "team-owned-resources.rego",
        rego_package: "env0.team_owned_resources",
        dsl_file: "team-owned-resources.policy",
        dsl_name: "team-owned-resources",
    },
    Shipped {
        rego: "warn-destroy.rego",
        rego_package: "env0.warn_destroy",
        dsl_file: "destroy-and-auto-allow.policy",
        dsl_name: "warn-destroy",
    },
    Shipped {
        rego: "auto-allow.rego",
        rego_package: "env0.auto_allow",
        dsl_file: "destroy-and-auto-allow.policy",
        dsl_name: "auto-allow",
    },
];

/// One file of a generated policy set: its path inside the set's folder and its text.
pub struct PolicyFile {
    pub path: String,
    pub text: String,
}

/// Which shipped policy the `index`-th policy of a set is.
pub fn shipped_kind(index: usize) -> &'static Shipped {
    &SHIPPED[index % SHIPPED.len()]
}

/// A suffix that keeps the copies of one policy apart: none for the first copy.
fn copy_suffix(index: usize) -> Option<usize> {
    let copy = index / SHIPPED.len();
    (copy > 0).then_some(copy)
}

/// `count` Rego policies cycling through the shipped ones; copies get their own package
/// (and catalog name), so every policy is evaluated and reported on its own.
pub fn rego_set(count: usize) -> Vec<PolicyFile> {
    let mut files = Vec::new();
    for index in 0..count {
        let shipped = shipped_kind(index);
        let suffix = copy_suffix(index);
        let package = match suffix {
            Some(copy) => format!("{}_{copy}", shipped.rego_package),
            None => shipped.rego_package.to_string(),
        };
        let rename = |text: String| {
            text.replace(
                &format!("package {}\n", shipped.rego_package),
                &format!("package {package}\n"),
            )
        };
        let stem = shipped.rego.trim_end_matches(".rego");
        let name = match suffix {
            Some(copy) => format!("{stem}-{copy}"),
            None => stem.to_string(),
        };
        let folder = root().join("policies/env0").join(shipped.rego);
        if folder.is_dir() {
            for entry in ["policy.rego", "metadata.yml", "configurationSchema.json"] {
                let text = read(&format!("policies/env0/{}/{entry}", shipped.rego));
                let text = match entry {
                    "policy.rego" => rename(text),
                    "metadata.yml" => {
                        text.replace(&format!("name: {stem}\n"), &format!("name: {name}\n"))
                    }
                    _ => text,
                };
                files.push(PolicyFile {
                    path: format!("{name}/{entry}"),
                    text,
                });
            }
        } else {
            let text = rename(read(&format!("policies/env0/{}", shipped.rego)));
            files.push(PolicyFile {
                path: format!("{name}.rego"),
                text,
            });
        }
    }
    files
}

/// The text of one `policy` block of a shipped file, from its comment-free start to its
/// closing brace.
fn dsl_block(file: &str, name: &str) -> String {
    let text = read(&format!("policies/dsl/{file}"));
    let start = text
        .find(&format!("policy \"{name}\""))
        .unwrap_or_else(|| panic!("no policy `{name}` in {file}"));
    let end = text[start..]
        .find("\n}")
        .map(|end| start + end + 2)
        .unwrap_or(text.len());
    text[start..end].to_string()
}

/// `count` policy-language policies, the twins of [`rego_set`]'s, renamed the same way.
pub fn dsl_set(count: usize) -> Vec<PolicyFile> {
    let mut text = String::new();
    for index in 0..count {
        let shipped = shipped_kind(index);
        let block = dsl_block(shipped.dsl_file, shipped.dsl_name);
        let block = match copy_suffix(index) {
            Some(copy) => block.replacen(
                &format!("policy \"{}\"", shipped.dsl_name),
                &format!("policy \"{}-{copy}\"", shipped.dsl_name),
                1,
            ),
            None => block,
        };
        text.push_str(&block);
        text.push_str("\n\n");
    }
    vec![PolicyFile {
        path: "policies.policy".to_string(),
        text,
    }]
}

/// The shipped Rego set (`policies/env0`, 7 policies) is the set of 7.
pub const SHIPPED_COUNT: usize = SHIPPED.len();

/// Writes a policy set under `folder`, replacing what was there.
pub fn write_set(folder: &Path, files: &[PolicyFile]) -> std::io::Result<()> {
    if folder.exists() {
        std::fs::remove_dir_all(folder)?;
    }
    for file in files {
        let path = folder.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, &file.text)?;
    }
    Ok(())
}

/// Writes every workload under `folder`: `inputs/*.json`, `batch.ndjson`, and
/// `policies/{rego,dsl}-{1,7,10,100}/`. Returns what it wrote, for the caller to show.
pub fn write_all(folder: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let inputs = folder.join("inputs");
    std::fs::create_dir_all(&inputs)?;
    for (name, document) in inputs_with_text() {
        let path = inputs.join(format!("{name}.json"));
        std::fs::write(&path, document)?;
        written.push(path);
    }
    let batch = folder.join("batch.ndjson");
    std::fs::write(&batch, batch_ndjson(BATCH_LINES))?;
    written.push(batch);
    for count in [1, SHIPPED_COUNT, 10, 100] {
        for (language, files) in [("rego", rego_set(count)), ("dsl", dsl_set(count))] {
            let set = folder.join("policies").join(format!("{language}-{count}"));
            write_set(&set, &files)?;
            written.push(set);
        }
    }
    Ok(written)
}

/// The inputs as the JSON text a caller would send: compact, one document each.
pub fn inputs_with_text() -> Vec<(String, String)> {
    inputs()
        .into_iter()
        .map(|(name, document)| (name, document.to_string()))
        .collect()
}
