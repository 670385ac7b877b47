#!/bin/sh
# Runs a TypeScript file with tsx inside the node containers of the Docker demo stack
# (services `history` and `generator`): sh demo/docker/with-tsx.sh FILE.ts [ARGS...]
#
# Why not the repository's node_modules: the repository is mounted read-only and its node_modules
# belongs to the HOST (on macOS or Windows it holds esbuild's darwin/win32 binary, which cannot run
# in this Linux container), and `npm ci` here would need a writable checkout and install the
# plugin's whole toolchain. The generator needs nothing but tsx (it has no dependencies), so tsx
# (pinned to the version in package-lock.json) is installed once, for the container's own platform,
# into the `demo-tools` volume and reused by every later start.
set -eu
TSX_VERSION="${TSX_VERSION:-4.23.15}"
TOOLS="${DEMO_TOOLS_DIR:-/opt/demo-tools}"
TSX="$TOOLS/node_modules/.bin/tsx"
if [ ! -x "$TSX" ] || [ "$(cat "$TOOLS/.tsx-version" 2>/dev/null || true)" != "$TSX_VERSION" ]; then
  echo "with-tsx: installing tsx@$TSX_VERSION into $TOOLS"
  mkdir -p "$TOOLS"
  (cd "$TOOLS" && npm install --no-audit --no-fund --no-update-notifier --loglevel=error "tsx@$TSX_VERSION")
  echo "$TSX_VERSION" > "$TOOLS/.tsx-version"
fi
exec "$TSX" "$@"
