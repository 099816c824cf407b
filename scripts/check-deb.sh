#!/usr/bin/env bash
# Checks a built Debian package: its metadata and the files an administrator expects.
set -euo pipefail
deb="${1:?usage: check-deb.sh PACKAGE.deb}"
listing=$(dpkg-deb -c "$deb")
for f in ./usr/bin/vigie ./usr/share/man/man1/vigie.1.gz \
    ./usr/share/bash-completion/completions/vigie ./usr/share/zsh/vendor-completions/_vigie \
    ./usr/share/fish/vendor_completions.d/vigie.fish ./usr/share/doc/vigie/README.md \
    ./usr/share/doc/vigie/config.example.toml; do
    grep -q " $f\$" <<<"$listing" || { echo "check-deb: $f missing from $deb" >&2; exit 1; }
done
grep -q -- "-rwxr-xr-x .* ./usr/bin/vigie$" <<<"$listing" || { echo "check-deb: vigie not executable" >&2; exit 1; }
[ "$(dpkg-deb -f "$deb" Package)" = vigie ] || { echo "check-deb: wrong package name" >&2; exit 1; }
# The man page inside is the binary's own.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp"
zcat "$tmp/usr/share/man/man1/vigie.1.gz" | grep -q '^\.TH vigie'
"$tmp/usr/bin/vigie" --version | grep -q "^vigie "
echo "check-deb: $deb holds the binary, its man page, completions and docs"
