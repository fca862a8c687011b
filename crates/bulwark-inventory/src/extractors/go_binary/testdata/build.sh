#!/bin/sh
# Rebuilds the Go fixtures from src/ with Debian's golang-go and golang-github-pkg-errors-dev, offline.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$here/src/." "$work/"
cd "$work"
# vendor/ by hand: github.com/pkg/errors from Debian's source package, the local module as a symlink-free copy.
mkdir -p vendor/github.com/pkg/errors vendor/example.com/bulwark
cp /usr/share/gocode/src/github.com/pkg/errors/*.go vendor/github.com/pkg/errors/
rm -f vendor/github.com/pkg/errors/*_test.go
cp -r greet vendor/example.com/bulwark/greet
rm vendor/example.com/bulwark/greet/go.mod
cat > vendor/modules.txt <<'MOD'
# example.com/bulwark/greet v0.0.0 => ./greet
## explicit
example.com/bulwark/greet
# github.com/pkg/errors v0.8.1 => github.com/pkg/errors v0.9.1
## explicit
github.com/pkg/errors
# example.com/bulwark/greet => ./greet
# github.com/pkg/errors v0.8.1 => github.com/pkg/errors v0.9.1
MOD
export GOFLAGS=-mod=vendor GOPROXY=off GOCACHE="$work/.cache" CGO_ENABLED=0 GOOS=linux GOARCH=amd64
go build -trimpath -ldflags='-s -w' -o "$here/gofixture-linux-amd64" .
GOOS=windows go build -trimpath -ldflags='-s -w' -o "$here/gofixture-windows-amd64.exe" .
