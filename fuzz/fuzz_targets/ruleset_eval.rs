//! Approval rulesets deciding arbitrary ESC and env0 requests: requests, reviews, grants
//! and environment imports built from the fuzz input, with identities, teams, times and
//! durations drawn from small pools (so that they often match) or given as any JSON.
//!
//! Besides never panicking, the verdict must not depend on the order of the reviews, the
//! grants or the imports.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use chrono::{DateTime, TimeDelta, Utc};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};
use verdict::Verdict;
use verdict::decision::Decision;
use verdict::dsl::{self, ast::Item};
use verdict::ruleset::{self, Rulesets};
use verdict::source::SourceFile;

/// Rulesets beyond the shipped ones: every kind of approver, self-approval allowed,
/// reapproval off, several approvals, disabled rulesets, env0 actions.
const EXTRA: &str = r#"
ruleset "staging-open" {
  action open
  environments "acme/*/staging", "acme/shared/*"
  approvers user "carol@acme.io", permission "env:admin"
  require 1 approval
  self_approval allowed
  reapprove_on_change false
  max_access_duration 1d
  max_grant_expiration 1w
}

ruleset "staging-change" {
  action update
  environments "acme/*/staging"
  approvers team "sre", team "sre-contractors"
  require 2 approvals
}

ruleset "deploys" {
  action deploy, deployResume
  approvers team "payments"
  require 1 approval
  self_approval allowed
}

ruleset "disabled" {
  action open, update, deploy, destroy
  enabled false
}
"#;

fn rulesets() -> &'static Rulesets {
    static RULESETS: OnceLock<Rulesets> = OnceLock::new();
    RULESETS.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../policies/esc");
        let mut texts: Vec<(String, String)> = std::fs::read_dir(&root)
            .expect("the shipped rulesets")
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "policy"))
            .map(|path| {
                let text = std::fs::read_to_string(&path).expect("a shipped ruleset");
                (path.display().to_string(), text)
            })
            .collect();
        texts.sort();
        texts.push(("extra.policy".to_string(), EXTRA.to_string()));
        let mut lowered = Vec::new();
        for (name, text) in texts {
            let source = SourceFile::new(name, text);
            let file = dsl::parse::parse(&source).expect("the rulesets parse");
            for item in &file.items {
                if let Item::Ruleset(block) = item {
                    lowered.push(ruleset::lower(block, &source).expect("the rulesets lower"));
                }
            }
        }
        Rulesets::new(lowered)
    })
}

fn now() -> DateTime<Utc> {
    verdict::input::parse_time("2026-11-24T10:00:00Z").unwrap_or_default()
}

const IDENTITIES: [&str; 8] = [
    "alice@acme.io",
    " Alice@ACME.io ",
    "bob@acme.io",
    "BOB@acme.io",
    "carol@acme.io",
    "dave@acme.io",
    "mallory@acme.io",
    "",
];
const TEAMS: [&str; 6] = [
    "sre",
    "SRE",
    "sre-contractors",
    "platform",
    "security",
    "payments",
];
const PERMISSIONS: [&str; 4] = ["open", "env:admin", "read", "Env:Admin"];
const ENVIRONMENTS: [&str; 7] = [
    "acme/payments/prod",
    "ACME/Payments/Prod",
    "acme/payments/staging",
    "acme/shared/aws-creds",
    "acme/shared/db-creds",
    "acme/payments/base",
    "other/x/prod",
];
const ACTIONS: [&str; 9] = [
    "open",
    "open-request",
    "update",
    "write",
    "deploy",
    "destroy",
    "deployResume",
    "destroyResume",
    "OPEN",
];
const DURATIONS: [&str; 8] = ["2h", "4h", "8h", "24h", "25h", "1d", "PT30M", "90m"];

/// A value that is usually well formed, sometimes any JSON at all.
#[derive(Arbitrary, Debug)]
enum Field<T> {
    Good(T),
    Missing,
    Null,
    Number(i64),
    Text(String),
    Bool(bool),
}

impl<T: Shape> Field<T> {
    fn put(&self, object: &mut Map<String, Value>, key: &str) {
        let value = match self {
            Field::Good(good) => good.json(),
            Field::Missing => return,
            Field::Null => Value::Null,
            Field::Number(number) => json!(number),
            Field::Text(text) => json!(text),
            Field::Bool(flag) => json!(flag),
        };
        object.insert(key.to_string(), value);
    }
}

trait Shape {
    fn json(&self) -> Value;
}

#[derive(Arbitrary, Debug)]
struct Identity(u8);
impl Shape for Identity {
    fn json(&self) -> Value {
        json!(IDENTITIES[usize::from(self.0) % IDENTITIES.len()])
    }
}

#[derive(Arbitrary, Debug)]
struct Environment(u8);
impl Shape for Environment {
    fn json(&self) -> Value {
        json!(ENVIRONMENTS[usize::from(self.0) % ENVIRONMENTS.len()])
    }
}

#[derive(Arbitrary, Debug)]
struct Action(u8);
impl Shape for Action {
    fn json(&self) -> Value {
        json!(ACTIONS[usize::from(self.0) % ACTIONS.len()])
    }
}

#[derive(Arbitrary, Debug)]
struct Duration(u8);
impl Shape for Duration {
    fn json(&self) -> Value {
        json!(DURATIONS[usize::from(self.0) % DURATIONS.len()])
    }
}

/// A time some minutes from the evaluation time.
#[derive(Arbitrary, Debug)]
struct Time(i16);
impl Shape for Time {
    fn json(&self) -> Value {
        let at = now() + TimeDelta::minutes(i64::from(self.0) * 7);
        json!(verdict::decision::format_time(&at))
    }
}

#[derive(Arbitrary, Debug)]
struct Revision(u8);
impl Shape for Revision {
    fn json(&self) -> Value {
        json!(self.0 % 4 + 6)
    }
}

#[derive(Arbitrary, Debug)]
enum Team {
    Name(u8),
    Object(u8, bool),
}
impl Shape for Team {
    fn json(&self) -> Value {
        match self {
            Team::Name(pick) => json!(TEAMS[usize::from(*pick) % TEAMS.len()]),
            Team::Object(pick, with_id) => {
                let name = TEAMS[usize::from(*pick) % TEAMS.len()];
                if *with_id {
                    json!({"id": format!("t-{name}"), "name": name})
                } else {
                    json!({"name": name})
                }
            }
        }
    }
}

#[derive(Arbitrary, Debug)]
struct List<T>(Vec<T>);
impl<T: Shape> Shape for List<T> {
    fn json(&self) -> Value {
        Value::Array(self.0.iter().take(6).map(Shape::json).collect())
    }
}

#[derive(Arbitrary, Debug)]
struct Permission(u8);
impl Shape for Permission {
    fn json(&self) -> Value {
        json!(PERMISSIONS[usize::from(self.0) % PERMISSIONS.len()])
    }
}

impl Shape for bool {
    fn json(&self) -> Value {
        json!(self)
    }
}

#[derive(Arbitrary, Debug)]
struct Person {
    id: Field<Identity>,
    email: Field<Identity>,
    name: Field<Identity>,
    teams: Field<List<Team>>,
    permissions: Field<List<Permission>>,
    ephemeral: Field<bool>,
}
impl Shape for Person {
    fn json(&self) -> Value {
        let mut object = Map::new();
        self.id.put(&mut object, "id");
        self.email.put(&mut object, "email");
        self.name.put(&mut object, "name");
        self.teams.put(&mut object, "teams");
        self.permissions.put(&mut object, "permissions");
        self.ephemeral.put(&mut object, "ephemeral");
        Value::Object(object)
    }
}

#[derive(Arbitrary, Debug)]
struct Decided(u8);
impl Shape for Decided {
    fn json(&self) -> Value {
        json!(["approve", "reject", "Approve", "comment"][usize::from(self.0) % 4])
    }
}

#[derive(Arbitrary, Debug)]
struct Review {
    by: Field<Person>,
    decision: Field<Decided>,
    revision: Field<Revision>,
    at: Field<Time>,
    comment: Field<Identity>,
}
impl Shape for Review {
    fn json(&self) -> Value {
        let mut object = Map::new();
        self.by.put(&mut object, "by");
        self.decision.put(&mut object, "decision");
        self.revision.put(&mut object, "revision");
        self.at.put(&mut object, "at");
        self.comment.put(&mut object, "comment");
        Value::Object(object)
    }
}

#[derive(Arbitrary, Debug)]
struct Grant {
    environment: Field<Environment>,
    identity: Field<Identity>,
    approved_at: Field<Time>,
    applied_at: Field<Time>,
    first_opened_at: Field<Time>,
    access_duration: Field<Duration>,
    grant_expiration: Field<Duration>,
    revoked_at: Field<Time>,
}
impl Shape for Grant {
    fn json(&self) -> Value {
        let mut object = Map::new();
        self.environment.put(&mut object, "environment");
        self.identity.put(&mut object, "identity");
        self.approved_at.put(&mut object, "approvedAt");
        self.applied_at.put(&mut object, "appliedAt");
        self.first_opened_at.put(&mut object, "firstOpenedAt");
        self.access_duration.put(&mut object, "accessDuration");
        self.grant_expiration.put(&mut object, "grantExpiration");
        self.revoked_at.put(&mut object, "revokedAt");
        Value::Object(object)
    }
}

#[derive(Arbitrary, Debug)]
struct Request {
    action: Field<Action>,
    environment: Field<Environment>,
    requester: Field<Person>,
    revision: Field<Revision>,
    access_duration: Field<Duration>,
    grant_expiration: Field<Duration>,
}
impl Shape for Request {
    fn json(&self) -> Value {
        let mut object = Map::new();
        self.action.put(&mut object, "action");
        self.environment.put(&mut object, "environment");
        self.requester.put(&mut object, "requester");
        self.revision.put(&mut object, "revision");
        self.access_duration.put(&mut object, "accessDuration");
        self.grant_expiration.put(&mut object, "grantExpiration");
        Value::Object(object)
    }
}

#[derive(Arbitrary, Debug)]
struct Document {
    /// An env0 document (deployment, deployer, approvers) instead of an ESC one.
    env0: bool,
    request: Field<Request>,
    reviews: Vec<Review>,
    grants: Vec<Grant>,
    imports: Vec<(Environment, Vec<Environment>)>,
    now: Field<Time>,
}

impl Document {
    fn json(&self, reversed: bool) -> Value {
        let mut reviews: Vec<Value> = self.reviews.iter().take(8).map(Shape::json).collect();
        let mut grants: Vec<Value> = self.grants.iter().take(8).map(Shape::json).collect();
        let mut environments = Map::new();
        for (environment, imported) in self.imports.iter().take(6) {
            let mut imported: Vec<Value> = imported.iter().take(4).map(Shape::json).collect();
            if reversed {
                imported.reverse();
            }
            if let Some(name) = environment.json().as_str() {
                environments
                    .entry(name.to_string())
                    .or_insert_with(|| json!({"imports": imported}));
            }
        }
        if reversed {
            reviews.reverse();
            grants.reverse();
        }
        let mut object = Map::new();
        if self.env0 {
            let requester = match &self.request {
                Field::Good(request) => &request.requester,
                _ => &Field::Missing,
            };
            let action = match &self.request {
                Field::Good(request) => &request.action,
                _ => &Field::Missing,
            };
            let mut deployment = Map::new();
            action.put(&mut deployment, "type");
            object.insert("deploymentRequest".to_string(), Value::Object(deployment));
            requester.put(&mut object, "deployerUser");
            let approvers: Vec<Value> = reviews
                .iter()
                .filter_map(|review| review.get("by").cloned())
                .collect();
            object.insert("approvers".to_string(), Value::Array(approvers));
        } else {
            self.request.put(&mut object, "request");
            object.insert("reviews".to_string(), Value::Array(reviews));
            object.insert("grants".to_string(), Value::Array(grants));
            object.insert("environments".to_string(), Value::Object(environments));
        }
        self.now.put(&mut object, "now");
        Value::Object(object)
    }
}

fn verdict_of(input: &Value) -> Result<Verdict, verdict::ErrorClass> {
    let now = verdict::input::resolve_now(None, input, "fuzz").unwrap_or_else(|_| now());
    let decided = rulesets()
        .evaluate(input, now)
        .map_err(|error| error.class)?;
    let _ = rulesets().explain(input, now);
    Ok(Decision::combine(decided.results, Verdict::Pending, now).verdict)
}

fuzz_target!(|document: Document| {
    let forward = verdict_of(&document.json(false));
    let backward = verdict_of(&document.json(true));
    assert_eq!(
        forward, backward,
        "the verdict changed with the order of reviews, grants or imports"
    );
});
