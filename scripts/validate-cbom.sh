#!/usr/bin/env bash
# Validate CBOM files with cdxgen's validator. cdxgen (54 MB, ~15 s from the npm registry) is not a project
# dependency: it is installed once, pinned, without install scripts or optional native plugins, into .cache/cdxgen
# (CI can cache that folder keyed on this file).
# Usage: scripts/validate-cbom.sh FILE...
set -euo pipefail
cd "$(dirname "$0")/.."

CDXGEN_VERSION=12.8.4
dir=.cache/cdxgen
if [ "$(node -p "try{require('./$dir/node_modules/@cyclonedx/cdxgen/package.json').version}catch{''}" 2>/dev/null)" != "$CDXGEN_VERSION" ]; then
  npm install --prefix "$dir" --no-audit --no-fund --ignore-scripts --omit=optional --no-package-lock \
    "@cyclonedx/cdxgen@$CDXGEN_VERSION" >&2
fi
node scripts/validate-cbom.mjs "$@"
