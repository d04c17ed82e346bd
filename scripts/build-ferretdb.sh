#!/usr/bin/env bash
# Builds the embedded database, FerretDB 1.24.2, into .tools/ferretdb (git-ignored). Once per machine/clone.
#
# Why not a plain `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`: the module proxy here
# refuses the version *list* that `go install` reads for its deprecation check, and a binary built that
# way panics at start because FerretDB's build/version/version.txt is generated, not in the module
# (FerretDB issue #4001). So we take the same module version through `go mod download` (checksummed
# against go.sum), add the version file FerretDB asks for, and build ./cmd/ferretdb with its own go.mod.
#
# Before building we apply scripts/ferretdb.patch (what it changes and why: docs/embedded-database.md).
# The patched build reports BUILD as its version, bumped with every change of the patch, so a binary
# built before (plain v1.24.2, or an older patch) is rebuilt once.
set -euo pipefail
VERSION=v1.24.2
BUILD="$VERSION-handover.3"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${FERRETDB_BUILD_DIR:-$ROOT/.tools/ferretdb}"  # the override is for the build test
BIN="$OUT/ferretdb"

# Capture, then match: piping into `grep -q` or `head` would SIGPIPE FerretDB under pipefail.
built_version() { "$BIN" --version 2>/dev/null || true; }
if [ -x "$BIN" ] && [[ "$(built_version)" == *"version: $BUILD"* ]]; then
  echo "FerretDB $BUILD is already built at $BIN"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "Go is needed once to build the embedded database (FerretDB $VERSION). Install Go, or set MONGODB_URI." >&2
  exit 1
fi
echo "Building FerretDB $VERSION (SQLite backend) into $OUT; this takes a minute the first time..."
export GOFLAGS=-mod=mod GOTOOLCHAIN=local
DIR="$(go mod download -json "github.com/FerretDB/FerretDB@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -n "$DIR" ] || { echo "go mod download did not return a source directory" >&2; exit 1; }
SRC="$OUT/src"
rm -rf "$SRC" "$BIN"
mkdir -p "$OUT"
cp -r "$DIR" "$SRC"
chmod -R u+w "$SRC"
command -v patch >/dev/null 2>&1 || { echo "The patch command is needed to build FerretDB (apt-get install patch)." >&2; exit 1; }
patch --quiet --forward -p1 -d "$SRC" < "$ROOT/scripts/ferretdb.patch"
echo "$BUILD" > "$SRC/build/version/version.txt"
(cd "$SRC" && GOFLAGS= go build -trimpath -o "$BIN" ./cmd/ferretdb)
rm -rf "$SRC"
[[ "$(built_version)" == *"version: $BUILD"* ]] || { echo "the built binary does not report $BUILD" >&2; exit 1; }
echo "Built FerretDB $BUILD at $BIN"
