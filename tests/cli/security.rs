//! Attempts to fool the gate into an allow, through the real binary: identities dressed
//! up to hide a self-approval, reviewers counted twice, stale or ineligible approvals,
//! grants that should open nothing, import cycles, policies that error or answer with
//! malformed values, odd bytes in files, and paths that loop. Each asserts the verdict
//! and the exit code.

use serde_json::{Value, json};

use crate::harness::{Output, Scratch, Verdict};

const NOW: &str = "2026-11-24T10:00:00Z";

/// Rulesets written for these tests, so that they do not move with the shipped ones.
const RULESETS: &str = r#"
ruleset "prod-open" {
  action open
  environments "acme/*/prod"
  approvers team "sre", user "carol@acme.io", permission "env:admin"
  require 2 approvals
  self_approval denied
  max_access_duration 4h
  max_grant_expiration 24h
}

ruleset "prod-change" {
  action update
  environments "acme/*/prod"
  approvers team "sre", user "carol@acme.io"
  require 2 approvals
  self_approval denied
  reapprove_on_change true
}

ruleset "creds-open" {
  action open
  environments "acme/shared/*"
  approvers team "security"
  require 1 approval
}

ruleset "destroy" {
  action destroy
  approvers team "security"
  require 1 approval
  self_approval denied
}
"#;

/// The decision on `document` by [`RULESETS`], as JSON, after checking the exit code.
#[track_caller]
fn decide(document: &Value, code: i32) -> Value {
    let scratch = Scratch::new().file("gates.policy", RULESETS);
    let output = Verdict::new([
        "eval",
        "-p",
        &scratch.path("gates.policy"),
        "-f",
        "json",
        "--now",
        NOW,
    ])
    .stdin(document.to_string())
    .run()
    .code(code);
    output.json()
}

/// Every outcome message of a decision, one per line.
fn messages(decision: &Value) -> String {
    decision["outcomes"]
        .as_array()
        .map(|outcomes| {
            outcomes
                .iter()
                .filter_map(|outcome| outcome["message"].as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

#[track_caller]
fn assert_says(decision: &Value, verdict: &str, words: &[&str]) {
    assert_eq!(decision["verdict"], verdict, "{decision:#}");
    let text = messages(decision);
    for word in words {
        assert!(text.contains(word), "lacks {word:?}:\n{text}");
    }
}

/// A change request for production by Alice at revision 3, with these reviews.
fn change_request(reviews: Value) -> Value {
    json!({
        "request": {
            "action": "update",
            "environment": "acme/payments/prod",
            "requester": {"id": "alice@acme.io", "teams": ["sre"]},
            "revision": 3
        },
        "reviews": reviews
    })
}

fn approval(by: Value, revision: u32) -> Value {
    json!({"by": by, "decision": "approve", "revision": revision})
}

fn sre(id: &str) -> Value {
    json!({"id": id, "teams": ["sre"]})
}

#[test]
fn self_approval_hidden_behind_case_or_whitespace_does_not_count() {
    let disguises = [
        json!({"id": "ALICE@acme.io", "teams": ["sre"]}),
        json!({"id": "  alice@acme.io\t", "teams": ["sre"]}),
        json!({"id": "\u{a0}Alice@Acme.IO\n", "teams": ["sre"]}),
        json!({"id": "alice@acme.io\u{200b}", "teams": ["sre"]}),
        json!({"id": "\u{feff}alice@acme.io", "teams": ["sre"]}),
        json!({"email": "Alice@ACME.io ", "teams": ["sre"]}),
        json!({"id": "a-1", "email": " alice@acme.io", "teams": ["sre"]}),
    ];
    for disguise in disguises {
        let reviews = json!([
            approval(disguise.clone(), 3),
            approval(sre("bob@acme.io"), 3)
        ]);
        let decision = decide(&change_request(reviews), 2);
        assert_says(&decision, "pending", &["1 of 2 approvals", "self-approval"]);
    }
}

#[test]
fn a_deployer_approving_their_own_destroy_is_not_counted() {
    let document = json!({
        "deploymentRequest": {"type": "destroy"},
        "deployerUser": {"name": "Sam", "email": "sam@acme.io", "teams": [{"name": "security"}]},
        "approvers": [{"name": "Sam", "email": " SAM@Acme.io ", "teams": [{"name": "security"}]}]
    });
    let decision = decide(&document, 2);
    assert_says(&decision, "pending", &["self-approval"]);
}

#[test]
fn the_shipped_env0_policy_sees_through_case_and_whitespace() {
    let document = json!({
        "deploymentRequest": {"type": "deploy", "triggerName": "user"},
        "deployerUser": {"name": "Alice", "email": "alice@acme.io"},
        "approvers": [
            {"name": "Alice", "email": " ALICE@acme.io "},
            {"name": "Nobody", "email": ""},
            {"name": "Nobody", "email": "   "}
        ],
        "policyData": {"requiredApprovers": 1}
    });
    for policy in [
        "policies/env0/require-approvers",
        "policies/dsl/require-approvers.policy",
    ] {
        let output = Verdict::new(["eval", "-p", policy, "--now", NOW])
            .stdin(document.to_string())
            .run()
            .code(2);
        assert!(
            output.stdout.contains("0 of 1 approvals"),
            "{policy}:\n{}",
            output.stdout
        );
    }
}

#[test]
fn a_reviewer_listed_twice_counts_once() {
    let reviews = json!([
        approval(sre("bob@acme.io"), 3),
        approval(sre("BOB@acme.io "), 3),
        approval(json!({"email": "bob@acme.io", "teams": ["sre"]}), 3),
    ]);
    let decision = decide(&change_request(reviews), 2);
    assert_says(&decision, "pending", &["1 of 2 approvals", "duplicate"]);
}

#[test]
fn an_approval_of_a_stale_revision_does_not_count() {
    let reviews = json!([
        approval(sre("bob@acme.io"), 2),
        approval(sre("carol@acme.io"), 3)
    ]);
    let decision = decide(&change_request(reviews), 2);
    assert_says(
        &decision,
        "pending",
        &["1 of 2 approvals", "stale revision 2, current 3"],
    );
    let reviews = json!([
        approval(sre("bob@acme.io"), 3),
        approval(sre("carol@acme.io"), 3)
    ]);
    assert_says(&decide(&change_request(reviews), 0), "allow", &[]);
}

#[test]
fn approvers_from_teams_with_similar_names_are_not_eligible() {
    let lookalikes = [
        json!(["sre-contractors"]),
        json!(["SRE-Contractors"]),
        json!(["sre2", "s re", "sre*", "*"]),
        json!([{"id": "sre-contractors", "name": "contractors"}]),
        json!("sre"),
        json!([["sre"]]),
    ];
    for teams in lookalikes {
        let reviews = json!([
            approval(json!({"id": "mallory@acme.io", "teams": teams}), 3),
            approval(sre("bob@acme.io"), 3),
        ]);
        let decision = decide(&change_request(reviews), 2);
        assert_says(
            &decision,
            "pending",
            &["1 of 2 approvals", "mallory@acme.io (not eligible)"],
        );
    }
    let carol_lookalike = json!([
        approval(json!({"id": "carol@acme.io.evil.example"}), 3),
        approval(json!({"id": "xcarol@acme.io"}), 3),
        approval(sre("bob@acme.io"), 3),
    ]);
    let decision = decide(&change_request(carol_lookalike), 2);
    assert_says(&decision, "pending", &["1 of 2 approvals", "not eligible"]);
}

#[test]
fn a_rejection_by_an_eligible_reviewer_denies() {
    let reviews = json!([
        approval(sre("bob@acme.io"), 3),
        approval(sre("carol@acme.io"), 3),
        {"by": sre("dave@acme.io"), "decision": "reject", "revision": 3, "comment": "not now"},
    ]);
    let decision = decide(&change_request(reviews), 1);
    assert_says(&decision, "deny", &["dave@acme.io", "not now"]);
}

/// An attempt by Alice to open production, holding these grants.
fn open_request(grants: Value) -> Value {
    json!({
        "request": {
            "action": "open",
            "environment": "acme/payments/prod",
            "requester": {"id": "alice@acme.io", "permissions": ["open"]}
        },
        "grants": grants,
        "environments": {"acme/payments/prod": {"imports": []}}
    })
}

/// A grant for Alice on production, approved 20 minutes ago and applied; `changes`
/// overrides its fields.
fn grant(changes: Value) -> Value {
    let mut grant = json!({
        "environment": "acme/payments/prod",
        "identity": "alice@acme.io",
        "approvedAt": "2026-11-24T09:40:00Z",
        "appliedAt": "2026-11-24T09:45:00Z",
        "firstOpenedAt": null,
        "accessDuration": "2h",
        "grantExpiration": "24h",
        "revokedAt": null
    });
    if let (Some(fields), Some(changed)) = (grant.as_object_mut(), changes.as_object()) {
        for (key, value) in changed {
            fields.insert(key.clone(), value.clone());
        }
    }
    grant
}

#[test]
fn an_active_grant_opens_and_the_same_grant_dressed_up_still_does() {
    assert_says(
        &decide(&open_request(json!([grant(json!({}))])), 0),
        "allow",
        &[],
    );
    let dressed =
        grant(json!({"identity": " ALICE@acme.io", "environment": "ACME/payments/prod "}));
    assert_says(&decide(&open_request(json!([dressed])), 0), "allow", &[]);
}

#[test]
fn grants_that_should_open_nothing_deny() {
    let useless = [
        ("another identity", json!({"identity": "bob@acme.io"})),
        ("an empty identity", json!({"identity": ""})),
        ("no identity", json!({"identity": null})),
        (
            "another environment",
            json!({"environment": "acme/payments/staging"}),
        ),
        (
            "a lookalike environment",
            json!({"environment": "acme/payments/prod-old"}),
        ),
        ("revoked", json!({"revokedAt": "2026-11-24T09:50:00Z"})),
        ("revoked at now", json!({"revokedAt": NOW})),
        ("unapplied", json!({"appliedAt": null})),
        (
            "applied at an unreadable time",
            json!({"appliedAt": "yesterday"}),
        ),
        ("never approved", json!({"approvedAt": null})),
        (
            "expired",
            json!({"approvedAt": "2026-11-22T09:00:00Z", "appliedAt": "2026-11-22T09:05:00Z"}),
        ),
        (
            "future-dated",
            json!({"approvedAt": "2026-11-24T10:30:00Z", "appliedAt": "2026-11-24T10:35:00Z"}),
        ),
        (
            "access ended",
            json!({"firstOpenedAt": "2026-11-24T07:00:00Z"}),
        ),
        (
            "opened after it expired",
            json!({"approvedAt": "2026-11-22T09:00:00Z", "firstOpenedAt": "2026-11-24T09:30:00Z"}),
        ),
        (
            "an unreadable duration",
            json!({"accessDuration": "forever", "firstOpenedAt": "2026-11-24T09:50:00Z"}),
        ),
        (
            "an unreadable expiration",
            json!({"grantExpiration": "P1Y"}),
        ),
        ("a negative expiration", json!({"grantExpiration": "-24h"})),
        (
            "an expiration that is a number",
            json!({"grantExpiration": 86400}),
        ),
    ];
    for (why, changes) in useless {
        let decision = decide(&open_request(json!([grant(changes)])), 1);
        assert_eq!(decision["verdict"], "deny", "{why}: {decision:#}");
        assert!(
            messages(&decision).contains("acme/payments/prod"),
            "{why}: {decision:#}"
        );
    }
    assert_says(&decide(&open_request(json!([])), 1), "deny", &["no grant"]);
}

#[test]
fn a_grant_for_someone_else_does_not_open_even_beside_an_expired_one_of_ones_own() {
    let grants = json!([
        grant(json!({"identity": "bob@acme.io"})),
        grant(json!({"approvedAt": "2026-11-20T09:00:00Z", "appliedAt": "2026-11-20T09:05:00Z"})),
    ]);
    assert_says(&decide(&open_request(grants), 1), "deny", &[]);
}

#[test]
fn an_ephemeral_token_or_a_missing_permission_cannot_open() {
    for requester in [
        json!({"id": "alice@acme.io", "permissions": ["open"], "ephemeral": true}),
        json!({"id": "alice@acme.io", "permissions": ["open"], "ephemeral": "true"}),
        json!({"id": "alice@acme.io", "permissions": ["open"], "ephemeral": 1}),
        json!({"id": "alice@acme.io", "permissions": ["read"]}),
        json!({"id": "alice@acme.io", "permissions": "open"}),
        json!({"id": "alice@acme.io", "permissions": []}),
    ] {
        let mut document = open_request(json!([grant(json!({}))]));
        document["request"]["requester"] = requester.clone();
        let decision = decide(&document, 1);
        assert_eq!(decision["verdict"], "deny", "{requester}: {decision:#}");
    }
}

#[test]
fn an_environment_name_dressed_up_is_still_gated() {
    for environment in [
        "ACME/Payments/PROD",
        " acme/payments/prod ",
        "acme/payments/prod\u{200b}",
        "\u{feff}acme/payments/prod",
    ] {
        let mut document = open_request(json!([]));
        document["request"]["environment"] = json!(environment);
        let decision = decide(&document, 1);
        assert_eq!(decision["verdict"], "deny", "{environment:?}: {decision:#}");
    }
}

#[test]
fn an_unreadable_action_or_requester_is_never_an_allow() {
    for request in [
        json!({"action": "OPEN", "environment": "acme/payments/prod", "requester": {"id": "alice@acme.io"}}),
        json!({"action": "open\u{200b}", "environment": "acme/payments/prod", "requester": {"id": "alice@acme.io"}}),
        json!({"action": "delete", "environment": "acme/payments/prod", "requester": {"id": "alice@acme.io"}}),
        json!({"action": 7, "environment": "acme/payments/prod"}),
        json!({"action": "open", "environment": ["acme/payments/prod"]}),
        json!({"action": "open", "environment": "acme/payments/prod", "requester": "alice@acme.io"}),
    ] {
        let document = json!({"request": request});
        let output = Verdict::new(["eval", "-p", "policies/esc", "--now", NOW])
            .stdin(document.to_string())
            .run();
        assert!(
            output.code != 0,
            "{request} was allowed:\n{}",
            output.stdout
        );
    }
}

#[test]
fn an_import_cycle_ends_and_every_environment_in_it_still_needs_its_grant() {
    let creds = grant(json!({"environment": "acme/shared/db-creds"}));
    let mut document = open_request(json!([grant(json!({})), creds]));
    document["environments"] = json!({
        "acme/payments/prod": {"imports": ["acme/shared/db-creds"]},
        "acme/shared/db-creds": {"imports": ["acme/payments/base"]},
        "acme/payments/base": {"imports": ["acme/payments/prod", "acme/payments/base"]}
    });
    let decision = decide(&document, 0);
    assert_eq!(decision["verdict"], "warn", "{decision:#}");
    assert!(messages(&decision).contains("cycle"), "{decision:#}");
    document["grants"] = json!([grant(json!({}))]);
    assert_says(&decide(&document, 1), "deny", &["acme/shared/db-creds"]);
}

/// A Rego policy that fails at evaluation when `cost` is between 50 and 100: two
/// definitions of a single-value rule give different values.
const FLAKY: &str = "package flaky\nimport rego.v1\n\nlevel := \"low\" if input.cost < 100\n\nlevel := \"high\" if input.cost > 50\n\ndeny contains \"too costly\" if level == \"high\"\n";
const ALLOW: &str = "package fine\nimport rego.v1\n\nallow contains \"fine\" if true\n";

#[test]
fn a_policy_that_errors_on_one_input_is_never_skipped() {
    let scratch = Scratch::new()
        .file("flaky.rego", FLAKY)
        .file("fine.rego", ALLOW);
    let policies = scratch.path("");
    Verdict::new(["eval", "-p", &policies])
        .stdin(r#"{"cost": 10}"#)
        .run()
        .code(0);
    for extra in [&[][..], &["--default", "allow"], &["-f", "json"]] {
        let mut args = vec!["eval", "-p", &policies];
        args.extend_from_slice(extra);
        Verdict::new(args)
            .stdin(r#"{"cost": 75}"#)
            .run()
            .code(70)
            .stderr_has("flaky");
    }
    let output = Verdict::new(["eval", "-p", &policies, "--batch"])
        .stdin("{\"cost\": 10}\n{\"cost\": 75}\n{\"cost\": 20}\n")
        .run()
        .code(70);
    let lines: Vec<Value> = output
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{}", output.stdout);
    assert_eq!(lines[0]["verdict"], "allow");
    assert!(lines[1]["verdict"].is_null(), "{}", lines[1]);
    assert_eq!(lines[1]["error"]["exit_code"], 70);
    assert_eq!(lines[2]["verdict"], "allow");
}

#[test]
fn malformed_verdict_values_are_errors_naming_package_and_rule() {
    let malformed = [
        "deny := 42",
        "deny := {\"reason\": \"x\"}",
        "deny contains 5 if true",
        "deny := [\"ok\", 3]",
        "deny contains {\"msg\": 5} if true",
        "deny contains {\"reason\": \"no message\"} if true",
        "allow := 1",
        "allow := null",
        "warn := [[\"nested\"]]",
    ];
    for rule in malformed {
        let scratch = Scratch::new()
            .file(
                "odd.rego",
                format!("package odd\nimport rego.v1\n\n{rule}\n"),
            )
            .file("fine.rego", ALLOW);
        let output = Verdict::new(["eval", "-p", &scratch.path("")])
            .stdin("{}")
            .run();
        assert_eq!(
            output.code, 70,
            "{rule}:\n{}\n{}",
            output.stdout, output.stderr
        );
        let rule_name = rule.split_whitespace().next().unwrap();
        assert!(
            output.stderr.contains("`odd`") && output.stderr.contains(&format!("`{rule_name}`")),
            "{rule}:\n{}",
            output.stderr
        );
    }
}

#[test]
fn false_undefined_and_empty_verdict_values_produce_nothing() {
    for rule in [
        "deny := false",
        "deny := []",
        "deny contains \"x\" if false",
        "deny := set()",
    ] {
        let scratch = Scratch::new()
            .file(
                "quiet.rego",
                format!("package quiet\nimport rego.v1\n\n{rule}\n"),
            )
            .file("fine.rego", ALLOW);
        Verdict::new(["eval", "-p", &scratch.path("")])
            .stdin("{}")
            .run()
            .code(0);
    }
}

#[test]
fn policy_files_that_are_not_utf8_are_refused() {
    let scratch = Scratch::new()
        .file(
            "latin1.rego",
            b"package latin\n\n# caf\xe9\ndeny contains \"x\" if true\n",
        )
        .file("latin1.policy", b"policy \"p\" {\n  deny \"caf\xe9\"\n}\n")
        .file("utf16.rego", b"\xff\xfep\x00a\x00c\x00k\x00")
        .file("data.json", b"{\"k\": \"\xe9\"}")
        .file("fine.rego", ALLOW);
    for file in ["latin1.rego", "latin1.policy", "utf16.rego"] {
        Verdict::new(["eval", "-p", &scratch.path(file)])
            .stdin("{}")
            .run()
            .code(65)
            .stderr_has("is not valid UTF-8");
    }
    Verdict::new([
        "eval",
        "-p",
        &scratch.path("fine.rego"),
        "-d",
        &scratch.path("data.json"),
    ])
    .stdin("{}")
    .run()
    .code(65)
    .stderr_has("is not valid UTF-8");
    let input = scratch.path("latin1.rego");
    Verdict::new(["eval", "-p", &scratch.path("fine.rego"), "-i", &input])
        .run()
        .code(65)
        .stderr_has("is not valid UTF-8");
}

#[test]
fn files_that_start_with_a_byte_order_mark_are_read() {
    let bom = "\u{feff}";
    let scratch = Scratch::new()
        .file("bom.rego", format!("{bom}package bom\nimport rego.v1\n\ndeny contains \"rego\" if input.x == data.limit\n"))
        .file("bom.policy", format!("{bom}policy \"bom\" {{\n  deny \"language\" if x == 1\n}}\n"))
        .file("data.json", format!("{bom}{{\"limit\": 1}}"))
        .file("input.json", format!("{bom}{{\"x\": 1}}"));
    let output = Verdict::new([
        "eval",
        "-p",
        &scratch.path("bom.rego"),
        "-p",
        &scratch.path("bom.policy"),
        "-d",
        &scratch.path("data.json"),
        "-i",
        &scratch.path("input.json"),
    ])
    .run()
    .code(1);
    assert!(
        output.stdout.contains("rego") && output.stdout.contains("language"),
        "{}",
        output.stdout
    );
}

#[cfg(unix)]
#[test]
fn paths_that_loop_or_dangle_are_66() {
    let scratch = Scratch::new().file("fine.rego", ALLOW);
    let dir = scratch.dir.path();
    std::os::unix::fs::symlink(dir.join("a"), dir.join("b")).unwrap();
    std::os::unix::fs::symlink(dir.join("b"), dir.join("a")).unwrap();
    std::os::unix::fs::symlink(dir.join("missing.rego"), dir.join("dangling.rego")).unwrap();
    let fine = scratch.path("fine.rego");
    for args in [
        vec!["eval", "-p", &scratch.path("a")],
        vec!["eval", "-p", &fine, "-i", &scratch.path("a")],
        vec!["eval", "-p", &fine, "-d", &scratch.path("b")],
        vec!["eval", "-p", &scratch.path("")],
        vec!["test", &scratch.path("a")],
        vec!["check", &scratch.path("a")],
    ] {
        let output = Verdict::new(args.clone()).stdin("{}").run();
        assert_eq!(output.code, 66, "{args:?}:\n{}", output.stderr);
        assert!(
            output.stderr.contains("cannot read"),
            "{args:?}:\n{}",
            output.stderr
        );
    }
}

#[cfg(unix)]
#[test]
fn a_policy_directory_that_links_to_itself_is_66_not_a_hang() {
    let scratch = Scratch::new().file("p/fine.rego", ALLOW);
    let dir = scratch.dir.path().join("p");
    std::os::unix::fs::symlink(&dir, dir.join("again")).unwrap();
    Verdict::new(["eval", "-p", &scratch.path("p")])
        .stdin("{}")
        .run()
        .code(66)
        .stderr_has("symbolic link loop");
}

#[test]
fn errors_never_exit_0_whatever_the_default() {
    let cases: [(&[&str], &str); 4] = [
        (&["-p", "policies/env0", "--default", "allow"], "{"),
        (&["-p", "policies/env0", "--default", "allow"], "[]"),
        (
            &["-p", "policies/env0", "--default", "allow"],
            "{\"now\": 5}",
        ),
        (&["-p", "no/such/dir", "--default", "allow"], "{}"),
    ];
    for (flags, input) in cases {
        let mut args = vec!["eval"];
        args.extend_from_slice(flags);
        let output: Output = Verdict::new(args).stdin(input).run();
        assert!(
            matches!(output.code, 64..=70),
            "{flags:?} {input}: exit {}\n{}",
            output.code,
            output.stderr
        );
    }
}

/// OPA's default: a builtin that fails makes its expression undefined, so a deny rule
/// reading a malformed field does not fire. `--strict-builtin-errors` makes it an error.
#[test]
fn a_failing_builtin_hides_a_deny_unless_builtin_errors_are_strict() {
    let scratch = Scratch::new()
        .file(
            "cost.rego",
            "package cost\nimport rego.v1\n\ndeny contains \"too costly\" if to_number(input.cost) > 100\n",
        )
        .file("fine.rego", ALLOW);
    let policies = scratch.path("");
    Verdict::new(["eval", "-p", &policies])
        .stdin(r#"{"cost": "lots"}"#)
        .run()
        .code(0);
    Verdict::new(["eval", "-p", &policies, "--strict-builtin-errors"])
        .stdin(r#"{"cost": "lots"}"#)
        .run()
        .code(70)
        .stderr_has("rule `deny` of policy `cost`")
        .stderr_has("cost.rego:4:");
    Verdict::new(["eval", "-p", &policies, "--strict-builtin-errors"])
        .stdin(r#"{"cost": "500"}"#)
        .run()
        .code(1);
}
