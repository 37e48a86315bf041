//! `verdict eval --batch`: NDJSON in, one decision per line out, in order.

use crate::harness::{Output, Verdict};

fn fixture_line(name: &str) -> String {
    let text = std::fs::read_to_string(format!("fixtures/env0/{name}.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value.to_string()
}

/// The names of the shipped env0 fixtures (`deploy-small`), sorted.
fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir("fixtures/env0")
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn one_decision_per_line_and_the_exit_code_of_the_strictest() {
    let input = ["deploy-small", "destroy", "deploy-cost-150"]
        .map(fixture_line)
        .join("\n");
    let output = Verdict::new(["eval", "--batch", "-p", "policies/env0"])
        .stdin(&input)
        .run()
        .code(2);
    let verdicts: Vec<String> = output
        .stdout
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["verdict"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(verdicts, ["allow", "warn", "pending"]);
}

#[test]
fn parallel_batches_keep_the_input_order() {
    let names = [
        "deploy-small",
        "deploy-cost-6000",
        "destroy",
        "noop-plan",
        "deploy-cost-150",
    ];
    let lines: Vec<String> = (0..200)
        .map(|i| fixture_line(names[i % names.len()]))
        .collect();
    let sequential = Verdict::new([
        "eval",
        "--batch",
        "-p",
        "policies/env0",
        "--now",
        "2026-11-21T10:00:00Z",
    ])
    .stdin(lines.join("\n"))
    .run()
    .code(1);
    let parallel = Verdict::new([
        "eval",
        "--batch",
        "-j",
        "3",
        "-p",
        "policies/env0",
        "--now",
        "2026-11-21T10:00:00Z",
    ])
    .stdin(lines.join("\n"))
    .run()
    .code(1);
    assert_eq!(sequential.stdout.lines().count(), 200);
    assert_eq!(sequential.stdout, parallel.stdout);
}

#[test]
fn a_bad_line_is_reported_in_place_and_fails_the_run() {
    let input = format!(
        "{}\n\nnot json\n{}\n",
        fixture_line("deploy-small"),
        fixture_line("deploy-small")
    );
    let output = Verdict::new(["eval", "--batch", "-p", "policies/env0"])
        .stdin(input)
        .run()
        .code(65);
    let lines: Vec<serde_json::Value> = output
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "blank lines are skipped");
    assert_eq!(lines[0]["verdict"], "allow");
    assert_eq!(lines[1]["line"], 3);
    assert_eq!(lines[1]["error"]["class"], "invalid");
    assert!(lines[1]["verdict"].is_null());
    assert_eq!(lines[2]["verdict"], "allow");
    assert!(
        output.stderr.contains("line 3 of <stdin>"),
        "{}",
        output.stderr
    );
}

#[test]
fn an_empty_batch_is_an_error() {
    Verdict::new(["eval", "--batch", "-p", "policies/env0"])
        .stdin("\n\n")
        .run()
        .code(65)
        .stderr_has("no input documents");
}

/// `lines` decided by the shipped policy-language set with `-j jobs`, under a watchdog
/// that ends a run left waiting with 70.
fn dsl_batch(jobs: &str, lines: &[String]) -> Output {
    Verdict::new([
        "eval",
        "--batch",
        "-j",
        jobs,
        "-p",
        "policies/dsl",
        "--now",
        "2026-11-21T10:00:00Z",
        "--timeout",
        "60s",
    ])
    .stdin(lines.join("\n"))
    .run()
}

#[test]
fn parallel_batches_keep_the_order_across_blank_and_bad_lines() {
    let names = ["deploy-small", "destroy", "deploy-cost-150", "noop-plan"];
    let lines: Vec<String> = (0..500)
        .map(|i| match i % 97 {
            13 => String::new(),
            50 => "{not json".to_string(),
            _ => fixture_line(names[i % names.len()]),
        })
        .collect();
    let run = |jobs: &str| dsl_batch(jobs, &lines).code(65);
    let sequential = run("1");
    let documents = lines.iter().filter(|line| !line.is_empty()).count();
    assert_eq!(sequential.stdout.lines().count(), documents);
    for jobs in ["2", "4"] {
        let parallel = run(jobs);
        assert_eq!(sequential.stdout, parallel.stdout, "-j {jobs}");
    }
}

#[test]
fn workers_go_on_through_a_stream_of_many_chunks_and_stop_at_its_end() {
    // Far more chunks of lines than the workers may hold at once, so that each worker
    // waits for the writer to hand places back many times over; and more workers than
    // lines, so that some find the stream ended as they start. A worker left waiting
    // would hold the run until the watchdog (see `dsl_batch`) ends it with 70.
    let names = ["deploy-small", "destroy", "noop-plan"];
    let many: Vec<String> = (0..3000)
        .map(|i| fixture_line(names[i % names.len()]))
        .collect();
    let sequential = dsl_batch("1", &many).code(0);
    assert_eq!(sequential.stdout.lines().count(), 3000);
    assert_eq!(dsl_batch("2", &many).code(0).stdout, sequential.stdout);
    let few = &many[..2];
    let expected: String = sequential
        .stdout
        .lines()
        .take(2)
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(dsl_batch("8", few).code(0).stdout, expected);
    dsl_batch("8", &[])
        .code(65)
        .stderr_has("no input documents");
}

#[test]
fn compiled_rego_decides_every_shipped_fixture_as_the_interpreter() {
    let names = fixture_names();
    // Enough lines that most decisions are past the checked ones.
    let lines: Vec<String> = (0..400)
        .map(|i| fixture_line(&names[i % names.len()]))
        .collect();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "eval",
            "--batch",
            "-p",
            "policies/env0",
            "--now",
            "2026-11-21T10:00:00Z",
        ];
        args.extend(extra);
        Verdict::new(args).stdin(lines.join("\n")).run().code(1)
    };
    let interpreted = run(&[]);
    let compiled = run(&["--rego-compiled"]);
    let parallel = run(&["--rego-compiled", "-j", "2"]);
    assert_eq!(interpreted.stdout.lines().count(), 400);
    assert_eq!(compiled.stdout, interpreted.stdout);
    assert_eq!(parallel.stdout, interpreted.stdout);
    for run in [&compiled, &parallel] {
        assert!(
            run.stderr.contains(
                "Rego compiled mode decided 7 of 7 packages; 0 went back to the interpreter"
            ),
            "{}",
            run.stderr
        );
    }
    assert!(!interpreted.stderr.contains("compiled mode"));
}

#[test]
fn a_batch_decides_each_document_as_a_single_eval_does() {
    // A stream loads Rego's constant rules written in where they are used; one decision
    // loads the files as they are.
    let names = fixture_names();
    let lines: Vec<String> = names.iter().map(|name| fixture_line(name)).collect();
    let now = "2026-11-21T10:00:00Z";
    let batch = Verdict::new(["eval", "--batch", "-p", "policies/env0", "--now", now])
        .stdin(lines.join("\n"))
        .run();
    let streamed: Vec<serde_json::Value> = batch
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(streamed.len(), names.len());
    for (name, streamed) in names.iter().zip(&streamed) {
        let path = format!("fixtures/env0/{name}.json");
        let args = [
            "eval",
            "-p",
            "policies/env0",
            "-f",
            "json",
            "--now",
            now,
            "-i",
            &path,
        ];
        let single = Verdict::new(args).run().json();
        assert_eq!(&single, streamed, "{path}");
    }
}

#[test]
fn compiled_rego_and_jobs_are_batch_options() {
    for option in [&["--rego-compiled"][..], &["-j", "2"][..]] {
        let mut args = vec!["eval", "-p", "policies/env0"];
        args.extend_from_slice(option);
        let output = Verdict::new(args)
            .stdin(fixture_line("deploy-small"))
            .run()
            .code(64);
        assert!(output.stderr.contains("--batch"), "{}", output.stderr);
    }
}

#[cfg(target_os = "linux")]
#[test]
fn decisions_that_cannot_be_written_fail_the_run() {
    // `/dev/full` refuses every write, as a full disk does: the decisions were made, but
    // a gate whose output was lost must not pass. A closed pipe (`| head`) is not an
    // error: the reader has all it wanted.
    let run = |args: &[&str], stdout: std::process::Stdio| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_verdict"));
        command
            .args(args)
            .args(["-p", "policies/dsl", "--now", "2026-11-21T10:00:00Z"])
            // Workers left waiting once the writer stops would hold the run till this.
            .args(["--timeout", "60s"])
            .stdin(std::process::Stdio::piped())
            .stdout(stdout)
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn().unwrap();
        // A reader that has gone away: the pipe is closed before anything is read.
        drop(child.stdout.take());
        let documents = if args.contains(&"--batch") { 300 } else { 1 };
        let lines = vec![fixture_line("deploy-small"); documents].join("\n");
        if let Some(mut stdin) = child.stdin.take() {
            use std::io::Write;
            // A run that stops at the first failed write may not read all of it.
            let _ = stdin.write_all(lines.as_bytes());
        }
        let output = child.wait_with_output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    for args in [
        &["eval"][..],
        &["eval", "--batch"],
        &["eval", "--batch", "-j", "2"],
    ] {
        let full = std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let (code, stderr) = run(args, full.into());
        assert_eq!(code, Some(70), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write the output: no space left on device"),
            "{args:?}: {stderr}"
        );
        // Every decision here is allow.
        let (code, stderr) = run(args, std::process::Stdio::piped());
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("cannot write"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_batch_writes_json_lines_and_refuses_the_formats_for_one_decision() {
    for format in ["text", "github"] {
        Verdict::new(["eval", "-p", "policies/env0", "--batch", "-f", format])
            .stdin("{}\n")
            .run()
            .code(64)
            .stderr_has(&format!("not `-f {format}`"));
    }
    for format in [&["-f", "json"][..], &[]] {
        let mut args = vec!["eval", "-p", "policies/env0", "--batch"];
        args.extend_from_slice(format);
        let output = Verdict::new(args).stdin("{}\n").run().code(2);
        assert!(
            output.stdout.starts_with("{\"verdict\":\"pending\""),
            "{}",
            output.stdout
        );
    }
}

#[test]
fn print_input_prints_each_lines_document_to_stderr_and_decides_the_same() {
    let input = ["deploy-small", "destroy"].map(fixture_line).join("\n");
    let args = [
        "eval",
        "--batch",
        "--now",
        "2026-11-21T10:00:00Z",
        "-p",
        "policies/env0",
    ];
    let plain = Verdict::new(args).stdin(&input).run();
    for printing in [
        Verdict::new(args.iter().copied().chain(["--print-input"])),
        Verdict::new(args).env("VERDICT_PRINT_INPUT", "1"),
    ] {
        let output = printing.stdin(&input).run();
        assert_eq!(output.stdout, plain.stdout);
        let printed: Vec<serde_json::Value> = output
            .stderr
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        let given: Vec<serde_json::Value> = input
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(printed, given, "{}", output.stderr);
    }
}
