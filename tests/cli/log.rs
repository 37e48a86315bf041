//! `--decision-log`, `verdict log verify` and `verdict log show` through the binary: every
//! kind of tampering is caught with exit 1.

use crate::harness::{Scratch, Verdict};

const NOW: &str = "2026-11-21T10:00:00Z";

fn logged(scratch: &Scratch, fixtures: &[&str]) -> String {
    let log = scratch.path("decisions.log");
    for fixture in fixtures {
        let input = format!("fixtures/env0/{fixture}.json");
        Verdict::new([
            "eval",
            "-p",
            "policies/env0",
            "-i",
            &input,
            "--now",
            NOW,
            "--decision-log",
            &log,
        ])
        .run();
    }
    log
}

fn lines(log: &str) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn write_lines(log: &str, lines: &[String]) {
    std::fs::write(
        log,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
}

#[test]
fn each_decision_appends_one_entry_and_the_chain_verifies() {
    let scratch = Scratch::new();
    let log = logged(&scratch, &["deploy-small", "destroy", "deploy-cost-6000"]);
    let entries = lines(&log);
    assert_eq!(entries.len(), 3);
    let first: serde_json::Value = serde_json::from_str(&entries[0]).unwrap();
    assert_eq!(first["verdict"], "allow");
    assert!(first["input_sha256"].as_str().unwrap().len() == 64);
    assert!(first["policies"]["files"].as_array().unwrap().len() >= 7);
    Verdict::new(["log", "verify", &log])
        .run()
        .code(0)
        .stdout_has("intact: 3 entries");
    Verdict::new(["log", "show", &log])
        .run()
        .code(0)
        .stdout_has("verdict   deny");
}

#[test]
fn edits_deletions_reorders_and_truncation_are_caught() {
    type Tampering = fn(&mut Vec<String>);
    let tamperings: [(&str, Tampering); 4] = [
        ("edit", |lines| {
            lines[1] = lines[1].replace("\"verdict\":\"warn\"", "\"verdict\":\"allow\"")
        }),
        ("delete", |lines| {
            lines.remove(1);
        }),
        ("reorder", |lines| lines.swap(0, 1)),
        ("truncate", |lines| {
            let last = lines.len() - 1;
            lines[last].truncate(40);
        }),
    ];
    for (kind, tamper) in tamperings {
        let scratch = Scratch::new();
        let log = logged(&scratch, &["deploy-small", "destroy", "deploy-cost-6000"]);
        let mut entries = lines(&log);
        tamper(&mut entries);
        write_lines(&log, &entries);
        let output = Verdict::new(["log", "verify", &log]).run();
        assert_eq!(output.code, 1, "{kind} not caught: {}", output.stdout);
    }
}

#[test]
fn cutting_entries_from_the_end_is_caught_with_an_anchor() {
    let scratch = Scratch::new();
    let log = logged(&scratch, &["deploy-small", "destroy"]);
    let head: serde_json::Value = serde_json::from_str(lines(&log).last().unwrap()).unwrap();
    let head = head["hash"].as_str().unwrap().to_string();
    let mut entries = lines(&log);
    entries.pop();
    write_lines(&log, &entries);
    Verdict::new(["log", "verify", &log]).run().code(0);
    Verdict::new(["log", "verify", &log, "--expect-head", &head])
        .run()
        .code(1);
}

#[test]
fn the_input_can_be_left_out_or_masked() {
    let scratch = Scratch::new();
    let log = scratch.path("masked.log");
    Verdict::new([
        "eval",
        "-p",
        "policies/env0",
        "-i",
        "fixtures/env0/deploy-small.json",
        "--decision-log",
        &log,
        "--log-mask",
        "approvers[*].email",
        "--log-mask",
        "deployerUser",
    ])
    .run()
    .code(0);
    let entry: serde_json::Value = serde_json::from_str(&lines(&log)[0]).unwrap();
    let email = entry["input"]["approvers"][0]["email"].as_str().unwrap();
    assert!(email.starts_with("***sha256:"), "{email}");
    assert!(
        entry["input"]["deployerUser"]
            .as_str()
            .unwrap()
            .starts_with("***sha256:")
    );
    assert_eq!(entry["input"]["approvers"][0]["name"], "Bob");

    let bare = scratch.path("bare.log");
    Verdict::new([
        "eval",
        "-p",
        "policies/env0",
        "-i",
        "fixtures/env0/deploy-small.json",
        "--decision-log",
        &bare,
        "--log-input",
        "none",
    ])
    .run()
    .code(0);
    let entry: serde_json::Value = serde_json::from_str(&lines(&bare)[0]).unwrap();
    assert!(entry.get("input").is_none_or(|input| input.is_null()));
}

#[test]
fn batch_mode_logs_every_line() {
    let scratch = Scratch::new();
    let log = scratch.path("batch.log");
    let line = |name: &str| {
        let value: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(format!("fixtures/env0/{name}.json")).unwrap(),
        )
        .unwrap();
        value.to_string()
    };
    let input: Vec<String> = (0..20)
        .map(|i| {
            line(if i % 2 == 0 {
                "deploy-small"
            } else {
                "destroy"
            })
        })
        .collect();
    Verdict::new([
        "eval",
        "--batch",
        "-j",
        "2",
        "-p",
        "policies/env0",
        "--decision-log",
        &log,
    ])
    .stdin(input.join("\n"))
    .run()
    .code(0);
    Verdict::new(["log", "verify", &log])
        .run()
        .code(0)
        .stdout_has("intact: 20 entries");
}

#[test]
fn log_flags_need_a_log() {
    Verdict::new(["eval", "-p", "policies/env0", "--log-mask", "x"])
        .stdin("{}")
        .run()
        .code(64);
}
