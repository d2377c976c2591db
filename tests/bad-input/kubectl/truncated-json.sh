#!/bin/sh
# kubectl whose JSON output stops in the middle (a cut connection), exit 0.
printf '{"apiVersion": "v1", "kind": "List", "items": [{"metadata": {"name": "a'
