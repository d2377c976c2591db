#!/usr/bin/env python3
"""Simulated Kubernetes API server for the Crucible tests (standard library only).

    simcluster.py --listen 127.0.0.1:0 --kubeconfig FILE [--scenario FILE] [--nodes N] [--speed X]

Writes a kubeconfig pointing at itself (plain HTTP on 127.0.0.1), prints
"ready http://127.0.0.1:PORT" on stdout once it accepts connections, logs to
stderr and exits cleanly on SIGTERM.

Control endpoint: POST /_sim/scenario (JSON merged into the scenario),
GET /_sim/scenario, GET /_sim/stats.

Modules: store.py (object store, the controllers' contract), registry.py
(resources served), api.py (HTTP layer: discovery, CRUD, watch, patches,
apply, subresources, faults), patch.py (JSON/merge/strategic patches),
ssa.py (server-side apply, managedFields), schema.py (field schema: strict
validation, list merge keys, OpenAPI), validate.py (422 checks), tables.py
(Table output), openapi.py (OpenAPI v3, and v2 as JSON or in the protobuf
form kubectl asks for), protobuf.py (decodes the bodies kubectl sends as
protobuf, encodes the v2 document), controllers/ (controllers, scheduler,
kubelets, graceful pod termination), scenario.py (fault injection).
Deletion is graceful as on a real cluster: see tests/scenarios/README.md.
Not served: exec/attach/port-forward, aggregated discovery, CRDs, metrics.

API faults (scenario "api" section), enforced per request:
  forbidden      [{"verb", "resource", "group", "namespace"?}] -> 403 Forbidden
                 (and SelfSubjectAccessReview answers allowed: false)
  error500       the next N requests get a 500 InternalError Status
  error429       the next N requests get 429 TooManyRequests with Retry-After: 1
  error409       the next N updates (PUT, PATCH, DELETE) get 409 Conflict (the object has been modified)
  hang           the next N requests are read and never answered (until the client closes)
  latencyMs      every request is delayed
  watchCutAfter  every watch stream ends (cleanly) after N events
"""

import argparse
import collections
import os
import signal
import sys
import threading
import traceback
from http.server import ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import api  # noqa: E402
from store import Store  # noqa: E402

try:
    from controllers import Controllers  # noqa: E402
except ImportError:
    Controllers = None
try:
    from scenario import Scenario  # noqa: E402
except ImportError:
    Scenario = None


class FallbackScenario:
    """Used only while scenario.py does not exist: API faults only."""

    def __init__(self, data=None):
        self.data = dict(data or {})
        self.lock = threading.Lock()

    @classmethod
    def load(cls, path):
        import json
        if not path:
            return cls()
        with open(path) as f:
            return cls(json.load(f))

    def api_faults(self):
        with self.lock:
            return dict(self.data.get("api") or {})

    def consume_error500(self):
        with self.lock:
            api_ = self.data.setdefault("api", {})
            n = api_.get("error500") or 0
            if n > 0:
                api_["error500"] = n - 1
                return True
            return False

    def update(self, d):
        with self.lock:
            for k, v in d.items():
                if isinstance(v, dict) and isinstance(self.data.get(k), dict):
                    self.data[k].update(v)
                else:
                    self.data[k] = v

    def to_dict(self):
        with self.lock:
            return dict(self.data)


class Sim:
    def __init__(self, store, scenario, verbose=False):
        self.store = store
        self.scenario = scenario
        self.verbose = verbose
        self.port = 0
        self.stopping = False
        self.lock = threading.Lock()
        self.requests = 0
        self.by_verb = collections.Counter()

    def count(self, method, path):
        with self.lock:
            self.requests += 1
            self.by_verb[method] += 1

    def stats_count(self):
        return self.requests

    def faults(self):
        try:
            return self.scenario.api_faults() or {}
        except AttributeError:  # a scenario object without API faults, as in consume_error500
            return {}

    def consume_error500(self):
        try:
            return bool(self.scenario.consume_error500())
        except AttributeError:
            return False

    def consume_fault(self, key):
        try:
            return bool(self.scenario.consume_fault(key))
        except AttributeError:
            return False

    def scenario_update(self, body):
        self.scenario.update(body)

    def scenario_dump(self):
        for attr in ("snapshot", "to_dict"):
            fn = getattr(self.scenario, attr, None)
            if fn:
                return fn()
        d = getattr(self.scenario, "data", None)
        return d if isinstance(d, dict) else {"apiFaults": self.faults()}

    def stats_dump(self):
        with self.lock:
            return {"requests": self.requests, "resourceVersion": self.store.current_rv(),
                    "byVerb": dict(self.by_verb)}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A client that goes away (kubectl exiting while its keep-alive connection is idle or a
        # response is still unread resets it) is not a server error: socketserver would print a
        # Traceback for the reset met while reading the next request line.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
            return
        super().handle_error(request, client_address)


KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- name: simcluster
  cluster:
    server: {url}
contexts:
- name: simcluster
  context:
    cluster: simcluster
    user: simcluster-admin
    namespace: default
current-context: simcluster
preferences: {{}}
users:
- name: simcluster-admin
  user: {{}}
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--listen", default="127.0.0.1:0")
    ap.add_argument("--kubeconfig", required=True)
    ap.add_argument("--scenario")
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--speed", type=float, default=1.0)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    host, _, port = args.listen.rpartition(":")
    if host not in ("127.0.0.1", "localhost"):
        ap.error("--listen: only 127.0.0.1 is supported")
    store = Store()
    scen = (Scenario or FallbackScenario).load(args.scenario)
    sim = Sim(store, scen, verbose=args.verbose)
    api.Handler.sim = sim
    httpd = Server(("127.0.0.1", int(port or 0)), api.Handler)
    sim.port = httpd.server_address[1]
    url = "http://127.0.0.1:%d" % sim.port
    tmp = args.kubeconfig + ".tmp"
    with open(tmp, "w") as f:
        f.write(KUBECONFIG.format(url=url))
    os.replace(tmp, args.kubeconfig)

    ctl = None
    if Controllers is not None:
        ctl = Controllers(store, scen, speed=args.speed, nodes=args.nodes)
        ctl.start()
    else:
        sys.stderr.write("simcluster: controllers/ not found, running the API only\n")

    def stop(signum, frame):
        sim.stopping = True
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sys.stdout.write("ready %s\n" % url)
    sys.stdout.flush()
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        sim.stopping = True
        with store.lock:
            store.cond.notify_all()
        if ctl is not None:
            try:
                ctl.stop()
            except Exception:  # shutting down anyway: say why the controllers did not stop cleanly
                traceback.print_exc()
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
