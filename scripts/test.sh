#!/usr/bin/env bash
# The test command: installs what the tests need (helm, into .tools/bin) and runs
# every test. CI runs exactly this (see .ci/run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-tools.sh
export PATH="$PWD/.tools/bin:$PATH"
# kustomize rendering needs kubectl; use the bundled one where the machine has none.
command -v kubectl >/dev/null || ln -sf kubectl-1.35 .tools/bin/kubectl
cargo test --all-targets "$@"
