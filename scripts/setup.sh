#!/usr/bin/env bash
# One-time set-up on a fresh machine: what the build and the tests need.
#  - Rust crates (cargo fetch, from Cargo.lock)
#  - newsboat and a Python venv with feedparser, used by ../shared/tools/check-feed
#    (the feed-reader conformance step of the tests)
#  - Chromium, for the headless browser test of the reading page
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v newsboat >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq newsboat chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq newsboat chromium >/dev/null
  fi
fi

# check-feed creates its venv and installs feedparser on first use; do it now, once.
if [ -x ../shared/tools/check-feed ]; then
  ../shared/tools/check-feed --help >/dev/null 2>&1 || true
fi

cargo fetch --locked
