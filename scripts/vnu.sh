#!/usr/bin/env bash
# The Nu Html Checker (vnu.jar, from the npm package vnu-jar) for the browser suite's whole-site check.
# Prints the jar's path; fetches it once into the user's cache. Needs java (scripts/system-deps.sh) and npm.
set -euo pipefail
VERSION=26.9.27
DIR="${PORTAL_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/portal}/vnu-jar-$VERSION"
if [ ! -f "$DIR/vnu.jar" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "vnu-jar@$VERSION" >/dev/null && tar xzf "vnu-jar-$VERSION.tgz")
  mkdir -p "$DIR"
  mv "$tmp/package/build/dist/vnu.jar" "$DIR/vnu.jar"
fi
echo "$DIR/vnu.jar"
