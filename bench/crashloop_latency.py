#!/usr/bin/env python3
"""Time from a crash loop appearing in the API to deploy printing its diagnosis.

    crashloop_latency.py URL [--stdout] -- DEPLOY-COMMAND...

Watches pods straight from the simulator's HTTP API (no kubectl in between)
and notes when a pod first reports CrashLoopBackOff; reads the deploy's
stderr line by line and notes when the diagnosis line appears. Prints
"api=<s> diagnosis=<s> latency=<s> exit=<code> end=<s>" (seconds since start;
diagnosis=None when it never named the crash loop). URL is the simulator's or
the fault proxy's (plain HTTP). --stdout: the command's stdout is read too
(helm and kapp report there).
"""
import json
import subprocess
import sys
import threading
import time
import urllib.request

url, cmd = sys.argv[1], sys.argv[sys.argv.index("--") + 1:]
both = "--stdout" in sys.argv[2:sys.argv.index("--")]
t0 = time.monotonic()
seen = {}


def watch():
    req = urllib.request.urlopen(url + "/api/v1/namespaces/crucible/pods?watch=true", timeout=120)
    for line in req:
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        for c in (ev.get("object", {}).get("status", {}).get("containerStatuses") or []):
            if (c.get("state", {}).get("waiting") or {}).get("reason") == "CrashLoopBackOff":
                seen.setdefault("api", time.monotonic() - t0)
                return


threading.Thread(target=watch, daemon=True).start()
if both:
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
else:
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
for line in (p.stdout if both else p.stderr):
    if "CrashLoopBackOff" in line and "diag" not in seen:
        seen["diag"] = time.monotonic() - t0
p.wait()
end = time.monotonic() - t0
api, diag = seen.get("api"), seen.get("diag")
lat = diag - api if api is not None and diag is not None else float("nan")
print("api=%s diagnosis=%s latency=%.3f exit=%d end=%.3f" % (api, diag, lat, p.returncode, end))
