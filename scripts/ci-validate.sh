#!/usr/bin/env bash
# The run step of the ve-hooks GitHub Action (action.yml); the tests run it directly.
# Validates the whole repository: annotations on the workflow run (--format github) and, when
# VE_SARIF_FILE is set, a SARIF file for github/codeql-action/upload-sarif (written first, so it
# exists even when the findings fail the step).
#
# Environment (set by action.yml from its inputs):
#   VE_PATHS       whitespace-separated files or directories (default: every artifact)
#   VE_ARGS        extra ve-validate arguments, whitespace-separated (e.g. "--ignore VE405")
#   VE_SARIF_FILE  where to write SARIF (default: none)
#   VE_NEW_FROM_REV  report only findings new since this revision; "merge-base": the merge base of
#                  the pull request's base branch (GITHUB_BASE_REF, fetched if missing) and HEAD
#   VE_VALIDATE    the ve-validate program (default: ve-validate on PATH)
# Exit status is ve-validate's: 0 clean, 1 findings, 2 usage or internal error.
set -euo pipefail

validate=${VE_VALIDATE:-ve-validate}
read -r -a paths <<< "${VE_PATHS:-}" || true
read -r -a args <<< "${VE_ARGS:-}" || true

since=${VE_NEW_FROM_REV:-}
if [ "$since" = merge-base ]; then
  base=${GITHUB_BASE_REF:-}
  if [ -z "$base" ]; then
    echo "::error title=ve-validate::new-from-rev: merge-base needs a pull_request event (GITHUB_BASE_REF is empty)"
    exit 2
  fi
  git rev-parse -q --verify "refs/remotes/origin/$base" > /dev/null \
    || git fetch --no-tags --quiet origin "+refs/heads/$base:refs/remotes/origin/$base" || true
  if ! since=$(git merge-base "refs/remotes/origin/$base" HEAD); then
    echo "::error title=ve-validate::no merge base of origin/$base and HEAD: check out with fetch-depth: 0"
    exit 2
  fi
fi
if [ -n "$since" ]; then
  args+=(--new-from-rev "$since")
fi

if [ -n "${VE_SARIF_FILE:-}" ]; then
  mkdir -p "$(dirname -- "$VE_SARIF_FILE")"
  status=0
  "$validate" --format sarif --exit-zero "${args[@]}" -- "${paths[@]}" > "$VE_SARIF_FILE" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "::error title=ve-validate::could not write SARIF (exit $status)"
    exit "$status"
  fi
fi

# The second run takes every document from the blob-id cache the first one filled.
exec "$validate" --format github "${args[@]}" -- "${paths[@]}"
