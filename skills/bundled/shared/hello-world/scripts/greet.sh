#!/bin/sh
# Print a greeting for the first argument, or for "world".
set -eu
name=${1:-world}
printf 'Hello, %s!\n' "$name"
