#!/usr/bin/env bash
# System tools the frontend tests (tests/frontends) drive: tmux for jupyter console, Debian's chromium for
# JupyterLab (playwright talks to it; it cannot download a browser of its own here). Idempotent: installs only
# what is missing, touches nothing (not even the package lists) when everything is present. Needs root for apt.
# Python packages (jupyterlab, playwright, jupyterlab-stata-highlight3) come from the project's test extra.
set -euo pipefail

missing=()
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
if [ ! -x /usr/bin/chromium ]; then
    missing+=(chromium)
fi
# Fonts for legible screenshots; chromium pulls some in, make sure a basic one is there.
if ! fc-list 2>/dev/null | grep -qi "dejavu"; then
    missing+=(fonts-dejavu-core)
fi

if [ "${#missing[@]}" -eq 0 ]; then
    echo "[frontend-deps] tmux and chromium already present" >&2
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "[frontend-deps] missing: ${missing[*]}; run as root (sudo bash $0)" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "[frontend-deps] missing: ${missing[*]}; no apt-get on this machine, install them yourself" >&2
    exit 1
fi

echo "[frontend-deps] installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq "${missing[@]}" >&2
command -v tmux >/dev/null
/usr/bin/chromium --version >&2
