#!/bin/bash
# In-process tests of the simulated controllers (tests/simcluster/test_controllers.py) against the real store.
. "$(dirname "$0")/../lib.sh"
python3 "$TOP/tests/simcluster/test_controllers.py" 2>"$T/err" | grep -v '^1\.\.'
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
	not_ok "controllers unit tests" "exit $rc" "$(tail -20 "$T/err")"
fi
done_testing
