#!/usr/bin/env bash
# Runs each cargo-fuzz target of feedmix for a bounded time (default 60 s each), seeding
# parse_feed from ../shared/corpus/feeds when it is there. Needs the nightly toolchain and
# cargo-fuzz (`cargo install cargo-fuzz`). Crashes land in fuzz/artifacts/<target>/.
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
mkdir -p fuzz/corpus/parse_feed
if [ -d ../shared/corpus/feeds ] && [ -z "$(ls -A fuzz/corpus/parse_feed)" ]; then
    find ../shared/corpus/feeds -type f \( -name '*.xml' -o -name '*.json' \) -size -64k \
        -exec cp -t fuzz/corpus/parse_feed {} +
fi
status=0
for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target"
    echo "== $target: ${seconds}s"
    if ! cargo +nightly fuzz run "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1; then
        echo "!! $target found a crash: see fuzz/artifacts/$target/"
        status=1
    fi
done
exit "$status"
