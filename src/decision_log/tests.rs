//! Behaviour of the decision log as a whole: appending, verifying after every kind of
//! tampering, concurrent writers, input logging and masking, and how a log is shown.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value, json};

use super::*;
use crate::decision::{GrantActivation, Outcome};
use crate::source::Location;
use crate::verdict::Verdict;

fn time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn outcome(verdict: Verdict, policy: &str, message: &str, line: u32) -> Outcome {
    Outcome {
        verdict,
        message: message.to_string(),
        policy: policy.into(),
        rule: verdict.as_str().into(),
        source: Location::new("policies/gate.policy", line, 3),
        details: None,
    }
}

fn decision(verdict: Verdict, outcomes: Vec<Outcome>) -> Decision {
    Decision {
        verdict,
        defaulted: outcomes.is_empty(),
        outcomes,
        policies: Vec::new(),
        now: time("2026-11-21T10:00:00Z"),
        grant_activation: None,
        grant_activations: Vec::new(),
    }
}

fn deny() -> Decision {
    decision(
        Verdict::Deny,
        vec![outcome(Verdict::Deny, "cost-guard", "too expensive", 7)],
    )
}

fn policies() -> PolicySetDigest {
    policy_set_digest([
        ("policies/gate.policy", "policy \"gate\" {}"),
        ("policies/cost.rego", "package cost"),
    ])
}

fn input() -> Value {
    json!({
        "deploymentRequest": {"type": "deploy"},
        "deployerUser": {"name": "Alice", "email": "alice@acme.io"},
        "approvers": [{"name": "Bob", "email": "bob@acme.io"}, {"name": "Carol"}],
        "policyData": {"secret": "s3cr3t", "maxCostIncrease": 100}
    })
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("decisions.log");
        Fixture { _dir: dir, path }
    }

    /// A log of `count` entries, numbered in their inputs.
    fn with_entries(count: usize) -> Fixture {
        let fixture = Fixture::new();
        let log = fixture.open(LogOptions::default());
        for index in 0..count {
            append_numbered(&log, index);
        }
        fixture
    }

    fn open(&self, options: LogOptions) -> DecisionLog {
        DecisionLog::open(&self.path, options).unwrap()
    }

    fn lines(&self) -> Vec<String> {
        let text = fs::read_to_string(&self.path).unwrap();
        text.lines().map(str::to_string).collect()
    }

    fn write_lines(&self, lines: &[String]) {
        let mut text = lines.join("\n");
        text.push('\n');
        fs::write(&self.path, text).unwrap();
    }

    fn verify(&self) -> VerifyReport {
        verify(&self.path, None).unwrap()
    }

    fn broken(&self) -> Broken {
        self.verify()
            .first_broken
            .expect("the log should be broken")
    }
}

fn append_numbered(log: &DecisionLog, index: usize) -> LogEntry {
    let input = json!({"index": index});
    let bytes = serde_json::to_vec(&input).unwrap();
    log.append(&deny(), &input, &bytes, &policies()).unwrap()
}

fn entry_of(line: &str) -> Map<String, Value> {
    match serde_json::from_str(line).unwrap() {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// Re-seals an edited entry the way a forger would: a correct hash over the new contents.
fn resealed(mut entry: Map<String, Value>) -> String {
    entry.remove("hash");
    let hash = sha256_hex(&canonical_bytes(&Value::Object(entry.clone())));
    entry.insert("hash".into(), Value::String(hash));
    String::from_utf8(canonical_bytes(&Value::Object(entry))).unwrap()
}

#[test]
fn appended_entries_form_a_chain_that_verifies() {
    let fixture = Fixture::new();
    let log = fixture.open(LogOptions::default());
    let written: Vec<LogEntry> = (0..5).map(|index| append_numbered(&log, index)).collect();

    assert_eq!(written[0].prev, GENESIS);
    for pair in written.windows(2) {
        assert_eq!(pair[1].prev, pair[0].hash);
        assert_eq!(pair[1].seq, pair[0].seq + 1);
    }
    let report = fixture.verify();
    assert!(report.is_intact(), "{report}");
    assert_eq!(report.entries, 5);
    assert_eq!(report.head.as_deref(), Some(written[4].hash.as_str()));

    let entry = entry_of(&fixture.lines()[2]);
    assert_eq!(entry["seq"], 3);
    assert_eq!(entry["verdict"], "deny");
    assert_eq!(entry["input"], json!({"index": 2}));
    assert_eq!(entry["input_sha256"], sha256_hex(br#"{"index":2}"#));
    assert_eq!(entry["policies"]["sha256"], policies().sha256);
    assert_eq!(entry["outcomes"][0]["source"], "policies/gate.policy:7:3");
    assert_eq!(entry["now"], "2026-11-21T10:00:00Z");
}

#[test]
fn an_empty_log_is_intact() {
    let fixture = Fixture::new();
    fixture.open(LogOptions::default());
    let report = fixture.verify();
    assert_eq!(
        (report.entries, report.head, report.first_broken),
        (0, None, None)
    );
}

#[test]
fn reopening_a_log_continues_its_chain() {
    let fixture = Fixture::with_entries(2);
    let log = fixture.open(LogOptions::default());
    let third = append_numbered(&log, 2);
    assert_eq!(third.seq, 3);
    assert_eq!(fixture.verify().entries, 3);
}

#[test]
fn each_hash_is_the_line_without_its_hash_member() {
    // What an auditor can do without re-serialising: the line is canonical, so deleting the
    // `hash` member from its text leaves the bytes that were hashed.
    let fixture = Fixture::with_entries(3);
    for line in fixture.lines() {
        let hash = entry_of(&line)["hash"].as_str().unwrap().to_string();
        let unhashed = line.replace(&format!(",\"hash\":\"{hash}\""), "");
        assert_eq!(sha256_hex(unhashed.as_bytes()), hash);
    }
}

#[test]
fn an_edited_field_is_a_hash_mismatch() {
    let fixture = Fixture::with_entries(3);
    let mut lines = fixture.lines();
    lines[1] = lines[1].replace(r#""verdict":"deny""#, r#""verdict":"allow""#);
    fixture.write_lines(&lines);
    let broken = fixture.broken();
    assert_eq!((broken.line, broken.kind), (2, Damage::HashMismatch));
    assert_eq!(
        broken.reason,
        "the entry does not match its `hash`: it was changed after it was written"
    );
}

#[test]
fn a_deleted_middle_entry_is_a_gap() {
    let fixture = Fixture::with_entries(3);
    let mut lines = fixture.lines();
    lines.remove(1);
    fixture.write_lines(&lines);
    let broken = fixture.broken();
    assert_eq!((broken.line, broken.kind), (2, Damage::SeqGap));
    assert_eq!(
        broken.reason,
        "expected entry 2, found entry 3: entries are missing or out of order"
    );
    assert_eq!(fixture.verify().entries, 1);
}

#[test]
fn a_deleted_first_entry_is_detected() {
    let fixture = Fixture::with_entries(3);
    let mut lines = fixture.lines();
    lines.remove(0);
    fixture.write_lines(&lines);
    let broken = fixture.broken();
    assert_eq!((broken.line, broken.kind), (1, Damage::SeqGap));
    assert_eq!(
        broken.reason,
        "expected entry 1, found entry 2: the entries before it are missing"
    );
}

#[test]
fn a_renumbered_first_entry_still_fails_on_its_prev() {
    let fixture = Fixture::with_entries(3);
    let mut second = entry_of(&fixture.lines()[1]);
    second.insert("seq".into(), json!(1));
    fixture.write_lines(&[resealed(second)]);
    let broken = fixture.broken();
    assert_eq!((broken.line, broken.kind), (1, Damage::PrevMismatch));
}

#[test]
fn swapped_entries_are_out_of_order() {
    let fixture = Fixture::with_entries(4);
    let mut lines = fixture.lines();
    lines.swap(1, 2);
    fixture.write_lines(&lines);
    let broken = fixture.broken();
    assert_eq!((broken.line, broken.kind), (2, Damage::SeqGap));
}

#[test]
fn a_last_line_cut_in_the_middle_is_incomplete() {
    let fixture = Fixture::with_entries(3);
    let text = fs::read(&fixture.path).unwrap();
    fs::write(&fixture.path, &text[..text.len() - 40]).unwrap();
    let broken = fixture.broken();
    assert_eq!((broken.line, broken.kind), (3, Damage::Unterminated));
    assert_eq!(fixture.verify().entries, 2);
}

#[test]
fn a_missing_final_newline_is_incomplete() {
    let fixture = Fixture::with_entries(2);
    let text = fs::read(&fixture.path).unwrap();
    fs::write(&fixture.path, &text[..text.len() - 1]).unwrap();
    assert_eq!(fixture.broken().kind, Damage::Unterminated);
}

#[test]
fn appended_garbage_is_not_an_entry() {
    let fixture = Fixture::with_entries(2);
    let mut lines = fixture.lines();
    lines.push("{\"format\":1,\"seq\":3}".to_string());
    fixture.write_lines(&lines);
    assert_eq!(fixture.broken().line, 3);
    assert_eq!(fixture.broken().kind, Damage::MissingField);

    lines.pop();
    lines.push("not json".to_string());
    fixture.write_lines(&lines);
    let broken = fixture.broken();
    assert_eq!((broken.line, broken.kind), (3, Damage::BadJson));
    assert!(
        broken.reason.starts_with("not a JSON object: expected"),
        "{}",
        broken.reason
    );

    lines.pop();
    lines.push(String::new());
    fixture.write_lines(&lines);
    assert_eq!(fixture.broken().reason, "an empty line");
}

#[test]
fn a_resealed_entry_breaks_the_next_entrys_prev() {
    let fixture = Fixture::with_entries(3);
    let mut lines = fixture.lines();
    let mut second = entry_of(&lines[1]);
    second.insert("verdict".into(), json!("allow"));
    lines[1] = resealed(second);
    fixture.write_lines(&lines);
    let broken = fixture.broken();
    assert_eq!((broken.line, broken.kind), (3, Damage::PrevMismatch));
    assert_eq!(
        broken.reason,
        "`prev` is not the hash of the entry before it: that entry was replaced"
    );
}

#[test]
fn a_reformatted_line_or_a_repeated_key_is_not_canonical() {
    let fixture = Fixture::with_entries(2);
    let original = fixture.lines();

    let mut lines = original.clone();
    lines[0] = lines[0].replacen(',', ", ", 1);
    fixture.write_lines(&lines);
    assert_eq!(fixture.broken().kind, Damage::NotCanonical);

    // A second `verdict` key would win for some readers and lose for others.
    let mut lines = original.clone();
    lines[0] = lines[0].replacen('{', r#"{"verdict":"allow","#, 1);
    fixture.write_lines(&lines);
    assert_eq!(fixture.broken().kind, Damage::NotCanonical);
}

#[test]
fn an_unknown_format_is_refused() {
    let fixture = Fixture::with_entries(1);
    let mut entry = entry_of(&fixture.lines()[0]);
    entry.insert("format".into(), json!(2));
    fixture.write_lines(&[resealed(entry)]);
    assert_eq!(fixture.broken().kind, Damage::UnsupportedFormat);
}

#[test]
fn a_cut_tail_is_caught_only_with_an_anchor() {
    let fixture = Fixture::with_entries(4);
    let head = fixture.verify().head.unwrap();
    let earlier = entry_of(&fixture.lines()[1])["hash"]
        .as_str()
        .unwrap()
        .to_string();
    let lines = fixture.lines();
    fixture.write_lines(&lines[..3]);

    assert!(fixture.verify().is_intact(), "the file alone cannot tell");
    let anchored = verify(&fixture.path, Some(&head)).unwrap();
    let broken = anchored.first_broken.unwrap();
    assert_eq!((broken.line, broken.kind), (4, Damage::MissingAnchor));
    // An anchor taken earlier is still found after the log grew.
    assert!(
        verify(&fixture.path, Some(&earlier.to_uppercase()))
            .unwrap()
            .is_intact()
    );
}

#[test]
fn a_rebuilt_chain_verifies_unless_anchored() {
    // The log is not signed: whoever rewrites every entry after an edit gets a valid chain.
    let fixture = Fixture::with_entries(3);
    let head = fixture.verify().head.unwrap();
    let mut lines = fixture.lines();
    let mut prev = GENESIS.to_string();
    for line in &mut lines {
        let mut entry = entry_of(line);
        entry.insert("verdict".into(), json!("allow"));
        entry.insert("prev".into(), json!(prev));
        *line = resealed(entry);
        prev = entry_of(line)["hash"].as_str().unwrap().to_string();
    }
    fixture.write_lines(&lines);
    assert!(fixture.verify().is_intact());
    assert!(!verify(&fixture.path, Some(&head)).unwrap().is_intact());
}

#[test]
fn a_malformed_anchor_is_a_usage_error() {
    let fixture = Fixture::with_entries(1);
    let error = verify(&fixture.path, Some("abc")).unwrap_err();
    assert_eq!(error.class, ErrorClass::Usage);
    assert_eq!(error.to_string(), "`abc` is not an entry hash");
}

#[test]
fn a_missing_log_cannot_be_read() {
    let fixture = Fixture::new();
    let error = verify(&fixture.path, None).unwrap_err();
    assert_eq!(error.class, ErrorClass::Unreadable);
}

#[test]
fn appending_to_a_damaged_log_is_refused() {
    let fixture = Fixture::with_entries(2);
    let text = fs::read(&fixture.path).unwrap();
    fs::write(&fixture.path, &text[..text.len() - 10]).unwrap();
    let log = fixture.open(LogOptions::default());
    let input = json!({});
    let error = log.append(&deny(), &input, b"{}", &policies()).unwrap_err();
    assert_eq!(error.class, ErrorClass::Invalid);
    assert!(
        error
            .to_string()
            .ends_with("ends with a damaged entry: the last line does not end with a newline"),
        "{error}"
    );
    assert_eq!(fs::read(&fixture.path).unwrap(), &text[..text.len() - 10]);

    let mut lines = fixture.lines();
    lines.pop();
    lines[0] = lines[0].replace(r#""verdict":"deny""#, r#""verdict":"allow""#);
    fixture.write_lines(&lines);
    let error = log.append(&deny(), &input, b"{}", &policies()).unwrap_err();
    assert!(
        error.to_string().contains("does not match its `hash`"),
        "{error}"
    );
}

fn assert_all_numbered_entries(path: &Path, expected: HashSet<(usize, usize)>) {
    let report = verify(path, None).unwrap();
    assert!(report.is_intact(), "{report}");
    assert_eq!(report.entries, expected.len());
    let text = fs::read_to_string(path).unwrap();
    let mut seen = HashSet::new();
    let mut ids = HashSet::new();
    for line in text.lines() {
        let entry = entry_of(line);
        let input = &entry["input"];
        let key = (
            input["thread"].as_u64().unwrap() as usize,
            input["index"].as_u64().unwrap() as usize,
        );
        assert!(seen.insert(key), "{key:?} logged twice");
        assert!(ids.insert(entry["decision_id"].as_str().unwrap().to_string()));
    }
    assert_eq!(seen, expected);
}

fn append_from_thread(log: &DecisionLog, thread: usize, index: usize) {
    let input = json!({"thread": thread, "index": index});
    let bytes = serde_json::to_vec(&input).unwrap();
    log.append(&deny(), &input, &bytes, &policies()).unwrap();
}

#[test]
fn threads_sharing_a_log_chain_every_entry() {
    let fixture = Fixture::new();
    let log = fixture.open(LogOptions::default());
    std::thread::scope(|scope| {
        for thread in 0..8 {
            let log = &log;
            scope.spawn(move || {
                for index in 0..50 {
                    append_from_thread(log, thread, index);
                }
            });
        }
    });
    let expected = (0..8).flat_map(|t| (0..50).map(move |i| (t, i))).collect();
    assert_all_numbered_entries(&fixture.path, expected);
}

#[test]
fn separately_opened_logs_chain_every_entry() {
    // Each writer has its own open file, as separate processes would: the file lock, not
    // the mutex, keeps them in turn.
    let fixture = Fixture::new();
    std::thread::scope(|scope| {
        for thread in 0..4 {
            let fixture = &fixture;
            scope.spawn(move || {
                let log = fixture.open(LogOptions::default());
                for index in 0..25 {
                    append_from_thread(&log, thread, index);
                }
            });
        }
    });
    let expected = (0..4).flat_map(|t| (0..25).map(move |i| (t, i))).collect();
    assert_all_numbered_entries(&fixture.path, expected);
}

fn logged_with(options: LogOptions) -> Map<String, Value> {
    let fixture = Fixture::new();
    let log = fixture.open(options);
    let bytes = serde_json::to_vec_pretty(&input()).unwrap();
    log.append(&deny(), &input(), &bytes, &policies()).unwrap();
    assert!(fixture.verify().is_intact());
    let entry = entry_of(&fixture.lines()[0]);
    assert_eq!(
        entry.get("input_sha256").is_some(),
        options_keep_hash(&entry)
    );
    entry
}

fn options_keep_hash(entry: &Map<String, Value>) -> bool {
    entry["input_logging"] != "none"
}

#[test]
fn masked_fields_are_replaced_and_the_original_bytes_stay_hashed() {
    let options = LogOptions {
        input: InputLogging::Full,
        masks: vec![
            "policyData.secret".into(),
            "deployerUser.email".into(),
            "approvers[*].email".into(),
        ],
    };
    let entry = logged_with(options);
    let stored = &entry["input"];
    let marker = |value: Value| json!(mask::masked_marker(&value));
    assert_eq!(stored["policyData"]["secret"], marker(json!("s3cr3t")));
    assert_eq!(
        stored["deployerUser"]["email"],
        marker(json!("alice@acme.io"))
    );
    assert_eq!(
        stored["approvers"][0]["email"],
        marker(json!("bob@acme.io"))
    );
    assert_eq!(stored["approvers"][1], json!({"name": "Carol"}));
    assert_eq!(stored["policyData"]["maxCostIncrease"], 100);
    assert_eq!(stored["deployerUser"]["name"], "Alice");
    assert_eq!(
        entry["masked"],
        json!([
            "policyData.secret",
            "deployerUser.email",
            "approvers[*].email"
        ])
    );
    let original = serde_json::to_vec_pretty(&input()).unwrap();
    assert_eq!(entry["input_sha256"], sha256_hex(&original));
    let text = serde_json::to_string(&entry).unwrap();
    assert!(
        !text.contains("s3cr3t") && !text.contains("@acme.io"),
        "{text}"
    );
}

#[test]
fn hash_only_and_none_keep_what_they_say() {
    let hashed = logged_with(LogOptions {
        input: InputLogging::HashOnly,
        masks: vec!["policyData.secret".into()],
    });
    assert_eq!(hashed["input_logging"], "hash");
    let original = serde_json::to_vec_pretty(&input()).unwrap();
    assert_eq!(hashed["input_sha256"], sha256_hex(&original));
    assert!(hashed.get("input").is_none() && hashed.get("masked").is_none());

    let omitted = logged_with(LogOptions {
        input: InputLogging::Omit,
        masks: Vec::new(),
    });
    assert_eq!(omitted["input_logging"], "none");
    assert!(omitted.get("input").is_none() && omitted.get("input_sha256").is_none());
}

#[test]
fn invalid_masks_are_usage_errors_listed_together() {
    let fixture = Fixture::new();
    let options = LogOptions {
        input: InputLogging::Full,
        masks: vec!["a..b".into(), "ok".into(), "c[x]".into()],
    };
    let error = DecisionLog::open(&fixture.path, options).unwrap_err();
    assert_eq!(error.class, ErrorClass::Usage);
    let messages: Vec<&str> = error
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "invalid mask `a..b`: a field name is missing",
            "invalid mask `c[x]`: expected `*` or an index inside `[]`"
        ]
    );
    assert!(!fixture.path.exists());
}

#[test]
fn input_logging_reads_its_keywords() {
    for mode in [
        InputLogging::Full,
        InputLogging::HashOnly,
        InputLogging::Omit,
    ] {
        assert_eq!(mode.as_str().parse::<InputLogging>().unwrap(), mode);
    }
    let error = "some".parse::<InputLogging>().unwrap_err();
    assert_eq!(error.to_string(), "`some` is not an input logging mode");
}

/// A small log with fixed stamps: a masked deny, a defaulted pending logged by hash, an
/// allow that activates a grant with no input kept.
fn sample_log(fixture: &Fixture) -> Vec<LogEntry> {
    let stamp = |n: i64| {
        move || Stamp {
            time: time("2026-11-21T10:00:00.5Z") + TimeDelta::seconds(n),
            decision_id: format!("00000000-0000-4000-8000-00000000000{n}"),
        }
    };
    let masked = LogOptions {
        input: InputLogging::Full,
        masks: vec!["deployerUser.email".into()],
    };
    let bytes = serde_json::to_vec(&input()).unwrap();
    let two_outcomes = decision(
        Verdict::Deny,
        vec![
            outcome(Verdict::Deny, "cost-guard", "too expensive", 7),
            outcome(Verdict::Warn, "cost-guard", "destroys the environment", 9),
        ],
    );
    let mut written = vec![
        fixture
            .open(masked)
            .append_stamped(&two_outcomes, &input(), &bytes, &policies(), stamp(1))
            .unwrap(),
    ];

    let hashed = fixture.open(LogOptions {
        input: InputLogging::HashOnly,
        masks: Vec::new(),
    });
    let defaulted = decision(Verdict::Pending, Vec::new());
    written.push(
        hashed
            .append_stamped(&defaulted, &json!({}), b"{}", &policies(), stamp(2))
            .unwrap(),
    );

    let omitted = fixture.open(LogOptions {
        input: InputLogging::Omit,
        masks: Vec::new(),
    });
    let mut open = decision(
        Verdict::Allow,
        vec![outcome(
            Verdict::Allow,
            "prod-open",
            "access ends at 12:00",
            2,
        )],
    );
    open.grant_activations = vec![GrantActivation {
        environment: "acme/payments/prod".into(),
        identity: "alice@acme.io".into(),
        first_opened_at: time("2026-11-21T10:00:00Z"),
        access_ends_at: time("2026-11-21T12:00:00Z"),
    }];
    let one_policy = policy_set_digest([("rulesets/prod.policy", "ruleset \"prod-open\" {}")]);
    written.push(
        omitted
            .append_stamped(&open, &json!({}), b"{}", &one_policy, stamp(3))
            .unwrap(),
    );
    written
}

/// Entry hashes cover the tool's version: name them by position so the snapshot holds
/// across releases.
fn redacted(text: &str, written: &[LogEntry]) -> String {
    let mut text = text.replace(env!("CARGO_PKG_VERSION"), "[version]");
    for (index, entry) in written.iter().enumerate() {
        text = text.replace(&entry.hash, &format!("[hash of entry {}]", index + 1));
    }
    text
}

#[test]
fn a_log_shows_as_text() {
    let fixture = Fixture::new();
    let written = sample_log(&fixture);
    let text = show(&fixture.path, ShowFormat::Text).unwrap().text;
    insta::assert_snapshot!(redacted(&text, &written));
}

#[test]
fn a_broken_log_shows_where_it_breaks() {
    let fixture = Fixture::new();
    let written = sample_log(&fixture);
    let mut lines = fixture.lines();
    lines[1] = lines[1].replace(r#""verdict":"pending""#, r#""verdict":"allow""#);
    lines.insert(2, "garbage".to_string());
    fixture.write_lines(&lines);
    let shown = show(&fixture.path, ShowFormat::Text).unwrap();
    assert!(!shown.intact);
    insta::assert_snapshot!(redacted(&shown.text, &written));
}

#[test]
fn a_log_shows_as_json_with_its_check() {
    let fixture = Fixture::new();
    let written = sample_log(&fixture);
    let shown = show(&fixture.path, ShowFormat::Json).unwrap();
    assert!(shown.intact);
    let document: Value = serde_json::from_str(&shown.text).unwrap();
    let entries = document["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(
        entries[0]["decision_id"],
        "00000000-0000-4000-8000-000000000001"
    );
    assert_eq!(
        entries[2]["grant_activations"][0]["identity"],
        "alice@acme.io"
    );
    assert_eq!(
        document["verify"],
        json!({"entries": 3, "head": written[2].hash, "first_broken": null})
    );
}
