#!/usr/bin/env bash
# The test command: installs what the tests need (helm, into .tools/bin) and runs
# every test. CI runs exactly this (see .ci/run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-tools.sh
export PATH="$PWD/.tools/bin:$PATH"
# kustomize rendering needs kubectl; use the bundled one where the machine has none.
command -v kubectl >/dev/null || ln -sf kubectl-1.35 .tools/bin/kubectl
# The cockpit's end-to-end test drives `driftdeck demo` in tmux.
if ! command -v tmux >/dev/null; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        apt-get install -y -qq tmux >/dev/null || { apt-get update -qq && apt-get install -y -qq tmux >/dev/null; }
    else
        echo "scripts/test.sh: tmux is needed by tests/tui_e2e.rs; install it (apt-get install tmux)" >&2
        exit 1
    fi
fi
cargo test --all-targets "$@"
