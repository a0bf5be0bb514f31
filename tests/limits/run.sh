#!/bin/sh
# Resource limits under attack (see flood.py).
exec python3 "$(dirname "$0")/flood.py"
