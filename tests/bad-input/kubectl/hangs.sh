#!/bin/sh
# kubectl that never answers.
exec sleep 1000
