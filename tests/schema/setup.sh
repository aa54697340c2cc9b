#!/usr/bin/env bash
# Install the schema validator's npm dependencies (tests/schema/node_modules)
# from the committed package-lock.json. Idempotent: does nothing when
# node_modules was installed from the current lockfile with the current node.
# Usage: bash tests/schema/setup.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "tests/schema/setup.sh: node and npm are required (Debian: apt-get install -y nodejs npm)" >&2
  exit 1
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 20 ]; then
  echo "tests/schema/setup.sh: node >= 20 required, found $(node --version)" >&2
  exit 1
fi

# Stamp = lockfile + package.json contents + node major version.
want="$(cat package-lock.json package.json | sha256sum | cut -d' ' -f1) node$major"
stamp=node_modules/.registry-addon-stamp
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

# --loglevel=error hides the EBADENGINE warnings: the packages declare
# node >= 22 but work on node 20 (checked by validate.mjs's own run).
log="$(mktemp)"
if ! npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  echo "tests/schema/setup.sh: npm ci failed" >&2
  exit 1
fi
rm -f "$log"
printf '%s\n' "$want" >"$stamp"
