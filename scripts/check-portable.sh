#!/usr/bin/env bash
# Checks what scripts/build-portable.sh wrote to target/portable/: no binary (loose, in a
# tarball or in the .deb) needs a glibc symbol above 2.17; the tarballs and the .deb hold the
# man page and every completion; each binary answers --version; the full binary serves the
# demo on loopback and both list it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/portable
MAX_GLIBC=2.17
fail() { printf 'check-portable: %s\n' "$*" >&2; exit 1; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
work=$(mktemp -d)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The newest glibc symbol version a binary needs is at most 2.17.
check_glibc() {
    local newest
    newest=$(objdump -T "$1" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1)
    [ -n "$newest" ] || fail "$1: no glibc symbol found (not a glibc binary?)"
    [ "$(printf '%s\n%s\n' "$newest" "$MAX_GLIBC" | sort -V | tail -n1)" = "$MAX_GLIBC" ] \
        || fail "$1 needs GLIBC_$newest (above $MAX_GLIBC)"
    echo "check-portable: $1 needs at most GLIBC_$newest"
}

for b in vigie vigie-client; do
    [ -x "$out/$b" ] || fail "$out/$b missing"
    check_glibc "$out/$b"
    "$out/$b" --version | grep -q "^vigie $version" || fail "$b --version"
    tarball="$out/$b-$version-x86_64-linux-gnu.tar.gz"
    [ -f "$tarball" ] || fail "$tarball missing"
    listing=$(tar tzf "$tarball")
    for f in bin/vigie share/man/man1/vigie.1 share/bash-completion/completions/vigie \
        share/zsh/site-functions/_vigie share/fish/vendor_completions.d/vigie.fish \
        share/doc/vigie/README.md share/doc/vigie/config.example.toml; do
        grep -qx "$f" <<<"$listing" || fail "$f missing from $tarball"
    done
    mkdir -p "$work/$b"
    tar xzf "$tarball" -C "$work/$b"
    check_glibc "$work/$b/bin/vigie"
    grep -q '^\.TH vigie' "$work/$b/share/man/man1/vigie.1" || fail "$tarball: not vigie's man page"
    "$work/$b/bin/vigie" --version | grep -q "^vigie " || fail "$tarball: the binary does not start"
done

deb=$(ls "$out"/vigie_*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || fail "no .deb in $out"
scripts/check-deb.sh "$deb"
depends=$(dpkg-deb -f "$deb" Depends)
[ "$depends" = "libc6 (>= $MAX_GLIBC)" ] || fail "$deb depends on '$depends'"
dpkg-deb -x "$deb" "$work/deb"
check_glibc "$work/deb/usr/bin/vigie"

# The full binary serves the demo on loopback; both list it.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$out/vigie" serve --seed demo --seed-size 20 --listen "127.0.0.1:$port" --db "$work/demo.db" \
    >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.05
done
for b in vigie vigie-client; do
    sites=$(XDG_CONFIG_HOME="$work/cfg" XDG_DATA_HOME="$work/data" XDG_CACHE_HOME="$work/cache" \
        VIGIE_PASSWORD=admin-demo \
        "$out/$b" --url "http://127.0.0.1:$port" --user admin@vigie.local list sites -o csv) \
        || fail "$b list sites failed (server log: $(tail -n3 "$work/serve.log"))"
    grep -q LOUM <<<"$sites" || fail "$b list sites: no LOUM"
    echo "check-portable: $b lists the sites of a vigie serve on loopback"
done
echo "check-portable: target/portable holds glibc-$MAX_GLIBC binaries, tarballs and a .deb"
