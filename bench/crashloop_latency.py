#!/usr/bin/env python3
"""Time from a crash loop appearing in the API to deploy printing its diagnosis.

    crashloop_latency.py SIM_URL -- DEPLOY-COMMAND...

Watches pods straight from the simulator's HTTP API (no kubectl in between)
and notes when a pod first reports CrashLoopBackOff; reads the deploy's
stderr line by line and notes when the diagnosis line appears. Prints
"api=<s> diagnosis=<s> latency=<s> exit=<code>" (seconds since start).
"""
import json
import subprocess
import sys
import threading
import time
import urllib.request

url, cmd = sys.argv[1], sys.argv[sys.argv.index("--") + 1:]
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
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
for line in p.stderr:
    if "CrashLoopBackOff" in line and "diag" not in seen:
        seen["diag"] = time.monotonic() - t0
p.wait()
api, diag = seen.get("api"), seen.get("diag")
lat = diag - api if api is not None and diag is not None else float("nan")
print("api=%s diagnosis=%s latency=%.3f exit=%d" % (api, diag, lat, p.returncode))
