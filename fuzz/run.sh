#!/bin/sh
# Fuzzes verdict: each target in turn, one job, for SECONDS each (default 600).
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# Targets: policy_parse policy_eval input_load rego_load ruleset_eval (all by default).
# Needs cargo-fuzz (`cargo install cargo-fuzz`). On a stable toolchain, RUSTC_BOOTSTRAP=1
# lets rustc accept the flags cargo-fuzz passes. Each run starts from the committed seeds
# (fuzz/seeds/TARGET) plus the shipped policies and fixtures, and keeps what it learns in
# fuzz/corpus/TARGET (not committed). Crashes, hangs (over 30 s) and runs past 2 GiB of
# memory are written to fuzz/artifacts/TARGET; replay one with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run -s none -a TARGET fuzz/artifacts/TARGET/FILE
set -eu
cd "$(dirname "$0")/.."

seconds=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-policy_parse policy_eval input_load rego_load ruleset_eval}

export RUSTC_BOOTSTRAP=1
flags="--sanitizer none --debug-assertions"
cargo fuzz build $flags

# Seeds the shipped files give each target.
seed() {
    target=$1
    corpus=$2
    case $target in
    policy_parse)
        find policies docs -name '*.policy' -exec cp {} "$corpus" \; ;;
    rego_load)
        find policies -name '*.rego' -exec cp {} "$corpus" \; ;;
    input_load)
        find fixtures -name '*.json' -exec cp {} "$corpus" \; ;;
    policy_eval)
        # Each policy file with a document of its own dialect, after a NUL byte.
        n=0
        for policy in $(find policies -name '*.policy' | sort); do
            case $policy in
            *esc*) documents=$(find fixtures/esc -maxdepth 1 -name '*.json' | sort | head -4) ;;
            *) documents=$(find fixtures/env0 -name '*.json' | sort | head -4) ;;
            esac
            for document in $documents; do
                n=$((n + 1))
                { cat "$policy"; printf '\0'; cat "$document"; } >"$corpus/shipped-$n"
            done
        done ;;
    esac
}

for target in $targets; do
    corpus=fuzz/corpus/$target
    mkdir -p "$corpus" "fuzz/artifacts/$target"
    if [ -d "fuzz/seeds/$target" ]; then
        cp fuzz/seeds/"$target"/* "$corpus"/ 2>/dev/null || true
    fi
    seed "$target" "$corpus"
    dict=""
    case $target in
    policy_parse | policy_eval) dict="-dict=fuzz/dict/policy.dict" ;;
    rego_load) dict="-dict=fuzz/dict/rego.dict" ;;
    input_load) dict="-dict=fuzz/dict/json.dict" ;;
    esac
    echo "== $target for ${seconds}s"
    # The address-space limit catches a runaway allocation even between RSS checks.
    (
        ulimit -v 6291456
        cargo fuzz run $flags "$target" "$corpus" -- \
            -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
            -print_final_stats=1 $dict
    )
done
