#!/usr/bin/env bash
# gobind_check.sh: proves that package mobileapi binds whole with gomobile. gobind generates the
# Go and Java bindings and the check fails when gobind fails or when its output says it "skipped"
# anything (a time.Time, map, slice of structs, uint32, func or context in an exported signature or
# field). Run from anywhere; needs go and the Go module proxy (to install gobind once).
#
# gobind needs golang.org/x/mobile/bind resolvable from the bound package. go.mod does not
# require x/mobile (the app's build, not this module, depends on it), so a throwaway Go workspace
# adds a module that does: go.mod and go.sum stay untouched.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export PATH=$PATH:/usr/local/go/bin
export PATH=$PATH:$(go env GOPATH)/bin
mobile=golang.org/x/mobile
version=v0.0.0-20261011034528-197770444867 # gobind and the bind package must match
pkg=github.com/doorstep-project/doorstep/mobile-api

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! gobind -h 2>&1 | grep -q -- -outdir; then
  (cd "$tmp" && go install "$mobile/cmd/gobind@$version")
fi

mkdir "$tmp/bind"
cat >"$tmp/bind/go.mod" <<MOD
module doorstep.invalid/gobindcheck

go 1.26

require $mobile $version
MOD
printf 'package gobindcheck\n\nimport _ "%s/bind"\n' "$mobile" >"$tmp/bind/bind.go"
(cd "$tmp/bind" && go mod tidy >/dev/null 2>&1 && cd "$tmp" && go work init "$root" ./bind)

out=$tmp/out
if ! (cd "$root" && GOWORK=$tmp/go.work gobind -lang=go,java -outdir "$out" "$pkg") >"$tmp/log" 2>&1; then
  cat "$tmp/log"
  echo "FAIL: gobind could not bind $pkg"
  exit 1
fi
if grep -rnw skipped "$tmp/log" "$out"; then
  echo "FAIL: gobind skipped part of $pkg's exported API (above): keep such types unexported"
  exit 1
fi
n=$(ls "$out/java/mobileapi" | wc -l)
echo "gobind: $pkg binds whole ($n Java classes, nothing skipped)"
