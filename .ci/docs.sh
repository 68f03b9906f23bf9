#!/usr/bin/env bash
# make docs: tfplugindocs reads the provider's schema through the `terraform` it finds on PATH.
# A Terraform older than 1.14 (or OpenTofu) reports no actions and no list resources, and
# tfplugindocs would then delete docs/actions and docs/list-resources; so this refuses to run
# with one and says what to set instead.
#
#   DOCS_TERRAFORM=/abs/path/to/terraform-1.14+   the CLI to use (default: terraform on PATH)
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
min=1.14.0

tf=${DOCS_TERRAFORM:-$(command -v terraform || true)}
if [ -z "$tf" ] || [ ! -x "$tf" ]; then
  echo "error: make docs needs Terraform $min or newer: set DOCS_TERRAFORM=/abs/path/to/terraform (none found${DOCS_TERRAFORM:+ at $DOCS_TERRAFORM})" >&2
  exit 1
fi
text=$("$tf" version 2>/dev/null || true)
ver=$(printf '%s\n' "$text" | sed -n 's/^Terraform v\([0-9][0-9.]*\).*/\1/p' | head -1)
if [ -z "$ver" ] || [ "$(printf '%s\n%s\n' "$min" "$ver" | sort -V | head -1)" != "$min" ]; then
  what=$(printf '%s\n' "$text" | grep -m1 -E '^(Terraform|OpenTofu) v' || echo "an unknown CLI")
  echo "error: $tf is $what; the docs of actions and list resources need Terraform $min or newer," >&2
  echo "and with it docs/actions and docs/list-resources would be deleted. Run:" >&2
  echo "  make docs DOCS_TERRAFORM=/abs/path/to/terraform-$min-or-newer" >&2
  exit 1
fi

# tfplugindocs looks for a binary named terraform on PATH: put the chosen one first.
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
ln -s "$(cd "$(dirname "$tf")" && pwd)/$(basename "$tf")" "$bin/terraform"
echo "tfplugindocs with Terraform $ver ($tf)"
PATH="$bin:$PATH" CHECKPOINT_DISABLE=1 "$GO" tool tfplugindocs generate --provider-name lowcode --rendered-provider-name lowcode
