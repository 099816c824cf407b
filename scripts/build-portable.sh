#!/usr/bin/env bash
# Builds vigie for the servers administrators log into: linked against glibc 2.17 (RHEL 7,
# Debian 8 and later) with zig as the C toolchain, through cargo-zigbuild. Writes to
# target/portable/: the binary and its debug info, the tarball (binary, man page,
# completions, README, example config), the .deb built from that binary, and the same for a
# client-only build (no reference server: `--no-default-features`).
#
# What it needs and lacks is installed first: zig (PyPI's `ziglang`, in a virtualenv under
# target/) and cargo-zigbuild (crates.io), both pinned. PROFILE (default `release`) picks
# the cargo profile.
set -euo pipefail
cd "$(dirname "$0")/.."

ZIGLANG_VERSION=0.17.1
ZIGBUILD_VERSION=0.24.1
CARGO_DEB_VERSION=3.8.0
GLIBC=2.17
TRIPLE=x86_64-unknown-linux-gnu
profile="${PROFILE:-release}"
out=target/portable
venv=target/zig-venv

say() { printf 'build-portable: %s\n' "$*" >&2; }

# zig, from PyPI, in a virtualenv of its own: cargo-zigbuild finds it as `python3 -m ziglang`.
if ! "$venv/bin/python3" -c "import ziglang" 2>/dev/null \
    || [ "$("$venv/bin/python3" -m pip show ziglang 2>/dev/null | sed -n 's/^Version: //p')" != "$ZIGLANG_VERSION" ]; then
    say "installing ziglang $ZIGLANG_VERSION in $venv"
    python3 -m venv "$venv"
    "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check "ziglang==$ZIGLANG_VERSION"
fi
export PATH="$PWD/$venv/bin:$PATH"
if [ "$(cargo zigbuild --version 2>/dev/null | awk '{print $2}')" != "$ZIGBUILD_VERSION" ]; then
    say "installing cargo-zigbuild $ZIGBUILD_VERSION"
    cargo install cargo-zigbuild --version "$ZIGBUILD_VERSION" --locked
fi
command -v cargo-deb >/dev/null || cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
case "$profile" in
    dev) dir=debug ;;
    *) dir="$profile" ;;
esac
built="target/$TRIPLE/$dir/vigie"
rm -rf "$out"
mkdir -p "$out"

# Strips a binary, its debug info kept beside it (and linked, for gdb and perf).
strip_keeping_debug() {
    objcopy --only-keep-debug "$1" "$1.debug"
    objcopy --strip-debug --strip-unneeded --add-gnu-debuglink="$1.debug" "$1"
}

# The tarball: bin/ and share/ as ~/.local or /usr/local lay them out.
tarball() {
    local bin="$1" name="$2" stage
    stage=$(mktemp -d)
    mkdir -p "$stage/bin" "$stage/share/man/man1" "$stage/share/doc/vigie" \
        "$stage/share/bash-completion/completions" "$stage/share/zsh/site-functions" \
        "$stage/share/fish/vendor_completions.d"
    cp "$bin" "$stage/bin/vigie"
    "$bin" man > "$stage/share/man/man1/vigie.1"
    "$bin" completions bash > "$stage/share/bash-completion/completions/vigie"
    "$bin" completions zsh > "$stage/share/zsh/site-functions/_vigie"
    "$bin" completions fish > "$stage/share/fish/vendor_completions.d/vigie.fish"
    cp README.md config.example.toml "$stage/share/doc/vigie/"
    for l in LICENSE LICENSE-MIT LICENSE-APACHE COPYING; do
        [ -f "$l" ] && cp "$l" "$stage/share/doc/vigie/"
    done
    tar --owner=0 --group=0 --sort=name -czf "$out/$name" -C "$stage" bin share
    rm -rf "$stage"
}

# The client only first (the full build then overwrites cargo's output).
say "building the client-only binary (glibc $GLIBC, profile $profile)"
cargo zigbuild --locked --profile "$profile" --target "$TRIPLE.$GLIBC" --no-default-features
cp "$built" "$out/vigie-client"
strip_keeping_debug "$out/vigie-client"
tarball "$out/vigie-client" "vigie-client-$version-x86_64-linux-gnu.tar.gz"

say "building the full binary (glibc $GLIBC, profile $profile)"
cargo zigbuild --locked --profile "$profile" --target "$TRIPLE.$GLIBC"
cp "$built" "$out/vigie"
strip_keeping_debug "$out/vigie"
tarball "$out/vigie" "vigie-$version-x86_64-linux-gnu.tar.gz"

# The .deb of that same binary (cargo-deb reads target/<triple>/release/vigie).
mkdir -p target/deb-assets "target/$TRIPLE/release"
"$out/vigie" man > target/deb-assets/vigie.1
"$out/vigie" completions bash > target/deb-assets/vigie.bash
"$out/vigie" completions zsh > target/deb-assets/_vigie
"$out/vigie" completions fish > target/deb-assets/vigie.fish
if [ "$dir" != release ]; then
    rm -f "target/$TRIPLE/release/vigie"
    cp "$out/vigie" "target/$TRIPLE/release/vigie"
else
    cp "$out/vigie" "$built"
fi
cargo deb --no-build --no-strip --locked --target "$TRIPLE" --variant portable --output "$out/"
# Cargo's own output is the unstripped build again next time; ours is in $out.
ls -l "$out"
