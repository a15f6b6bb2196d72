#!/usr/bin/env bash
# One-time set-up on a fresh machine: what the build and the tests need.
#  - Rust crates (cargo fetch, from Cargo.lock)
#  - newsboat and a Python venv with feedparser, used by ../shared/tools/check-feed
#    (the feed-reader conformance step of the tests)
#  - Chromium, for the headless browser test of the reading page
#  - cargo-fuzz and the fuzz crates, when the nightly toolchain is installed
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

# Fuzzing (issue 7) needs the nightly toolchain and cargo-fuzz; without nightly CI skips it.
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --version 0.13.2
  fi
  cargo fetch --locked --manifest-path fuzz/Cargo.toml
fi
