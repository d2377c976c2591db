#!/bin/sh
# a kubectl that is not executable (mode 0644)
exit 0
