#!/usr/bin/env bash
# The project's test entry point (CI runs it): makes sure the browser test has a browser, then
# runs pytest with any arguments given, e.g. `scripts/test.sh -q -m "not slow"`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Playwright cannot download its own browser offline; the browser test drives Debian's chromium.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    echo "Installing Debian's chromium for the browser test…" >&2
    apt-get update -qq && apt-get install -y -qq chromium \
        || echo "Could not install chromium: the browser test will be skipped." >&2
fi

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False
exec .venv/bin/python -m pytest "$@"
