#!/usr/bin/env python3
"""rusage.py N CMD...: runs CMD N times (stdout and stderr discarded) and
prints the mean user+system CPU seconds per run and the peak RSS in KiB of
the processes it ran (children only: this script's own use is not counted)."""
import resource, subprocess, sys

n, cmd = int(sys.argv[1]), sys.argv[2:]
for _ in range(n):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.6f %d" % ((ru.ru_utime + ru.ru_stime) / n, ru.ru_maxrss))
