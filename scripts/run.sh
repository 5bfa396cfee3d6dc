#!/usr/bin/env bash
# `make run`: boot Bulkhead in QEMU with its console on this terminal.
#   make run                          interactive (Ctrl-A X quits QEMU)
#   make run RUN_ARGS="--timeout 20"  bounded, for scripts
# Anything after the options is added to the hypervisor's command line.
set -u
cd "$(dirname "$0")/.."
exec scripts/qemu.sh "$@"
