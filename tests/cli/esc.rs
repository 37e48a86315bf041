//! The shipped ESC rulesets (`policies/esc`) against their fixtures (`fixtures/esc`), through
//! the real binary: each branch of SPEC 5.1 with its exit code and the words a reviewer acts
//! on, and every command of `docs/esc.md` run as written.

use std::path::Path;
use std::process::Command;

use crate::harness::{Output, Verdict};

/// `verdict eval -p policies/esc -i fixtures/esc/<fixture>.json`, plus any extra flags.
fn eval(fixture: &str, extra: &[&str]) -> Output {
    let input = format!("fixtures/esc/{fixture}.json");
    let mut args = vec!["eval", "-p", "policies/esc", "-i", &input];
    args.extend_from_slice(extra);
    Verdict::new(args).run()
}

/// The decision's text output, after checking its exit code and first word.
#[track_caller]
fn decided(fixture: &str, verdict: &str, code: i32) -> String {
    let output = eval(fixture, &[]).code(code);
    assert!(
        output.stdout.starts_with(&format!("{verdict} (")),
        "{fixture}: expected {verdict}\n{}",
        output.stdout
    );
    output.stdout
}

#[track_caller]
fn assert_has(text: &str, wanted: &[&str]) {
    for part in wanted {
        assert!(text.contains(part), "lacks {part:?}:\n{text}");
    }
}

#[test]
fn every_esc_fixture_gets_its_verdict_and_exit_code() {
    let cases = [
        ("open-allowed-activates-grant", "allow", 0),
        ("open-allowed-already-opened", "allow", 0),
        ("open-allowed-access-outlasts-expiration", "allow", 0),
        ("open-allowed-one-second-before-expiry", "allow", 0),
        ("open-allowed-one-second-before-access-end", "allow", 0),
        ("open-allowed-ungated", "allow", 0),
        ("open-denied-no-grant", "deny", 1),
        ("open-denied-not-applied", "deny", 1),
        ("open-denied-expired", "deny", 1),
        ("open-denied-at-expiry", "deny", 1),
        ("open-denied-access-ended", "deny", 1),
        ("open-denied-at-access-end", "deny", 1),
        ("open-denied-revoked", "deny", 1),
        ("open-denied-revoked-at-now", "deny", 1),
        ("open-denied-future-dated", "deny", 1),
        ("open-denied-other-identity", "deny", 1),
        ("open-denied-other-environment", "deny", 1),
        ("open-denied-import-without-grant", "deny", 1),
        ("open-denied-ephemeral", "deny", 1),
        ("open-denied-missing-permission", "deny", 1),
        ("open-warned-import-cycle", "warn", 0),
        ("open-request-allowed", "allow", 0),
        ("open-request-allowed-at-limits", "allow", 0),
        ("open-request-pending", "pending", 2),
        ("open-request-denied-rejected", "deny", 1),
        ("open-request-denied-access-duration", "deny", 1),
        ("open-request-denied-grant-expiration", "deny", 1),
        ("open-request-warn-imports", "warn", 0),
        ("update-allowed", "allow", 0),
        ("update-pending", "pending", 2),
        ("update-denied-rejected", "deny", 1),
        ("write-denied", "deny", 1),
        ("env0-destroy-approved", "allow", 0),
        ("env0-destroy-pending", "pending", 2),
    ];
    for (fixture, verdict, code) in cases {
        decided(fixture, verdict, code);
    }
    let mut shipped: Vec<String> = std::fs::read_dir("fixtures/esc")
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    shipped.sort();
    let mut tested: Vec<String> = cases.iter().map(|case| case.0.to_string()).collect();
    tested.sort();
    assert_eq!(shipped, tested, "every fixture has its expected verdict");
}

#[test]
fn every_fixture_pins_now() {
    for entry in std::fs::read_dir("fixtures/esc").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "json") {
            let document: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            assert!(
                document["now"].is_string(),
                "{} pins no `now`",
                path.display()
            );
        }
    }
}

// --- open ---------------------------------------------------------------------------

#[test]
fn a_first_open_reports_the_activation_for_the_caller_to_record() {
    let text = decided("open-allowed-activates-grant", "allow", 0);
    assert_has(
        &text,
        &[
            "alice@acme.io holds an active grant for acme/payments/prod; access ends at 2026-11-24T12:00:00Z (this open starts it)",
            "import acme/shared/aws-creds: access ends at 2026-11-24T12:00:00Z (this open starts it)",
            "import acme/shared/db-creds: access ends at 2026-11-24T12:00:00Z (this open starts it)",
            "grant   acme/payments/prod for alice@acme.io activates now; access ends at 2026-11-24T12:00:00Z",
        ],
    );
    let decision = eval("open-allowed-activates-grant", &["-f", "json"])
        .code(0)
        .json();
    let expected = |environment: &str| {
        serde_json::json!({
            "environment": environment,
            "identity": "alice@acme.io",
            "firstOpenedAt": "2026-11-24T10:00:00Z",
            "accessEndsAt": "2026-11-24T12:00:00Z",
        })
    };
    assert_eq!(decision["grant_activation"], expected("acme/payments/prod"));
    assert_eq!(
        decision["grant_activations"],
        serde_json::json!([
            expected("acme/payments/prod"),
            expected("acme/shared/aws-creds"),
            expected("acme/shared/db-creds"),
        ])
    );
}

#[test]
fn imports_that_cannot_be_read_stop_the_open_instead_of_going_unchecked() {
    let text = std::fs::read_to_string("fixtures/esc/open-allowed-activates-grant.json").unwrap();
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    let malformed = [
        serde_json::json!({"acme/payments/prod": {"imports": "acme/shared/aws-creds"}}),
        serde_json::json!({"acme/payments/prod": ["acme/shared/aws-creds"]}),
        serde_json::json!({"acme/payments/prod": {"imports": [{"name": "acme/shared/aws-creds"}]}}),
        serde_json::json!([{"name": "acme/payments/prod", "imports": ["acme/shared/aws-creds"]}]),
    ];
    for environments in malformed {
        let mut input = document.clone();
        input["environments"] = environments.clone();
        let output = Verdict::new(["eval", "-p", "policies/esc"])
            .stdin(input.to_string())
            .run()
            .code(65);
        assert!(
            output.stderr.contains("environments") || output.stderr.contains("imports"),
            "{environments}: {}",
            output.stderr
        );
    }
}

#[test]
fn an_open_within_running_access_activates_nothing() {
    let text = decided("open-allowed-already-opened", "allow", 0);
    assert_has(
        &text,
        &["acme/payments/prod; access ends at 2026-11-24T11:50:00Z"],
    );
    assert!(!text.contains("this open starts it") && !text.contains("activates now"));
    let decision = eval("open-allowed-already-opened", &["-f", "json"]).json();
    assert!(decision.get("grant_activation").is_none());
    assert!(decision.get("grant_activations").is_none());
}

#[test]
fn access_opened_before_the_grant_expiration_outlasts_it() {
    // Approved 2026-11-23T09:00 with 24h: expired 2026-11-24T09:00, first opened at 08:30.
    let text = decided("open-allowed-access-outlasts-expiration", "allow", 0);
    assert_has(
        &text,
        &["acme/payments/prod; access ends at 2026-11-24T12:30:00Z"],
    );
}

#[test]
fn each_inactive_grant_is_denied_naming_the_environment_and_why() {
    let cases = [
        ("open-denied-no-grant", "acme/payments/prod (no grant)"),
        (
            "open-denied-not-applied",
            "acme/payments/prod (approved but not applied)",
        ),
        (
            "open-denied-expired",
            "acme/payments/prod (expired at 2026-11-24T08:00:00Z)",
        ),
        (
            "open-denied-access-ended",
            "acme/payments/prod (access ended at 2026-11-24T09:45:00Z)",
        ),
        (
            "open-denied-revoked",
            "acme/payments/prod (revoked at 2026-11-24T09:55:00Z)",
        ),
        (
            "open-denied-revoked-at-now",
            "acme/payments/prod (revoked at 2026-11-24T10:00:00Z)",
        ),
        (
            "open-denied-future-dated",
            "acme/payments/prod (not yet valid: approved at 2026-11-24T10:30:00Z)",
        ),
        (
            "open-denied-other-identity",
            "acme/payments/prod (no grant)",
        ),
        (
            "open-denied-other-environment",
            "acme/payments/prod (no grant)",
        ),
        (
            "open-denied-import-without-grant",
            "acme/shared/db-creds (no grant)",
        ),
    ];
    for (fixture, why) in cases {
        let text = decided(fixture, "deny", 1);
        assert_has(
            &text,
            &[
                &format!(
                    "deny    production-open: alice@acme.io has no active grant for {why}; each needs an approved, applied grant"
                ),
                "at policies/esc/production.policy:5:1",
            ],
        );
        assert!(!text.contains("activates now"), "{fixture}:\n{text}");
    }
}

#[test]
fn a_deny_for_an_import_names_only_the_environment_without_a_grant() {
    let text = decided("open-denied-import-without-grant", "deny", 1);
    assert!(!text.contains("acme/payments/prod ("), "{text}");
    assert!(!text.contains("aws-creds"), "{text}");
}

#[test]
fn grant_windows_are_half_open_at_the_expiration_and_access_end() {
    let before_expiry = decided("open-allowed-one-second-before-expiry", "allow", 0);
    assert_has(
        &before_expiry,
        &["acme/payments/prod; access ends at 2026-11-24T11:59:59Z (this open starts it)"],
    );
    let at_expiry = decided("open-denied-at-expiry", "deny", 1);
    assert_has(
        &at_expiry,
        &["acme/payments/prod (expired at 2026-11-24T10:00:00Z)"],
    );
    let before_end = decided("open-allowed-one-second-before-access-end", "allow", 0);
    assert_has(
        &before_end,
        &["acme/payments/prod; access ends at 2026-11-24T10:00:00Z"],
    );
    let at_end = decided("open-denied-at-access-end", "deny", 1);
    assert_has(
        &at_end,
        &["acme/payments/prod (access ended at 2026-11-24T10:00:00Z)"],
    );
}

#[test]
fn an_import_cycle_is_reported_and_does_not_hang_the_open() {
    let text = decided("open-warned-import-cycle", "warn", 0);
    assert_has(
        &text,
        &[
            "the imports of acme/payments/prod form a cycle: acme/payments/prod → acme/shared/aws-creds → acme/payments/prod",
            "alice@acme.io holds an active grant for acme/payments/prod",
        ],
    );
    eval("open-warned-import-cycle", &["--fail-on-warn"]).code(3);
}

#[test]
fn a_warned_open_activates_its_grants_only_when_a_warn_lets_it_go_ahead() {
    let goes_ahead = decided("open-warned-import-cycle", "warn", 0);
    assert_has(
        &goes_ahead,
        &["acme/payments/prod for alice@acme.io activates now"],
    );
    let stopped = eval("open-warned-import-cycle", &["--fail-on-warn"]).code(3);
    assert!(
        !stopped.stdout.contains("activates now"),
        "{}",
        stopped.stdout
    );
    let decision = eval(
        "open-warned-import-cycle",
        &["--fail-on-warn", "-f", "json"],
    )
    .code(3)
    .json();
    assert!(decision.get("grant_activation").is_none(), "{decision}");
    assert!(decision.get("grant_activations").is_none(), "{decision}");
    let line = std::fs::read_to_string("fixtures/esc/open-warned-import-cycle.json")
        .unwrap()
        .replace('\n', " ");
    let batch = Verdict::new(["eval", "-p", "policies/esc", "--batch", "--fail-on-warn"])
        .stdin(line)
        .run()
        .code(3);
    assert!(
        !batch.stdout.contains("grant_activation"),
        "{}",
        batch.stdout
    );
}

#[test]
fn who_is_asking_can_deny_an_open_despite_grants() {
    let ephemeral = decided("open-denied-ephemeral", "deny", 1);
    assert_has(
        &ephemeral,
        &[
            "ci-payments-deploy is an ephemeral token, which cannot hold a grant; use a dedicated identity to open acme/payments/prod",
        ],
    );
    assert!(!ephemeral.contains("allow"), "{ephemeral}");
    let reader = decided("open-denied-missing-permission", "deny", 1);
    assert_has(
        &reader,
        &["alice@acme.io lacks the open permission needed to open acme/payments/prod"],
    );
    assert!(!reader.contains("activates now"), "{reader}");
}

#[test]
fn an_environment_no_ruleset_gates_is_allowed_and_says_so() {
    let text = decided("open-allowed-ungated", "allow", 0);
    assert_has(
        &text,
        &["allow   rulesets: no ruleset gates open on acme/payments/staging"],
    );
}

// --- open-request -------------------------------------------------------------------

#[test]
fn an_open_request_with_enough_eligible_approvals_is_allowed() {
    for fixture in ["open-request-allowed", "open-request-allowed-at-limits"] {
        let text = decided(fixture, "allow", 0);
        assert_has(
            &text,
            &["production-open: approved by bob@acme.io, carol@acme.io (2 of 2 approvals)"],
        );
    }
}

#[test]
fn a_pending_open_request_lists_every_review_that_did_not_count_and_why() {
    let text = decided("open-request-pending", "pending", 2);
    assert_has(
        &text,
        &[
            "1 of 2 approvals",
            "eligible: team sre, user carol@acme.io, permission env:admin (not the requester)",
            "counted: bob@acme.io",
            "alice@acme.io (self-approval)",
            "carol@acme.io (stale revision 1, current 2)",
            "grace@acme.io (not eligible)",
            "Bob@acme.io (duplicate)",
        ],
    );
}

#[test]
fn a_reject_denies_an_open_request_naming_who_and_their_comment() {
    let text = decided("open-request-denied-rejected", "deny", 1);
    assert_has(
        &text,
        &[
            "rejected by carol@acme.io: use the read replica in acme/payments/prod-readonly; production write access is not needed",
        ],
    );
}

#[test]
fn an_open_request_beyond_the_limits_is_denied_at_the_limit() {
    let access = decided("open-request-denied-access-duration", "deny", 1);
    assert_has(
        &access,
        &[
            "deny    production-open: requested accessDuration 8h exceeds the limit of 4h",
            "at policies/esc/production.policy:13:23",
        ],
    );
    let expiration = decided("open-request-denied-grant-expiration", "deny", 1);
    assert_has(
        &expiration,
        &[
            "deny    production-open: requested grantExpiration 2d exceeds the limit of 1d",
            "at policies/esc/production.policy:14:24",
        ],
    );
}

#[test]
fn an_approved_open_request_warns_about_each_gated_import() {
    let text = decided("open-request-warn-imports", "warn", 0);
    for import in ["acme/shared/aws-creds", "acme/shared/db-creds"] {
        assert_has(
            &text,
            &[&format!(
                "acme/payments/prod imports {import}, which ruleset shared-credentials-open gates: it needs its own approved grant"
            )],
        );
    }
    assert!(!text.contains("imports acme/payments/base"), "{text}");
    eval("open-request-warn-imports", &["--fail-on-warn"]).code(3);
}

// --- update, write, env0 ------------------------------------------------------------

#[test]
fn change_requests_are_allowed_pending_or_rejected_by_platform() {
    let allowed = decided("update-allowed", "allow", 0);
    assert_has(
        &allowed,
        &["production-change: approved by erin@acme.io (1 of 1 approvals)"],
    );
    let pending = decided("update-pending", "pending", 2);
    assert_has(
        &pending,
        &[
            "0 of 1 approvals; eligible: team platform (not the requester)",
            "erin@acme.io (stale revision 7, current 8)",
            "frank@acme.io (not eligible)",
            "dave@acme.io (self-approval)",
        ],
    );
    let rejected = decided("update-denied-rejected", "deny", 1);
    assert_has(
        &rejected,
        &[
            "rejected by erin@acme.io: 80 connections exceeds the database limit per replica; keep 60",
        ],
    );
}

#[test]
fn a_direct_write_to_production_is_blocked() {
    let text = decided("write-denied", "deny", 1);
    assert_has(
        &text,
        &[
            "direct writes to acme/payments/prod are blocked by ruleset production-change; submit a change request (update) instead",
        ],
    );
}

#[test]
fn an_env0_destroy_waits_for_security_other_than_the_deployer() {
    let approved = decided("env0-destroy-approved", "allow", 0);
    assert_has(
        &approved,
        &["destroy-needs-security: approved by bob@acme.io (1 of 1 approvals)"],
    );
    let pending = decided("env0-destroy-pending", "pending", 2);
    assert_has(
        &pending,
        &[
            "0 of 1 approvals; eligible: team security (not the requester); not counted: sam@acme.io (self-approval), grace@acme.io (not eligible)",
        ],
    );
}

#[test]
fn the_destroy_ruleset_changes_no_env0_fixture_verdict() {
    for entry in std::fs::read_dir("fixtures/env0").unwrap() {
        let input = entry.unwrap().path().display().to_string();
        let alone = Verdict::new(["eval", "-p", "policies/env0", "-i", &input]).run();
        let together = Verdict::new([
            "eval",
            "-p",
            "policies/env0",
            "-p",
            "policies/esc",
            "-i",
            &input,
        ])
        .run();
        assert_eq!(alone.code, together.code, "{input}\n{}", together.stdout);
        let first_word = |text: &str| text.split(' ').next().unwrap_or("").to_string();
        assert_eq!(first_word(&alone.stdout), first_word(&together.stdout));
    }
    Verdict::new([
        "eval",
        "-p",
        "policies/env0",
        "-p",
        "policies/esc",
        "-i",
        "fixtures/env0/destroy.json",
    ])
    .run()
    .code(0)
    .stdout_has("destroy-needs-security: approved by bob@acme.io (1 of 1 approvals)");
}

// --- whole outputs ------------------------------------------------------------------

#[test]
fn a_pending_change_request_tells_the_reviewer_what_is_missing() {
    insta::assert_snapshot!(eval("update-pending", &[]).code(2).stdout);
}

#[test]
fn a_denied_open_tells_the_requester_which_grant_is_missing() {
    insta::assert_snapshot!(eval("open-denied-import-without-grant", &[]).code(1).stdout);
}

#[test]
fn the_shipped_rulesets_check_clean_and_pass_their_tests() {
    Verdict::new(["check", "policies/esc"]).run().code(0);
    Verdict::new(["test", "policies/esc"])
        .run()
        .code(0)
        .stdout_has(" passed, 0 failed");
}

// --- docs/esc.md --------------------------------------------------------------------

/// A fenced block of the walkthrough: its info string and its lines.
struct Block {
    info: String,
    text: String,
    line: usize,
}

fn fenced_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (number, line) in markdown.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                open = Some(Block {
                    info: info.to_string(),
                    text: String::new(),
                    line: number + 1,
                })
            }
            (Some(_), Some("")) => blocks.extend(open.take()),
            (Some(block), _) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "docs/esc.md has an unclosed code block");
    blocks
}

/// Runs a shell block from the repository root with this build's `verdict` first on the
/// PATH, standard error merged into standard output as a terminal shows them.
#[cfg(unix)]
fn run_shell(script: &str) -> (i32, String) {
    let binary = Path::new(env!("CARGO_BIN_EXE_verdict"));
    let path = std::env::join_paths(
        std::iter::once(binary.parent().unwrap().to_path_buf()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .unwrap();
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("exec 2>&1\n{script}"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PATH", path)
        .env_remove("NO_COLOR")
        .env_remove("VERDICT_PRINT_INPUT")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn every_command_in_the_walkthrough_prints_what_it_shows_and_exits_as_it_says() {
    let markdown = std::fs::read_to_string("docs/esc.md").unwrap();
    let blocks = fenced_blocks(&markdown);
    let mut commands = 0;
    for (index, block) in blocks.iter().enumerate() {
        if block.info != "sh" {
            continue;
        }
        commands += 1;
        let expected_code: i32 = block
            .text
            .split("# exits ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("docs/esc.md:{}: say `# exits N`", block.line));
        let (code, output) = run_shell(&block.text);
        assert_eq!(
            code, expected_code,
            "docs/esc.md:{}: exit code\n{output}",
            block.line
        );
        let shown = blocks
            .get(index + 1)
            .filter(|next| next.info == "text" || next.info == "json")
            .unwrap_or_else(|| panic!("docs/esc.md:{}: show the output", block.line));
        assert_eq!(
            output, shown.text,
            "docs/esc.md:{}: the output shown differs from the output printed",
            shown.line
        );
    }
    assert!(commands >= 20, "only {commands} commands found");
}

#[test]
fn the_rulesets_quoted_in_the_walkthrough_are_the_shipped_ones() {
    let markdown = std::fs::read_to_string("docs/esc.md").unwrap();
    let shipped: String = ["production", "shared-credentials", "env0-destroy"]
        .iter()
        .map(|name| std::fs::read_to_string(format!("policies/esc/{name}.policy")).unwrap())
        .collect();
    let quoted: Vec<Block> = fenced_blocks(&markdown)
        .into_iter()
        .filter(|block| block.info == "policy")
        .collect();
    assert!(!quoted.is_empty());
    for block in quoted {
        assert!(
            shipped.contains(&block.text),
            "docs/esc.md:{}: not in policies/esc",
            block.line
        );
    }
}

#[test]
fn the_walkthrough_pipeline_reports_the_activation_in_json() {
    let document = Verdict::new([
        "request",
        "open",
        "acme/payments/prod",
        "--requester",
        "alice@acme.io",
        "--permission",
        "open",
        "--grants",
        "fixtures/esc/walkthrough/grants.json",
        "--environments",
        "fixtures/esc/walkthrough/environments.json",
        "--now",
        "2026-11-24T10:00:00Z",
    ])
    .run()
    .code(0)
    .stdout;
    let decision = Verdict::new(["eval", "-p", "policies/esc", "-f", "json"])
        .stdin(document)
        .run()
        .code(0)
        .json();
    assert_eq!(
        decision["grant_activation"],
        serde_json::json!({
            "environment": "acme/payments/prod",
            "identity": "alice@acme.io",
            "firstOpenedAt": "2026-11-24T10:00:00Z",
            "accessEndsAt": "2026-11-24T12:00:00Z",
        })
    );
}

// --- known bugs ---------------------------------------------------------------------

#[test]
fn an_ungated_environment_importing_gated_credentials_needs_their_grant() {
    let document = r#"{
      "request": {"action": "open", "environment": "acme/payments/staging",
                  "requester": {"id": "alice@acme.io", "permissions": ["open"]}},
      "grants": [],
      "environments": {"acme/payments/staging": {"imports": ["acme/shared/db-creds"]}},
      "now": "2026-11-24T10:00:00Z"
    }"#;
    Verdict::new(["eval", "-p", "policies/esc"])
        .stdin(document)
        .run()
        .code(1)
        .stdout_has("acme/shared/db-creds (no grant)");
}

/// Production opened at 09:50; this open is the first of both shared credential grants.
fn open_with_fresh_imports(format: &str) -> Output {
    let mut document: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("fixtures/esc/open-allowed-activates-grant.json").unwrap(),
    )
    .unwrap();
    document["grants"][0]["firstOpenedAt"] = "2026-11-24T09:50:00Z".into();
    Verdict::new(["eval", "-p", "policies/esc", "-f", format])
        .stdin(document.to_string())
        .run()
        .code(0)
}

#[test]
fn text_output_lists_every_grant_an_open_activates() {
    open_with_fresh_imports("text")
        .stdout_has("grant   acme/shared/aws-creds for alice@acme.io activates now")
        .stdout_has("grant   acme/shared/db-creds for alice@acme.io activates now");
}

#[test]
fn grant_activation_is_only_ever_the_requested_environments() {
    let decision = open_with_fresh_imports("json").json();
    assert!(
        decision.get("grant_activation").is_none(),
        "{}",
        decision["grant_activation"]
    );
    assert_eq!(decision["grant_activations"].as_array().unwrap().len(), 2);
}
