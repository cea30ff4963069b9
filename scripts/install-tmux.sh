#!/usr/bin/env bash
# The triage end-to-end test drives the real CLI in a tmux terminal (test/e2e/triage-tmux.test.ts).
# CI machines start fresh: install tmux from Debian/Ubuntu packages when it is missing; elsewhere say so and
# carry on (the test then skips with a message).
set -euo pipefail
if command -v tmux >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  sudo=''
  if [ "$(id -u)" != 0 ]; then sudo='sudo'; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends tmux
else
  echo "install-tmux: tmux is missing and apt-get is not available; the triage end-to-end test will be skipped" >&2
fi
