#!/usr/bin/env bash
# Runs each cargo-fuzz target of feedmix for a bounded time (default 60 s each) and prints
# libFuzzer's final stats. Needs the nightly toolchain and cargo-fuzz
# (`cargo install cargo-fuzz --locked`). Exits 1 when any target crashes, times out or runs
# out of memory; the input that did it lands in fuzz/artifacts/<target>/ (reproduce with
# `cargo +nightly fuzz run <target> <file>`, shrink with `cargo +nightly fuzz tmin`).
#
# Seeds: hand-written inputs in fuzz/seeds/<target>/, and when ../shared is there its feeds
# (parse_feed), article pages (extract_article) and feedparser's sanitizer cases
# (sanitize_html). They are copied into fuzz/corpus/<target>/ (not in git), which keeps
# growing from run to run. Logs go to fuzz/logs/<target>.log.
# FUZZ_BUILD_FLAGS adds cargo-fuzz build options. The default build (optimized, one codegen
# unit, AddressSanitizer) is the one to search with; CI uses `--dev -s none` with
# CARGO_PROFILE_DEV_DEBUG=0, which builds in about a quarter of the CPU time.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(parse_feed extract_article sanitize_html canonical_url)
fi
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
read -r -a build_flags <<<"${FUZZ_BUILD_FLAGS:-}"
shared=../shared/corpus

# Copies files into a corpus, named by their path (the corpora reuse base names).
copy_seeds() {
    local corpus="$1" file name
    while IFS= read -r -d '' file; do
        name="${file#"$shared"/}"
        cp "$file" "$corpus/${name//\//_}"
    done
}

# Copies the shared seeds of one target into its corpus, once (an empty corpus).
seed_from_shared() {
    local target="$1" corpus="fuzz/corpus/$1"
    [ -d "$shared" ] && [ -z "$(ls -A "$corpus")" ] || return 0
    case "$target" in
    parse_feed)
        find "$shared/feeds" -type f \( -name '*.xml' -o -name '*.json' \) -size -64k -print0 |
            copy_seeds "$corpus"
        ;;
    extract_article)
        for page in "$shared"/aeb-dev/html/*.html.gz; do
            # The first 16 KiB, the most libFuzzer reads of one input (-max_len below).
            gzip -dc "$page" | head -c 16384 >"$corpus/$(basename "$page" .gz)" || true
        done
        ;;
    sanitize_html)
        find "$shared/feeds/feedparser/tests/wellformed/sanitize" -type f -name '*.xml' -print0 |
            copy_seeds "$corpus"
        ;;
    esac
}

# Build first, so that build time does not eat into fuzzing time.
if [ ${#targets[@]} -eq 1 ]; then
    cargo +nightly fuzz build ${build_flags[@]+"${build_flags[@]}"} "${targets[0]}"
else
    cargo +nightly fuzz build ${build_flags[@]+"${build_flags[@]}"}
fi
mkdir -p fuzz/logs
status=0
for target in "${targets[@]}"; do
    corpus="fuzz/corpus/$target"
    mkdir -p "$corpus"
    seed_from_shared "$target"
    if [ -d "fuzz/seeds/$target" ]; then
        cp -t "$corpus" "fuzz/seeds/$target"/*
    fi
    # Extraction of 64 KiB pages runs at about 5 inputs/s; 16 KiB gives about 10x as many.
    max_len=65536
    [ "$target" = extract_article ] && max_len=16384
    echo "== $target: ${seconds}s, $(ls "$corpus" | wc -l) inputs to start from"
    log="fuzz/logs/$target.log"
    if cargo +nightly fuzz run ${build_flags[@]+"${build_flags[@]}"} "$target" "$corpus" -- \
        -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1; then
        grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
        echo "corpus: $(ls "$corpus" | wc -l) inputs"
    else
        # The panic message, libFuzzer's verdict and the path of the saved input.
        tail -n 30 "$log"
        echo "!! $target failed: see $log and fuzz/artifacts/$target/"
        status=1
    fi
done
exit "$status"
