#!/usr/bin/env bash
# Builds internal/api/reference.gen.html, the page served at /api/v1/docs: Redoc with its
# scripts inlined (--inlineBundle) and the contract in the page, so it loads nothing from a
# CDN. Run by `go generate ./internal/api` (make generate).
#
# One edit after the build: Redoc's sidebar footer shows Redocly's logo from their CDN, with no
# option to turn it off. Its src becomes "data:,", which loads nothing (the component hides the
# image when it fails to load), so the page makes no request to another host and the platform's
# Content-Security-Policy reports no violation.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../internal/api/reference.gen.html"
"$here/run.sh" build-docs lowcode --inlineBundle --title "Low-code platform API reference" -o "$out" >/dev/null
for logo in https://cdn.redoc.ly/redoc/logo-mini-full.svg https://cdn.redoc.ly/redoc/logo-mini.svg; do
  if ! grep -qF "$logo" "$out"; then
    echo "build-docs.sh: $logo is no longer in the page; check what the new Redoc loads from other hosts and update this script" >&2
    exit 1
  fi
  sed -i "s|$logo|data:,|g" "$out"
done
