//! Every resource limit through the binary: past it, an error exit (65 for what was read,
//! 70 for what evaluation would need) with a message naming the limit; never a hang, a
//! crash or an allow.

use crate::harness::{Output, Scratch, Verdict};

/// A scratch directory holding one policy file.
fn policy(name: &str, text: &str) -> (Scratch, String) {
    let scratch = Scratch::new().file(name, text);
    let path = scratch.path(name);
    (scratch, path)
}

/// `verdict eval` of one policy file over `{}`, with extra flags.
fn eval(name: &str, text: &str, flags: &[&str]) -> Output {
    let (_scratch, path) = policy(name, text);
    let mut args = vec!["eval", "-p", path.as_str()];
    args.extend_from_slice(flags);
    Verdict::new(args).stdin("{}").run()
}

/// A JSON object of exactly `bytes` bytes.
fn document_of_size(bytes: usize) -> Vec<u8> {
    let frame = "{\"padding\": \"\"}".len();
    format!("{{\"padding\": \"{}\"}}", "x".repeat(bytes - frame)).into_bytes()
}

const ALLOW_ALL: &str = "package gate\n\nallow contains \"ok\" if true\n";

#[test]
fn the_input_limit_is_64_mib_unless_the_flag_says_otherwise() {
    let (_scratch, path) = policy("gate.rego", ALLOW_ALL);
    let limit = 64 << 20;
    Verdict::new(["eval", "-p", &path])
        .stdin(document_of_size(limit + 1))
        .run()
        .code(65)
        .stderr_has("`<stdin>` is larger than the input limit of 64 MiB")
        .stderr_has("--max-input-size");
    Verdict::new(["eval", "-p", &path])
        .stdin(document_of_size(limit))
        .run()
        .code(0);
    Verdict::new(["eval", "-p", &path, "--max-input-size", "65MiB"])
        .stdin(document_of_size(limit + 1))
        .run()
        .code(0);
    Verdict::new(["eval", "-p", &path, "--max-input-size", "1KiB"])
        .stdin(document_of_size(1025))
        .run()
        .code(65)
        .stderr_has("larger than the input limit of 1 KiB");
}

#[test]
fn the_input_limit_holds_for_a_file_and_for_each_batch_line() {
    let (scratch, path) = policy("gate.rego", ALLOW_ALL);
    let scratch = scratch.file("big.json", document_of_size(2048));
    Verdict::new([
        "eval",
        "-p",
        &path,
        "-i",
        &scratch.path("big.json"),
        "--max-input-size",
        "2047",
    ])
    .run()
    .code(65)
    .stderr_has("larger than the input limit of 2047 bytes");
    let lines = format!(
        "{{}}\n{}\n{{}}\n",
        String::from_utf8(document_of_size(300)).unwrap()
    );
    let output = Verdict::new(["eval", "-p", &path, "--batch", "--max-input-size", "200"])
        .stdin(lines)
        .run()
        .code(65);
    let decisions: Vec<serde_json::Value> = output
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(decisions.len(), 3, "{}", output.stdout);
    assert_eq!(decisions[0]["verdict"], "allow");
    assert!(decisions[1]["verdict"].is_null());
    assert_eq!(decisions[1]["error"]["exit_code"], 65);
    assert_eq!(decisions[2]["verdict"], "allow");
}

#[test]
fn json_nesting_is_limited_to_128_levels() {
    let (_scratch, path) = policy("gate.rego", ALLOW_ALL);
    let nested = |depth: usize| format!("{{\"a\": {}{}}}", "[".repeat(depth), "]".repeat(depth));
    Verdict::new(["eval", "-p", &path])
        .stdin(nested(120))
        .run()
        .code(0);
    Verdict::new(["eval", "-p", &path])
        .stdin(nested(128))
        .run()
        .code(65)
        .stderr_has("`<stdin>` is nested deeper than 128 levels");
}

#[test]
fn the_policy_file_limit_is_8_mib_unless_the_flag_says_otherwise() {
    let padding = format!("# {}\n", "x".repeat(8 << 20));
    let scratch = Scratch::new()
        .file("big.rego", format!("package big\n{padding}"))
        .file("small.rego", ALLOW_ALL)
        .file("data.json", format!("{{\"k\": \"{}\"}}", "x".repeat(2000)));
    Verdict::new(["eval", "-p", &scratch.path("big.rego")])
        .stdin("{}")
        .run()
        .code(65)
        .stderr_has("is larger than the policy file limit of 8 MiB")
        .stderr_has("--max-policy-size");
    Verdict::new([
        "eval",
        "-p",
        &scratch.path("small.rego"),
        "--max-policy-size",
        "20",
    ])
    .stdin("{}")
    .run()
    .code(65)
    .stderr_has("larger than the policy file limit of 20 bytes");
    Verdict::new([
        "eval",
        "-p",
        &scratch.path("small.rego"),
        "-d",
        &scratch.path("data.json"),
        "--max-policy-size",
        "1KiB",
    ])
    .stdin("{}")
    .run()
    .code(65)
    .stderr_has("data.json` is larger than the policy file limit of 1 KiB");
}

#[test]
fn policy_language_nesting_is_limited() {
    let deep = format!(
        "policy \"deep\" {{\n  deny if {}true{}\n}}\n",
        "(".repeat(70),
        ")".repeat(70)
    );
    eval("deep.policy", &deep, &[])
        .code(65)
        .stderr_has("expression nested too deeply")
        .stderr_has("deep.policy:2:");
    let long = format!(
        "policy \"long\" {{\n  deny if {} > 0\n}}\n",
        vec!["1"; 3000].join(" + ")
    );
    eval("long.policy", &long, &[])
        .code(65)
        .stderr_has("expression nested too deeply");
}

#[test]
fn policy_language_loops_are_limited_to_a_million_steps() {
    let (scratch, path) = policy(
        "loops.policy",
        "policy \"loops\" {\n  deny \"many\" if count([count([1 for b in items]) for a in items]) > 0\n}\n",
    );
    let items: Vec<u32> = (0..1100).collect();
    let input = serde_json::json!({ "items": items }).to_string();
    Verdict::new(["eval", "-p", &path])
        .stdin(input)
        .run()
        .code(70)
        .stderr_has("evaluation of policy `loops` stopped in its deny rule at line 2: it took more than 1000000 loop iterations")
        .stderr_has("loops.policy:2:3");
    drop(scratch);
}

#[test]
fn policy_language_strings_are_limited() {
    let (_scratch, path) = policy(
        "strings.policy",
        "policy \"strings\" {\n  let s = \"${blob}${blob}${blob}${blob}${blob}\"\n  deny \"long\" if len(\"${s}${s}${s}${s}\") > 0\n}\n",
    );
    let input = serde_json::json!({ "blob": "x".repeat(1 << 20) }).to_string();
    Verdict::new(["eval", "-p", &path])
        .stdin(input)
        .run()
        .code(70)
        .stderr_has("it took a string longer than 16777216 bytes");
}

/// Nested loops of ten billion steps that allocate nothing.
const SLOW_REGO: &str = "package slow\nimport rego.v1\n\ndeny contains \"never\" if {\n  some i in numbers.range(1, 100000)\n  some j in numbers.range(1, 100000)\n  i == j + 1000000\n}\n";

#[test]
fn a_slow_rego_rule_stops_at_the_eval_timeout() {
    let started = std::time::Instant::now();
    eval("slow.rego", SLOW_REGO, &["--eval-timeout", "1s"])
        .code(70)
        .stderr_has("rule `deny` of policy `slow`: evaluation took longer than the time limit")
        .stderr_has("--eval-timeout");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn the_timeout_ends_the_whole_run() {
    let started = std::time::Instant::now();
    eval(
        "slow.rego",
        SLOW_REGO,
        &["--eval-timeout", "1h", "--timeout", "1s"],
    )
    .code(70)
    .stderr_has("gave up after the --timeout of 1s; no decision was made");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn the_timeout_is_reported_on_stdout_in_the_format_asked_for() {
    let output = eval(
        "slow.rego",
        SLOW_REGO,
        &["--eval-timeout", "1h", "--timeout", "1s", "-f", "github"],
    )
    .code(70);
    assert_eq!(
        output.stdout,
        "::error title=verdict::gave up after the --timeout of 1s; no decision was made\n\
         ::error title=verdict::no decision (exit 70): the evaluation failed\n"
    );
    let output = eval(
        "slow.rego",
        SLOW_REGO,
        &["--eval-timeout", "1h", "--timeout", "1s", "-f", "json"],
    )
    .code(70);
    assert_eq!(output.json()["error"]["exit_code"], 70);
}

#[test]
fn a_huge_comprehension_is_an_error_not_a_hang() {
    let huge = "package huge\nimport rego.v1\n\ndeny contains \"x\" if count([x | some x in numbers.range(1, 100000000)]) > 0\n";
    eval("huge.rego", huge, &[])
        .code(70)
        .stderr_has("memory limit");
}

#[test]
fn memory_past_the_limit_ends_the_run_with_70() {
    let hungry = "package hungry\nimport rego.v1\n\ndeny contains \"x\" if count(numbers.range(1, 30000000)) > 0\n";
    eval(
        "hungry.rego",
        hungry,
        &["--max-memory", "256MiB", "--eval-timeout", "1h"],
    )
    .code(70)
    .stderr_has("error: verdict needed more than the memory limit of 256 MiB; no decision was made")
    .stderr_has("--max-memory");
}

/// A stream of decisions runs on another allocator than a single one (mimalloc, for
/// throughput); the ceiling holds there too.
#[test]
fn memory_past_the_limit_ends_a_batch_with_70() {
    let hungry = "package hungry\nimport rego.v1\n\ndeny contains \"x\" if count(numbers.range(1, 30000000)) > 0\n";
    let (_scratch, path) = policy("hungry.rego", hungry);
    Verdict::new([
        "eval",
        "--batch",
        "-p",
        &path,
        "--max-memory",
        "256MiB",
        "--eval-timeout",
        "1h",
    ])
    .stdin("{}\n")
    .run()
    .code(70)
    .stderr_has(
        "error: verdict needed more than the memory limit of 256 MiB; no decision was made",
    );
}

#[test]
fn recursion_is_refused_or_stopped() {
    eval(
        "loop.rego",
        "package loop\nimport rego.v1\n\nf(x) := f(x + 1)\n\ndeny contains \"x\" if f(1) > 0\n",
        &[],
    )
    .code(65)
    .stderr_has("function `data.loop.f` is recursive")
    .stderr_has("loop.rego:4:9");
    eval(
        "cycle.rego",
        "package cycle\nimport rego.v1\n\na if b\n\nb if a\n\ndeny contains \"x\" if a\n",
        &[],
    )
    .code(70)
    .stderr_has("recursion detected");
}

#[test]
fn a_long_chain_of_rules_decides() {
    let mut text = String::from("package chain\nimport rego.v1\n\n");
    for step in 0..1500 {
        text.push_str(&format!("f{step}(x) := f{}(x)\n", step + 1));
    }
    text.push_str("f1500(x) := x\n\ndeny contains \"end\" if f0(1) == 1\n");
    eval("chain.rego", &text, &[]).code(1).stdout_has("end");
}

/// Rules each calling the next, `steps` deep: a chain that needs a deep stack.
fn chain_of_rules(steps: usize) -> String {
    let mut text = String::from("package chain\nimport rego.v1\n\n");
    for step in 0..steps {
        text.push_str(&format!("r{step} := r{}\n", step + 1));
    }
    text.push_str(&format!(
        "r{steps} := 1\n\ndeny contains \"end\" if r0 == 1\n"
    ));
    text
}

#[test]
fn running_out_of_stack_is_70_with_a_message() {
    let (_scratch, path) = policy("chain.rego", &chain_of_rules(2000));
    Verdict::new(["eval", "-p", &path])
        .env("RUST_MIN_STACK", "262144")
        .stdin("{}")
        .run()
        .code(70)
        .stderr_has("its stack running out")
        .stderr_has("no decision was made");
}

#[test]
fn a_chain_deeper_than_the_platforms_stack_decides() {
    // 6,000 rules need more than the usual 8 MiB main stack (more than 16 MiB in a test
    // build).
    let (_scratch, path) = policy("chain.rego", &chain_of_rules(6000));
    Verdict::new(["eval", "-p", &path])
        .stdin("{}")
        .run()
        .code(1)
        .stdout_has("end");
}

#[cfg(target_os = "linux")]
#[test]
fn under_a_hard_stack_limit_the_work_runs_on_a_thread_of_its_own() {
    // The main stack cannot grow past 1 MiB here, so the work needs a thread to decide.
    let (_scratch, path) = policy("chain.rego", &chain_of_rules(6000));
    Verdict::new(["eval", "-p", &path])
        .stack_limit(1024)
        .stdin("{}")
        .run()
        .code(1)
        .stdout_has("end");
    let (_scratch, path) = policy("chain.rego", &chain_of_rules(2000));
    Verdict::new(["eval", "-p", &path])
        .stack_limit(1024)
        .env("RUST_MIN_STACK", "262144")
        .stdin("{}")
        .run()
        .code(70)
        .stderr_has("its stack running out");
}

#[test]
fn deeply_nested_rego_brackets_are_refused() {
    let value = format!("{}1{}", "[".repeat(20), "]".repeat(20));
    eval(
        "deep.rego",
        &format!("package deep\n\nx := {value}\n\ndeny contains \"x\" if x\n"),
        &[],
    )
    .code(65)
    .stderr_has("brackets nested deeper than 12 levels")
    .stderr_has("deep.rego:3:");
}

#[test]
fn a_huge_sprintf_width_is_refused_as_go_does() {
    eval(
        "wide.rego",
        "package wide\nimport rego.v1\n\ndeny contains sprintf(\"%999999999d\", [1])\n",
        &["-f", "json"],
    )
    .code(1)
    .stdout_has("%!(NOVERB)%!(EXTRA int64=1)");
}

#[test]
fn regular_expressions_take_linear_time() {
    let started = std::time::Instant::now();
    let input = serde_json::json!({ "s": format!("{}b", "a".repeat(100_000)) }).to_string();
    let (scratch, path) = policy(
        "regex.rego",
        "package rx\nimport rego.v1\n\ndeny contains \"matched\" if regex.match(`^(a+)+$`, input.s)\n",
    );
    let scratch = scratch.file(
        "regex.policy",
        "policy \"rx\" {\n  deny \"matched\" if regex(s, \"^(a+)+$\")\n}\n",
    );
    Verdict::new(["eval", "-p", &path, "-p", &scratch.path("regex.policy")])
        .stdin(input)
        .run()
        .code(2);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn walking_a_deep_input_decides() {
    let nested = format!(
        "{{\"a\": {}{{\"x\": 1}}{}}}",
        "[".repeat(120),
        "]".repeat(120)
    );
    let (_scratch, path) = policy(
        "walk.rego",
        "package walk\nimport rego.v1\n\ndeny contains \"deep\" if {\n  walk(input, [path, value])\n  count(path) > 100\n  value == 1\n}\n",
    );
    Verdict::new(["eval", "-p", &path])
        .stdin(nested)
        .run()
        .code(1)
        .stdout_has("deep");
}
