#!/usr/bin/env bash
# Fails when a tracked file is an executable binary (ELF, Mach-O or PE/COFF by its first bytes)
# or larger than MAX_BYTES: build output belongs in bin/ or dist/ (ignored), CLIs for tests
# outside the repository. The largest text file, internal/api/api.gen.go, is ~0.6 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_BYTES=${MAX_BYTES:-3000000}

bad=0
while IFS= read -r -d '' f; do
  [ -f "$f" ] || continue # deleted in the work tree, or a submodule
  size=$(wc -c <"$f")
  if [ "$size" -gt "$MAX_BYTES" ]; then
    echo "error: $f is $size bytes, over $MAX_BYTES; keep large files out of git" >&2
    bad=1
  fi
  magic=$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')
  case $magic in
  7f454c46) kind=ELF ;;
  feedface | feedfacf | cefaedfe | cffaedfe | cafebabe) kind=Mach-O ;;
  4d5a*) kind=PE ;;
  *) continue ;;
  esac
  echo "error: $f is an executable binary ($kind); untrack it (git rm --cached) and build it instead" >&2
  bad=1
done < <(git ls-files -z)
if [ "$bad" -ne 0 ]; then
  exit 1
fi
echo "no tracked binary, no tracked file over $MAX_BYTES bytes"
