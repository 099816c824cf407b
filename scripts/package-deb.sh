#!/usr/bin/env bash
# Builds the Debian package: the generated man page and completions first, then `cargo deb`.
# PROFILE=dev packages the debug build (what CI checks without a release build); the default
# is a release build, the one to ship.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${PROFILE:-release}"
if [ "$profile" = release ]; then
    cargo build --release --locked
    bin=target/release/vigie
else
    cargo build --locked
    bin=target/debug/vigie
fi
mkdir -p target/deb-assets
"$bin" man > target/deb-assets/vigie.1
"$bin" completions bash > target/deb-assets/vigie.bash
"$bin" completions zsh > target/deb-assets/_vigie
"$bin" completions fish > target/deb-assets/vigie.fish
if [ "$profile" = release ]; then
    cargo deb --no-build --locked
else
    # The asset list names the release binary: the debug one stands in for it.
    mkdir -p target/release
    # A copy, not through cargo's hard link (which would put a debug build in a later
    # release package).
    rm -f target/release/vigie
    cp "$bin" target/release/vigie
    cargo deb --no-build --no-strip --locked
fi
ls target/debian/*.deb
