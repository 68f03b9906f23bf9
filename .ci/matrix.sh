#!/usr/bin/env bash
# The CLI matrix: the provider's acceptance suite (which includes the example and module
# tests) once per Terraform-compatible CLI given, then one summary line per CLI.
#
#   .ci/matrix.sh /abs/path/terraform /abs/path/tofu ...     (make test-matrix CLIS="...")
#
# Each run sets TF_ACC_TERRAFORM_PATH to the CLI, and TF_ACC_PROVIDER_HOST=registry.opentofu.org
# for OpenTofu only (with Terraform that setting breaks the tests the other way round). Tests
# skip on what a CLI supports (internal/testutil/tfcli); with two CLIs or more, a test skipped
# on every one of them fails the matrix, since nothing would then run it.
# Exit status: 0 when every CLI's run is green and no test skipped everywhere.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CLI..., each an absolute path to a terraform or tofu binary" >&2
  exit 2
fi
GO=${GO:-go}
TEST_TIMEOUT=${TEST_TIMEOUT:-75m}
PKGS=${MATRIX_PKGS:-./internal/provider/...}
# MATRIX_RUN narrows the run to tests matching a -run pattern (for trying the matrix itself).
RUN=${MATRIX_RUN:-}

# A TF_CLI_CONFIG_FILE naming a file that does not exist makes OpenTofu print a warning before
# `tofu version`, which terraform-plugin-testing cannot parse; no file means no configuration.
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -e "$TF_CLI_CONFIG_FILE" ]; then
  echo "note: TF_CLI_CONFIG_FILE=$TF_CLI_CONFIG_FILE does not exist; unset for the matrix"
  unset TF_CLI_CONFIG_FILE
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
summary=$out/summary
: >"$summary"
status=0
n=0
for cli in "$@"; do
  n=$((n + 1))
  if [ ! -x "$cli" ] || [ "${cli#/}" = "$cli" ]; then
    echo "error: $cli is not an executable given by absolute path" >&2
    exit 2
  fi
  # "Terraform v1.15.9" or "OpenTofu v1.12.6": the first line of `version`, warnings aside.
  label=$("$cli" version 2>/dev/null | grep -m1 -E '^(Terraform|OpenTofu) v' | sed 's/ v/ /') || true
  if [ -z "$label" ]; then
    echo "error: $cli version does not say Terraform or OpenTofu" >&2
    exit 2
  fi
  host=
  case $label in OpenTofu*) host=registry.opentofu.org ;; esac

  printf '\n--> %s (%s)\n' "$label" "$cli"
  start=$(date +%s)
  rc=0
  env -u TF_ACC_PROVIDER_HOST ${host:+TF_ACC_PROVIDER_HOST=$host} \
    TF_ACC=1 TF_ACC_TERRAFORM_PATH="$cli" CHECKPOINT_DISABLE=1 \
    "$GO" test -json -count=1 -timeout "$TEST_TIMEOUT" ${RUN:+-run "$RUN"} $PKGS >"$out/$n.json" || rc=$?
  secs=$(($(date +%s) - start))
  # What failed, as go test prints it (the JSON keeps the text of every output line).
  if [ "$rc" -ne 0 ]; then
    "$GO" run ./internal/testutil/testsummary -failures "$out/$n.json" >&2 || true
  fi
  line=$("$GO" run ./internal/testutil/testsummary -label "$label" -skipped "$out/$n.skipped" "$out/$n.json") || status=1
  [ "$rc" -eq 0 ] || status=1
  echo "$line  (${secs}s)" | tee -a "$summary"
done

if [ "$n" -ge 2 ]; then
  sort "$out/1.skipped" >"$out/everywhere"
  for i in $(seq 2 "$n"); do
    sort "$out/$i.skipped" | comm -12 "$out/everywhere" - >"$out/next"
    mv "$out/next" "$out/everywhere"
  done
  if [ -s "$out/everywhere" ]; then
    echo "error: skipped on every CLI of the matrix, so nothing runs them:" >&2
    sed 's/^/  /' "$out/everywhere" >&2
    status=1
  fi
fi

printf '\nCLI matrix (%s):\n' "$PKGS"
cat "$summary"
if [ "$n" -ge 2 ] && [ ! -s "$out/everywhere" ]; then
  echo "no test skipped on every CLI"
fi
exit "$status"
