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

/// An entry edited and sealed again with a correct hash of its own.
fn resealed(line: &str, edit: impl Fn(&mut serde_json::Value)) -> String {
    let mut entry: serde_json::Value = serde_json::from_str(line).unwrap();
    entry.as_object_mut().unwrap().remove("hash");
    edit(&mut entry);
    let hash = verdict::decision_log::sha256_hex(&verdict::decision_log::canonical_bytes(&entry));
    entry["hash"] = serde_json::json!(hash);
    String::from_utf8(verdict::decision_log::canonical_bytes(&entry)).unwrap()
}

/// Every way of tampering with a log of four entries: each is caught by `verify` and by
/// `show`, with exit 1, and names the line where the log breaks.
#[test]
fn every_kind_of_tampering_is_caught_by_verify_and_show() {
    type Tampering = fn(&mut Vec<String>);
    let tamperings: Vec<(&str, usize, Tampering)> = vec![
        ("edit a verdict", 2, |lines| {
            lines[1] = lines[1].replace("\"verdict\":\"warn\"", "\"verdict\":\"allow\"")
        }),
        ("edit the input", 1, |lines| {
            lines[0] = lines[0].replace("bob@acme.io", "eve@acme.io")
        }),
        ("edit the last entry", 4, |lines| {
            lines[3] = lines[3].replace(
                "\"now\":\"2026-11-21T10:00:00Z\"",
                "\"now\":\"2026-11-21T11:00:00Z\"",
            )
        }),
        ("edit a prev", 3, |lines| {
            let entry: serde_json::Value = serde_json::from_str(&lines[2]).unwrap();
            let prev = entry["prev"].as_str().unwrap().to_string();
            let flipped = if prev.starts_with('0') { "1" } else { "0" };
            lines[2] = lines[2].replace(&prev, &format!("{flipped}{}", &prev[1..]));
        }),
        ("edit a seq", 2, |lines| {
            lines[1] = lines[1].replace("\"seq\":2", "\"seq\":3")
        }),
        ("replace a hash", 2, |lines| {
            let entry: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
            let hash = entry["hash"].as_str().unwrap().to_string();
            lines[1] = lines[1].replace(&hash, &"ab".repeat(32));
        }),
        ("edit and reseal a middle entry", 3, |lines| {
            lines[1] = resealed(&lines[1], |entry| {
                entry["verdict"] = serde_json::json!("allow")
            })
        }),
        ("reformat a line", 2, |lines| {
            lines[1] = lines[1].replacen(",", ", ", 1)
        }),
        ("escape a character", 1, |lines| {
            lines[0] = lines[0].replacen("\"format\"", "\"\\u0066ormat\"", 1)
        }),
        ("repeat a key", 1, |lines| {
            lines[0] = lines[0].replacen("{", "{\"format\":1,", 1)
        }),
        ("end lines with CRLF", 1, |lines| {
            for line in lines.iter_mut() {
                line.push('\r');
            }
        }),
        ("delete the first entry", 1, |lines| {
            lines.remove(0);
        }),
        ("delete a middle entry", 3, |lines| {
            lines.remove(2);
        }),
        ("swap the first two entries", 1, |lines| lines.swap(0, 1)),
        ("swap the last two entries", 3, |lines| lines.swap(2, 3)),
        ("move the first entry to the end", 1, |lines| {
            let first = lines.remove(0);
            lines.push(first);
        }),
        ("reverse the log", 1, |lines| lines.reverse()),
        ("replay an entry", 3, |lines| {
            let again = lines[1].clone();
            lines.insert(2, again);
        }),
        ("cut the last line short", 4, |lines| lines[3].truncate(100)),
        ("cut the log in the middle of a line", 2, |lines| {
            lines.truncate(2);
            lines[1].truncate(50);
        }),
        ("insert an empty line", 3, |lines| {
            lines.insert(2, String::new())
        }),
        ("append garbage", 5, |lines| {
            lines.push("not an entry".to_string())
        }),
    ];
    for (kind, broken_line, tamper) in tamperings {
        let scratch = Scratch::new();
        let log = logged(
            &scratch,
            &[
                "deploy-small",
                "destroy",
                "deploy-cost-6000",
                "deploy-cost-150",
            ],
        );
        let mut entries = lines(&log);
        assert_eq!(entries.len(), 4);
        tamper(&mut entries);
        write_lines(&log, &entries);
        let verified = Verdict::new(["log", "verify", &log]).run();
        assert_eq!(verified.code, 1, "{kind} not caught: {}", verified.stdout);
        assert!(
            verified
                .stdout
                .starts_with(&format!("broken at line {broken_line}:")),
            "{kind}: {}",
            verified.stdout
        );
        for format in ["text", "json"] {
            let shown = Verdict::new(["log", "show", &log, "-f", format]).run();
            assert_eq!(shown.code, 1, "{kind} not caught by show -f {format}");
        }
    }
}

#[test]
fn a_final_newline_removed_is_caught() {
    let scratch = Scratch::new();
    let log = logged(&scratch, &["deploy-small", "destroy"]);
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.trim_end_matches('\n')).unwrap();
    Verdict::new(["log", "verify", &log])
        .run()
        .code(1)
        .stdout_has("broken at line 2");
}

/// What the chain cannot see on its own (entries cut from the end, the whole file
/// emptied, the last entry edited and sealed again) the recorded head catches.
#[test]
fn cuts_from_the_end_are_caught_with_the_recorded_head() {
    type Tampering = fn(&mut Vec<String>);
    let tamperings: [(&str, Tampering); 4] = [
        ("cut the last entry", |lines| {
            lines.pop();
        }),
        ("cut all but the first", |lines| lines.truncate(1)),
        ("empty the log", |lines| lines.clear()),
        ("edit and reseal the last entry", |lines| {
            let last = lines.len() - 1;
            lines[last] = resealed(&lines[last], |entry| {
                entry["verdict"] = serde_json::json!("allow")
            })
        }),
    ];
    for (kind, tamper) in tamperings {
        let scratch = Scratch::new();
        let log = logged(&scratch, &["deploy-small", "destroy", "deploy-cost-6000"]);
        let mut entries = lines(&log);
        let head: serde_json::Value = serde_json::from_str(entries.last().unwrap()).unwrap();
        let head = head["hash"].as_str().unwrap().to_string();
        tamper(&mut entries);
        write_lines(&log, &entries);
        Verdict::new(["log", "verify", &log]).run().code(0);
        let anchored = Verdict::new(["log", "verify", &log, "--expect-head", &head]).run();
        assert_eq!(anchored.code, 1, "{kind} not caught: {}", anchored.stdout);
    }
}

#[test]
fn a_missing_log_is_66_and_eval_will_not_chain_onto_a_damaged_one() {
    let scratch = Scratch::new();
    Verdict::new(["log", "verify", &scratch.path("missing.log")])
        .run()
        .code(66);
    let log = logged(&scratch, &["deploy-small"]);
    let mut entries = lines(&log);
    entries[0].truncate(30);
    write_lines(&log, &entries);
    let output = Verdict::new([
        "eval",
        "-p",
        "policies/env0",
        "-i",
        "fixtures/env0/deploy-small.json",
        "--decision-log",
        &log,
    ])
    .run();
    assert!(
        output.code >= 64,
        "appended to a damaged log: {}",
        output.stderr
    );
    assert_eq!(lines(&log).len(), 1, "nothing was appended");
}
