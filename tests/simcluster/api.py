"""HTTP layer of the simulated API server: discovery, CRUD, watch, patch,
server-side apply, subresources, API faults."""

import base64
import json
import re
import select
import socket
import sys
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler

import openapi
import patch as patchmod
import protobuf
import registry
import schema
import ssa
import store as storemod
import tables
import validate
from store import StoreError, deepcopy

VERSION = {"major": "1", "minor": "32", "gitVersion": "v1.32.0", "gitCommit": "0000000000000000000000000000000000000000",
           "gitTreeState": "clean", "buildDate": "2024-12-11T00:00:00Z", "goVersion": "go1.23.3",
           "compiler": "gc", "platform": "linux/amd64"}
USER = "kubernetes-admin"

SUBRESOURCE_INFO = {
    "status": (None, ["get", "patch", "update"]),
    "scale": (("autoscaling", "v1", "Scale"), ["get", "patch", "update"]),
    "log": (None, ["get"]),
    "eviction": (("policy", "v1", "Eviction"), ["create"]),
    "exec": (("", "v1", "PodExecOptions"), ["create", "get"]),
    "attach": (("", "v1", "PodAttachOptions"), ["create", "get"]),
    "portforward": (("", "v1", "PodPortForwardOptions"), ["create", "get"]),
    "binding": (("", "v1", "Binding"), ["create"]),
    "ephemeralcontainers": (None, ["get", "patch", "update"]),
    "proxy": (("", "v1", None), ["create", "delete", "get", "patch", "update"]),
    "finalize": (None, ["update"]),
    "token": (("authentication.k8s.io", "v1", "TokenRequest"), ["create"]),
}


class HTTPError(Exception):
    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details


def status_obj(code, reason, message, details=None):
    s = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
         "reason": reason, "code": code}
    if details:
        s["details"] = details
    return s


def bad_request(msg):
    return HTTPError(400, "BadRequest", msg)


# ---------------------------------------------------------------- selectors

def parse_label_selector(s):
    """[(key, op, values)] ops: = != in notin exists !exists."""
    reqs = []
    if not s:
        return reqs
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    for p in parts:
        p = p.strip()
        if not p:
            continue
        m = re.match(r"^(\S+)\s+(in|notin)\s+\((.*)\)$", p)
        if m:
            reqs.append((m.group(1), m.group(2), [v.strip() for v in m.group(3).split(",") if v.strip()]))
        elif "!=" in p:
            k, v = p.split("!=", 1)
            reqs.append((k.strip(), "!=", [v.strip()]))
        elif "==" in p:
            k, v = p.split("==", 1)
            reqs.append((k.strip(), "=", [v.strip()]))
        elif "=" in p:
            k, v = p.split("=", 1)
            reqs.append((k.strip(), "=", [v.strip()]))
        elif p.startswith("!"):
            reqs.append((p[1:].strip(), "!exists", []))
        elif re.match(r"^[A-Za-z0-9._/-]+$", p):
            reqs.append((p, "exists", []))
        else:
            raise bad_request("unable to parse requirement: %s" % p)
    return reqs


def label_match(labels, reqs):
    labels = labels or {}
    for k, op, vals in reqs:
        has = k in labels
        v = labels.get(k)
        if op == "=" and v != vals[0]:
            return False
        if op == "!=" and v == vals[0]:
            return False
        if op == "in" and v not in vals:
            return False
        if op == "notin" and has and v in vals:
            return False
        if op == "exists" and not has:
            return False
        if op == "!exists" and has:
            return False
    return True


def selector_to_reqs(sel):
    """LabelSelector object -> requirements."""
    reqs = []
    for k, v in ((sel or {}).get("matchLabels") or {}).items():
        reqs.append((k, "=", [v]))
    for e in (sel or {}).get("matchExpressions") or []:
        op = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!exists"}.get(e.get("operator"))
        if op:
            reqs.append((e.get("key"), op, e.get("values") or []))
    return reqs


def parse_field_selector(s):
    reqs = []
    if not s:
        return reqs
    for p in s.split(","):
        p = p.strip()
        if not p:
            continue
        if "!=" in p:
            k, v = p.split("!=", 1)
            reqs.append((k.strip(), False, v.strip()))
        elif "==" in p:
            k, v = p.split("==", 1)
            reqs.append((k.strip(), True, v.strip()))
        elif "=" in p:
            k, v = p.split("=", 1)
            reqs.append((k.strip(), True, v.strip()))
        else:
            raise bad_request('invalid selector: \'%s\'; can\'t understand \'%s\'' % (s, p))
    return reqs


def field_value(obj, path):
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(part)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def field_match(obj, reqs):
    for k, eq, v in reqs:
        if (field_value(obj, k) == v) != eq:
            return False
    return True


# ---------------------------------------------------------------- version views

def to_version(res, obj, version):
    """Present a stored object through an API version."""
    r = registry.resource(res)
    obj["apiVersion"] = r.api_version(version)
    obj["kind"] = r.kind
    if res == "autoscaling/horizontalpodautoscalers" and version == "v1":
        spec = obj.get("spec") or {}
        for m in spec.pop("metrics", None) or []:
            t = ((m.get("resource") or {}).get("target") or {})
            if (m.get("resource") or {}).get("name") == "cpu" and "averageUtilization" in t:
                spec["targetCPUUtilizationPercentage"] = t["averageUtilization"]
        spec.pop("behavior", None)
        st = obj.get("status")
        if isinstance(st, dict):
            st.pop("conditions", None)
            st.pop("currentMetrics", None)
    return obj


def from_version(res, obj, version):
    if res == "autoscaling/horizontalpodautoscalers" and version == "v1":
        spec = obj.get("spec") or {}
        if "targetCPUUtilizationPercentage" in spec:
            spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": {
                "type": "Utilization", "averageUtilization": spec.pop("targetCPUUtilizationPercentage")}}}]
    return obj


def core_event_to_events_v1(ev):
    out = {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": ev.get("metadata", {}),
           "eventTime": ev.get("eventTime"), "reason": ev.get("reason"), "note": ev.get("message"),
           "type": ev.get("type"), "regarding": ev.get("involvedObject"),
           "reportingController": ev.get("reportingComponent") or (ev.get("source") or {}).get("component", ""),
           "reportingInstance": ev.get("reportingInstance", ""), "action": ev.get("action", "")}
    if ev.get("count", 1) > 1:
        out["deprecatedCount"] = ev.get("count")
        out["deprecatedFirstTimestamp"] = ev.get("firstTimestamp")
        out["deprecatedLastTimestamp"] = ev.get("lastTimestamp")
    return out


# ---------------------------------------------------------------- handler

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "simcluster"
    sim = None          # set by simcluster.py: object with .store .scenario .stats .port .verbose

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_message(self, fmt, *args):
        if self.sim.verbose:
            sys.stderr.write("simcluster: %s\n" % (fmt % args))

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_HEAD(self):
        self._dispatch("GET")

    # ------------------------------------------------------------ plumbing

    def _dispatch(self, method):
        self.method = method
        self.sent = False
        url = urllib.parse.urlsplit(self.path)
        self.upath = url.path
        self.q = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            self.body = b"".join(parts)
        else:
            n = int(self.headers.get("Content-Length") or 0)
            self.body = self.rfile.read(n) if n else b""
        try:
            self._route()
        except HTTPError as e:
            self.send_json(e.code, status_obj(e.code, e.reason, e.message, e.details))
        except StoreError as e:
            self.send_json(e.code, status_obj(e.code, e.reason, e.message, e.details()))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # never drop the connection: a 500 Status
            traceback.print_exc()
            if not self.sent:
                self.send_json(500, status_obj(500, "InternalError",
                                               "Internal error occurred: %s: %s" % (type(e).__name__, e)))
            else:
                self.close_connection = True

    def _hang(self):
        """Accepts the request and never answers, until the client gives up (or the simulator stops)."""
        self.close_connection = True
        conn = self.connection
        deadline = time.time() + 600
        while time.time() < deadline and not self.sim.stopping:
            r, _, _ = select.select([conn], [], [], 0.2)
            if r:
                try:
                    if not conn.recv(1, socket.MSG_PEEK):
                        return  # the client closed the connection
                except OSError:
                    return
                time.sleep(0.2)  # the client wrote more (HTTP/2 pings are not spoken here): keep waiting

    def send_json(self, code, obj, ctype="application/json", retry_after=None):
        body = json.dumps(obj, separators=(",", ":")).encode()
        self.send_response(code)
        if retry_after is not None:
            self.send_header("Retry-After", str(retry_after))
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Audit-Id", "sim-%d" % self.sim.stats_count())
        self.end_headers()
        self.sent = True
        if self.method != "HEAD":
            self.wfile.write(body)

    def json_body(self):
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if self.body.startswith(protobuf.MAGIC):
            try:
                return protobuf.decode(self.body)
            except (ValueError, IndexError) as e:
                raise HTTPError(415, "UnsupportedMediaType", str(e))
        if not self.body:
            raise bad_request("the body of the request was empty")
        try:
            return json.loads(self.body)
        except ValueError:
            if "yaml" in ctype:
                raise HTTPError(415, "UnsupportedMediaType", "the simulated API server accepts YAML bodies only "
                                "when they are JSON documents")
            raise bad_request("couldn't get version/kind; json parse error: invalid character in body")

    # ------------------------------------------------------------ routing

    def _route(self):
        sim = self.sim
        p = self.upath.rstrip("/") or "/"
        if p.startswith("/_sim"):
            return self._control(p)
        sim.count(self.method, p)
        faults = sim.faults()
        lat = faults.get("latencyMs") or 0
        if lat:
            time.sleep(lat / 1000.0)
        if sim.consume_error500():
            raise HTTPError(500, "InternalError",
                            "Internal error occurred: simulated server error (scenario fault error500)")
        if sim.consume_fault("error429"):
            # What API priority and fairness answers when a flow's queue is full.
            return self.send_json(429, status_obj(429, "TooManyRequests", "Too many requests, please try again "
                                                  "later.", {"retryAfterSeconds": 1}), retry_after=1)
        if self.method in ("PUT", "PATCH", "DELETE") and sim.consume_fault("error409"):
            raise HTTPError(409, "Conflict", "Operation cannot be fulfilled on %s: the object has been modified; "
                            "please apply your changes to the latest version and try again (scenario fault "
                            "error409)" % p.rsplit("/", 1)[-1])
        if sim.consume_fault("hang"):
            return self._hang()
        if p == "/version":
            return self.send_json(200, VERSION)
        if p in ("/healthz", "/readyz", "/livez"):
            body = b"ok"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.sent = True
            self.wfile.write(body)
            return
        if p == "/api":
            return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:%d" % sim.port}]})
        if p == "/apis":
            groups = []
            for g, versions, pref in registry.groups():
                groups.append({"name": g, "versions": [{"groupVersion": g + "/" + v, "version": v} for v in versions],
                               "preferredVersion": {"groupVersion": g + "/" + pref, "version": pref}})
            return self.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
        if p.startswith("/openapi"):
            return self._openapi(p)
        parts = [urllib.parse.unquote(x) for x in p.split("/")[1:]]
        if parts[0] == "api" and len(parts) >= 2:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[0] == "apis" and len(parts) >= 2:
            if len(parts) == 2:
                for g, versions, pref in registry.groups():
                    if g == parts[1]:
                        return self.send_json(200, {"kind": "APIGroup", "apiVersion": "v1", "name": g, "versions": [
                            {"groupVersion": g + "/" + v, "version": v} for v in versions],
                            "preferredVersion": {"groupVersion": g + "/" + pref, "version": pref}})
                raise HTTPError(404, "NotFound", "the server could not find the requested resource")
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise HTTPError(404, "NotFound", "the server could not find the requested resource")
        if not rest:
            return self._discovery(group, version)
        ns = None
        if rest[0] == "namespaces" and len(rest) >= 3 and registry.lookup(group, version, rest[2]) and \
                registry.lookup(group, version, rest[2]).namespaced:
            ns, rest = rest[1], rest[2:]
        r = registry.lookup(group, version, rest[0])
        if r is None:
            raise HTTPError(404, "NotFound", "the server could not find the requested resource")
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        if len(rest) > 3 or (sub and sub not in r.subresources):
            raise HTTPError(404, "NotFound", "the server could not find the requested resource")
        self.res, self.r, self.version, self.ns, self.name, self.sub = r.key, r, version, ns, name, sub
        verb = self._verb()
        self._authorize(verb, r, ns, name, sub)
        if r.key in registry.NON_STORED:
            if self.method != "POST":
                raise HTTPError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
            return self._access_review(r)
        if self.method == "GET":
            if name is None:
                if self.q.get("watch") in ("1", "true"):
                    return self._watch()
                return self._list()
            if sub == "log":
                return self._pod_log()
            if sub == "scale":
                return self.send_json(200, self._scale_of(self._get_obj()))
            return self._get()
        if self.method == "POST":
            if name is not None:
                if sub == "eviction":
                    return self._evict()
                raise HTTPError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
            return self._create()
        if self.method == "PUT":
            if name is None:
                raise HTTPError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
            return self._put()
        if self.method == "PATCH":
            if name is None:
                raise HTTPError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
            return self._patch()
        if self.method == "DELETE":
            if name is None:
                return self._delete_collection()
            return self._delete()
        raise HTTPError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    def _verb(self):
        m = self.method
        if m == "GET":
            if self.name is None:
                return "watch" if self.q.get("watch") in ("1", "true") else "list"
            return "get"
        return {"POST": "create", "PUT": "update", "PATCH": "patch",
                "DELETE": "delete" if self.name else "deletecollection"}[m]

    # ------------------------------------------------------------ faults and authorization

    def _forbidden_rule(self, verb, r, ns, sub=None):
        for rule in self.sim.faults().get("forbidden") or []:
            if rule.get("verb", "*") not in ("*", verb):
                continue
            if rule.get("resource", "*") not in ("*", r.plural, r.plural + "/" + (sub or "")):
                continue
            if rule.get("group", "") not in ("*", r.group):
                continue
            if rule.get("namespace") and ns and rule["namespace"] != ns:
                continue
            return rule
        return None

    def _authorize(self, verb, r, ns, name, sub):
        if self._forbidden_rule(verb, r, ns, sub):
            self._deny(verb, r, ns, name, sub)

    def _deny(self, verb, r, ns, name, sub):
        what = r.qualified + (' "%s"' % name if name else "")
        res = r.plural + ("/" + sub if sub else "")
        msg = '%s is forbidden: User "%s" cannot %s resource "%s" in API group "%s"' % (
            what, USER, verb, res, r.group)
        msg += ' in the namespace "%s"' % ns if ns else " at the cluster scope"
        d = {"kind": r.plural}
        if name:
            d["name"] = name
        if r.group:
            d["group"] = r.group
        raise HTTPError(403, "Forbidden", msg, d)

    def _access_review(self, r):
        body = self.json_body()
        spec = body.get("spec") or {}
        out = deepcopy(body)
        out["apiVersion"] = r.api_version(self.version)
        out["kind"] = r.kind
        md = out.setdefault("metadata", {})
        md["creationTimestamp"] = None
        if r.plural == "selfsubjectreviews":
            out["status"] = {"userInfo": {"username": USER, "groups": ["system:masters", "system:authenticated"]}}
            return self.send_json(201, out)
        if r.plural == "selfsubjectrulesreviews":
            out["status"] = {"resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
                             "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}], "incomplete": False}
            return self.send_json(201, out)
        ra = spec.get("resourceAttributes")
        allowed = True
        if ra:
            target = registry.BY_KEY.get((ra.get("group") + "/" if ra.get("group") else "") + (ra.get("resource") or ""))
            if target is None:
                target = registry.Resource(ra.get("group", ""), ["v1"], ra.get("resource", ""), "X")
            if self._forbidden_rule(ra.get("verb", ""), target, ra.get("namespace"), ra.get("subresource")):
                allowed = False
        out["status"] = {"allowed": allowed}
        return self.send_json(201, out)

    # ------------------------------------------------------------ control endpoint

    def _control(self, p):
        sim = self.sim
        if p == "/_sim/scenario":
            if self.method == "POST":
                try:
                    body = json.loads(self.body or b"{}")
                    sim.scenario_update(body)
                except ValueError as e:
                    raise bad_request("scenario: %s" % e)
            return self.send_json(200, sim.scenario_dump())
        if p == "/_sim/stats":
            return self.send_json(200, sim.stats_dump())
        if p == "/_sim/crash":
            raise RuntimeError("deliberate crash for the tests")
        if p == "/_sim/objects":
            with sim.store.lock:
                out = {res: len(t) for res, t in sim.store.objects.items()}
            return self.send_json(200, out)
        raise HTTPError(404, "NotFound", "unknown control endpoint")

    # ------------------------------------------------------------ discovery and openapi

    def _discovery(self, group, version):
        res = []
        for r in registry.RESOURCES:
            if r.group != group or version not in r.versions:
                continue
            d = {"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced, "kind": r.kind,
                 "verbs": r.verbs}
            if r.short:
                d["shortNames"] = r.short
            if r.categories:
                d["categories"] = r.categories
            d["storageVersionHash"] = base64.b64encode(r.key.encode())[:12].decode()
            res.append(d)
            for s in r.subresources:
                gvk, verbs = SUBRESOURCE_INFO[s]
                sd = {"name": r.plural + "/" + s, "singularName": "", "namespaced": r.namespaced,
                      "kind": r.kind, "verbs": verbs}
                if gvk:
                    if gvk[0] != group:
                        sd["group"] = gvk[0]
                    sd["version"] = gvk[1]
                    if gvk[2]:
                        sd["kind"] = gvk[2]
                res.append(sd)
        if not res:
            raise HTTPError(404, "NotFound", "the server could not find the requested resource")
        gv = version if not group else group + "/" + version
        return self.send_json(200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
                                    "resources": res})

    def _openapi(self, p):
        if p in ("/openapi/v2", "/swagger.json"):
            accept = [a.split(";")[0].strip() for a in (self.headers.get("Accept") or "*/*").split(",")]
            for a in accept:
                if a in ("application/json", "*/*", "application/*", ""):
                    pb = False
                elif a == "application/com.github.proto-openapi.spec.v2@v1.0+protobuf":
                    pb = True
                else:
                    continue
                body, ctype = openapi.document_v2(pb)
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-cache, private")
                self.send_header("Etag", '"%s"' % openapi.etag(body))
                self.send_header("Vary", "Accept")
                self.end_headers()
                self.sent = True
                if self.method != "HEAD":
                    self.wfile.write(body)
                return
            raise HTTPError(406, "NotAcceptable", "only the following media types are accepted: "
                            "application/json, application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
        doc = openapi.document(p, self.sim.port)
        if doc is None:
            raise HTTPError(404, "NotFound", "the server could not find the requested resource")
        return self.send_json(200, doc)

    # ------------------------------------------------------------ reading

    def _get_obj(self):
        obj = self.sim.store.get(self.res, self.ns, self.name)
        if obj is None:
            raise storemod.not_found(self.res, self.name)
        return obj

    def _present(self, obj):
        if self.res == "events" and self.r.group == "events.k8s.io":
            return core_event_to_events_v1(obj)
        return to_version(self.res, obj, self.version)

    def _wants_table(self):
        return "as=Table" in (self.headers.get("Accept") or "")

    def _get(self):
        obj = self._get_obj()
        if self._wants_table():
            return self.send_json(200, tables.table(self.res, [obj], self.q.get("includeObject", "Metadata"),
                                                    str(self.sim.store.current_rv())))
        return self.send_json(200, self._present(obj))

    def _select(self):
        lreqs = parse_label_selector(self.q.get("labelSelector", ""))
        freqs = parse_field_selector(self.q.get("fieldSelector", ""))
        return lreqs, freqs

    def _matches(self, obj, lreqs, freqs):
        if self.ns is not None and obj["metadata"].get("namespace") not in (None, self.ns):
            return False
        return label_match(obj["metadata"].get("labels"), lreqs) and field_match(obj, freqs)

    def _list(self):
        lreqs, freqs = self._select()
        st = self.sim.store
        with st.lock:
            rv = st.current_rv()
            items = [o for o in st.list(self.res, self.ns) if self._matches(o, lreqs, freqs)]
        start = 0
        cont = self.q.get("continue")
        if cont:
            try:
                c = json.loads(base64.urlsafe_b64decode(cont.encode() + b"==").decode())
                start = int(c["start"])
                rv = int(c["rv"])
            except (ValueError, KeyError, TypeError):  # base64, UTF-8, JSON, or not {"start", "rv"}: a genuine 400
                raise bad_request("continue key is not valid: invalid continue token")
        limit = int(self.q.get("limit") or 0)
        md = {"resourceVersion": str(rv)}
        page = items[start:]
        if limit and len(page) > limit:
            page = page[:limit]
            token = json.dumps({"start": start + limit, "rv": rv})
            md["continue"] = base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")
            md["remainingItemCount"] = len(items) - start - limit
        if self._wants_table():
            t = tables.table(self.res, page, self.q.get("includeObject", "Metadata"), str(rv))
            t["metadata"].update(md)
            return self.send_json(200, t)
        r = self.r
        gv = r.api_version(self.version)
        out = {"kind": r.kind + "List", "apiVersion": gv, "metadata": md,
               "items": [self._present(o) for o in page]}
        return self.send_json(200, out)

    # ------------------------------------------------------------ watch

    def _client_gone(self):
        try:
            rl, _, _ = select.select([self.connection], [], [], 0)
            if rl:
                data = self.connection.recv(1, socket.MSG_PEEK)
                return data == b""
        except (OSError, ValueError):
            return True
        return False

    def _chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _watch(self):
        st = self.sim.store
        lreqs, freqs = self._select()
        timeout = float(self.q.get("timeoutSeconds") or 1800)
        deadline = time.time() + timeout
        table = self._wants_table()
        rv_param = self.q.get("resourceVersion", "")
        initial = []
        with st.lock:
            cur_rv = st.current_rv()
            if rv_param in ("", "0") or self.q.get("sendInitialEvents") == "true":
                initial = [("ADDED", o) for o in st.list(self.res, self.ns) if self._matches(o, lreqs, freqs)]
                pos = cur_rv
            else:
                try:
                    pos = int(rv_param)
                except ValueError:
                    raise bad_request("invalid resource version: %s" % rv_param)
                st.events_since(pos)  # raises Gone when too old
        cut = self.sim.faults().get("watchCutAfter")
        sent = 0
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self.sent = True

        def emit(etype, obj):
            if table:
                o = tables.table(self.res, [obj], self.q.get("includeObject", "Metadata"),
                                 obj["metadata"].get("resourceVersion", ""))
                o.pop("metadata", None)
                o["metadata"] = {"resourceVersion": obj["metadata"].get("resourceVersion", "")}
            else:
                o = self._present(deepcopy(obj))
            self._chunk(json.dumps({"type": etype, "object": o}, separators=(",", ":")).encode() + b"\n")

        try:
            for etype, o in initial:
                emit(etype, o)
                sent += 1
                if cut and sent >= cut:
                    break
            if self.q.get("sendInitialEvents") == "true" and self.q.get("allowWatchBookmarks") == "true":
                self._chunk(json.dumps({"type": "BOOKMARK", "object": {
                    "kind": self.r.kind, "apiVersion": self.r.api_version(self.version), "metadata": {
                        "resourceVersion": str(pos),
                        "annotations": {"k8s.io/initial-events-end": "true"}}}}).encode() + b"\n")
            last_ping = time.time()
            while not (cut and sent >= cut):
                with st.lock:
                    try:
                        evs = st.events_since(pos)
                    except StoreError:
                        evs = None
                    if evs is not None and not evs:
                        st.cond.wait(timeout=1.0)
                        evs = st.events_since(pos)
                if evs is None:
                    self._chunk(json.dumps({"type": "ERROR", "object": status_obj(
                        410, "Expired", "too old resource version")}).encode() + b"\n")
                    break
                for rv, etype, res, obj, prev in evs:
                    pos = rv
                    if res != self.res:
                        continue
                    # as the API server's watch cache does: an object that starts matching the selectors
                    # is ADDED, one that stops matching is DELETED (its previous content, the event's
                    # resourceVersion)
                    if etype == "DELETED":
                        cur_ok, old_ok = False, self._matches(obj, lreqs, freqs)
                    elif etype == "ADDED":
                        cur_ok, old_ok = self._matches(obj, lreqs, freqs), False
                    else:
                        cur_ok = self._matches(obj, lreqs, freqs)
                        old_ok = self._matches(prev, lreqs, freqs) if prev is not None else cur_ok
                    if cur_ok and not old_ok:
                        emit("ADDED", obj)
                    elif cur_ok:
                        emit(etype, obj)
                    elif old_ok:
                        gone = deepcopy(prev if prev is not None and etype != "DELETED" else obj)
                        gone["metadata"]["resourceVersion"] = obj["metadata"]["resourceVersion"]
                        emit("DELETED", gone)
                    else:
                        continue
                    sent += 1
                    if cut and sent >= cut:
                        break
                if time.time() >= deadline or self.sim.stopping:
                    break
                if time.time() - last_ping > 1.0:
                    last_ping = time.time()
                    if self._client_gone():
                        self.close_connection = True
                        return
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    # ------------------------------------------------------------ writing helpers

    def _dry(self):
        v = self.q.get("dryRun")
        if v and v != "All":
            raise bad_request('dryRun: Unsupported value: "%s": supported values: "All"' % v)
        return v == "All"

    def _manager(self, default=None):
        m = self.q.get("fieldManager")
        if m:
            return m
        if default:
            return default
        ua = self.headers.get("User-Agent") or "unknown"
        return ua.split("/")[0]

    def _validate(self, obj, strict_prefix):
        mode = self.q.get("fieldValidation", "")
        if mode not in ("Strict", "Warn", "Ignore", ""):
            raise bad_request('fieldValidation: Unsupported value: "%s": supported values: "Ignore", "Strict", '
                              '"Warn"' % mode)
        errs = schema.type_errors(self.res, obj)
        if errs:
            p, v, want = errs[0]
            raise bad_request('%s in version "%s" cannot be handled as a %s: json: cannot unmarshal %s into '
                              'Go struct field %s of type %s' % (self.r.kind, self.version, self.r.kind,
                                                                 _json_type(v), p, want))
        unknown = schema.unknown_fields(self.res, obj, self.version)
        if not unknown:
            return
        if mode == "Strict":
            raise bad_request(strict_prefix + ", ".join('unknown field "%s"' % u for u in unknown))
        if mode in ("Warn", ""):
            self.warnings = ['unknown field "%s"' % u for u in unknown]

    def _check_meta(self, obj):
        if not isinstance(obj, dict):
            raise bad_request("the body of the request was not an object")
        kind = obj.get("kind")
        av = obj.get("apiVersion")
        r = self.r
        if kind and kind != r.kind:
            raise bad_request("the API version in the data (%s) does not match the expected API version (%s)"
                              % (av, r.api_version(self.version))) if av != r.api_version(self.version) else \
                bad_request('%s in version "%s" cannot be handled as a %s: no kind "%s" is registered for '
                            'version "%s"' % (r.kind, self.version, r.kind, kind, av))
        md = obj.setdefault("metadata", {})
        if not isinstance(md, dict):
            raise bad_request("metadata must be an object")
        if r.namespaced:
            if md.get("namespace") and self.ns and md["namespace"] != self.ns:
                raise bad_request("the namespace of the provided object does not match the namespace sent on "
                                  "the request")
            if self.ns:
                md["namespace"] = self.ns
        return obj

    def _respond_obj(self, code, obj):
        w = getattr(self, "warnings", None)
        out = self._present(obj)
        if w:
            body = json.dumps(out, separators=(",", ":")).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for x in w:
                self.send_header("Warning", '299 - "%s"' % x.replace('"', '\\"'))
            self.end_headers()
            self.sent = True
            self.wfile.write(body)
            return
        self.send_json(code, out)

    # ------------------------------------------------------------ create / update / patch / delete

    def _create(self):
        obj = from_version(self.res, self._check_meta(self.json_body()), self.version)
        self._validate(obj, '%s in version "%s" cannot be handled as a %s: strict decoding error: '
                       % (self.r.kind, self.version, self.r.kind))
        schema.normalize(self.res, obj)
        dry = self._dry()
        st = self.sim.store
        obj.pop("status", None) if self.r.has_status and self.res != "pods" else None
        if self.res == "pods":
            obj.pop("status", None)
        with st.lock:
            md = obj["metadata"]
            md.pop("managedFields", None)
            md.pop("resourceVersion", None)
            out = st.create(self.res, obj, dry_run=True)
            validate.check(self.res, out)
            out["metadata"]["managedFields"] = ssa.track_update(
                self.res, None, out, self._manager(), self.r.api_version(self.version))
            if not out["metadata"]["managedFields"]:
                del out["metadata"]["managedFields"]
            obj["metadata"]["managedFields"] = out["metadata"].get("managedFields")
            if not obj["metadata"]["managedFields"]:
                del obj["metadata"]["managedFields"]
            if not dry:
                out = st.create(self.res, obj)
        return self._respond_obj(201, out)

    def _put(self):
        obj = from_version(self.res, self._check_meta(self.json_body()), self.version)
        st = self.sim.store
        dry = self._dry()
        if obj.get("metadata", {}).get("name") and obj["metadata"]["name"] != self.name:
            raise bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                              % (obj["metadata"]["name"], self.name))
        obj["metadata"]["name"] = self.name
        if self.sub == "scale":
            return self._put_scale(obj, dry)
        self._validate(obj, '%s in version "%s" cannot be handled as a %s: strict decoding error: '
                       % (self.r.kind, self.version, self.r.kind))
        if self.res in registry.CONDITIONAL_UPDATE and not obj["metadata"].get("resourceVersion"):
            kind = self.r.plural + ("." + self.r.group if self.r.group else "")
            raise HTTPError(422, "Invalid", '%s "%s" is invalid: metadata.resourceVersion: Invalid value: 0x0: '
                            'must be specified for an update' % (kind, self.name),
                            {"name": self.name, "group": self.r.group, "kind": self.r.plural,
                             "causes": [{"reason": "FieldValueInvalid", "field": "metadata.resourceVersion",
                                         "message": "Invalid value: 0x0: must be specified for an update"}]})
        with st.lock:
            old = self._get_obj()
            return self._write(old, obj, dry, 200)

    def _write(self, old, new, dry, code):
        """Store new (a full object) as an Update by the request's field manager."""
        st = self.sim.store
        sub = self.sub if self.sub in ("status",) else None
        sent_spec = deepcopy(new.get("spec"))
        schema.normalize(self.res, new)
        given = new.get("metadata", {}).get("managedFields")
        probe = st.update(self.res, new, subresource=sub, dry_run=True)
        if sub is None:
            validate.check(self.res, probe, old)
        if given and given != old["metadata"].get("managedFields") and sub is None:
            # a request that sets managedFields explicitly (kubectl's client-side-apply upgrade) gets them as
            # given, plus the fields this write changed
            tmp = deepcopy(old)
            tmp["metadata"]["managedFields"] = given
            mf = ssa.track_update(self.res, tmp, probe, self._manager(), self.r.api_version(self.version), sub)
        else:
            mf = ssa.track_update(self.res, old, probe, self._manager(), self.r.api_version(self.version), sub)
        if mf:
            new["metadata"]["managedFields"] = mf
        else:
            new["metadata"].pop("managedFields", None)
        if sub == "status":
            out = st.update(self.res, new, subresource="status", dry_run=dry)
        else:
            out = st.update(self.res, new, dry_run=dry, sent_spec=sent_spec)
        return self._respond_obj(code, out)

    def _patch(self):
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        dry = self._dry()
        st = self.sim.store
        if ctype == "application/apply-patch+yaml":
            return self._apply(dry)
        try:
            p = json.loads(self.body or b"null")
        except ValueError:
            raise bad_request("error decoding patch: invalid JSON")
        with st.lock:
            old = self._get_obj()
            if self.sub == "scale":
                cur = self._scale_of(old)
            else:
                cur = self._present(deepcopy(old))
            try:
                if ctype == "application/json-patch+json":
                    new = patchmod.json_patch(cur, p)
                elif ctype == "application/merge-patch+json":
                    if not isinstance(p, dict):
                        raise patchmod.PatchError("patch must be an object")
                    new = patchmod.merge_patch(cur, p)
                elif ctype == "application/strategic-merge-patch+json":
                    if not isinstance(p, dict):
                        raise patchmod.PatchError("patch must be an object")
                    if self.q.get("fieldValidation") == "Strict":
                        unknown = schema.unknown_fields(self.res, patchmod._strip_directives(p), self.version)
                        if unknown:
                            raise bad_request("strict decoding error: " + ", ".join(
                                'unknown field "%s"' % u for u in unknown))
                    new = patchmod.strategic_merge(self.res, cur, p)
                else:
                    raise HTTPError(415, "UnsupportedMediaType",
                                    'the body of the request was in an unknown format - accepted media types '
                                    'include: application/json-patch+json, application/merge-patch+json, '
                                    'application/apply-patch+yaml, application/strategic-merge-patch+json')
            except patchmod.PatchError as e:
                raise HTTPError(422 if ctype == "application/json-patch+json" else 400,
                                "Invalid" if ctype == "application/json-patch+json" else "BadRequest", str(e))
            if self.sub == "scale":
                return self._put_scale(new, dry)
            new = from_version(self.res, new, self.version)
            if not isinstance(new, dict) or not isinstance(new.get("metadata"), dict):
                raise bad_request("patch removed the object's metadata")
            new["metadata"]["name"] = old["metadata"]["name"]
            if old["metadata"].get("namespace"):
                new["metadata"]["namespace"] = old["metadata"]["namespace"]
            if ctype != "application/strategic-merge-patch+json":
                self._validate(new, "strict decoding error: ")
            if "resourceVersion" not in ((p if isinstance(p, dict) else {}).get("metadata") or {}) and \
                    ctype != "application/json-patch+json":
                new["metadata"].pop("resourceVersion", None)
            return self._write(old, new, dry, 200)

    def _apply(self, dry):
        st = self.sim.store
        applied = self.json_body()
        if not isinstance(applied, dict):
            raise bad_request("the body of the request was not an object")
        r = self.r
        if applied.get("apiVersion") != r.api_version(self.version) or applied.get("kind") != r.kind:
            raise bad_request("the API version in the data (%s) does not match the expected API version (%s)"
                              % (applied.get("apiVersion"), r.api_version(self.version))
                              if applied.get("apiVersion") != r.api_version(self.version) else
                              "unable to find api field in struct %s for the json field \"%s\""
                              % (r.kind, applied.get("kind")))
        manager = self.q.get("fieldManager")
        if not manager:
            raise HTTPError(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required "
                            "value: is required for apply patch")
        force = self.q.get("force") == "true"
        md = applied.setdefault("metadata", {})
        if md.get("name") and md["name"] != self.name:
            raise bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                              % (md["name"], self.name))
        md["name"] = self.name
        if r.namespaced:
            if md.get("namespace") and md["namespace"] != self.ns:
                raise bad_request("the namespace of the provided object does not match the namespace sent on "
                                  "the request")
            md["namespace"] = self.ns
        applied = from_version(self.res, applied, self.version)
        unknown = schema.unknown_fields(self.res, applied, self.version)
        if unknown:
            ident = "%s/%s" % (self.ns, self.name) if self.ns else self.name
            gvk = "%s, Kind=%s" % (r.api_version(self.version), r.kind)
            msgs = ".%s: field not declared in schema" % unknown[0]
            raise bad_request("failed to create typed patch object (%s; %s): %s" % (ident, gvk, msgs))
        with st.lock:
            live = st.get(self.res, self.ns, self.name)
            if live is None and self._forbidden_rule("create", r, self.ns):
                self._deny("create", r, self.ns, None, None)
            try:
                merged, entries = ssa.apply(self.res, live, applied, manager, force, r.api_version(self.version))
            except ssa.ApplyConflict as e:
                raise HTTPError(409, "Conflict", e.message(), {"name": self.name, "group": r.group, "kind": r.plural,
                                                               "causes": e.causes()} if r.group else
                                {"name": self.name, "kind": r.plural, "causes": e.causes()})
            sent_spec = deepcopy(merged.get("spec"))
            schema.normalize(self.res, merged)
            if live is None:
                merged["metadata"]["managedFields"] = ssa.finish(entries, None, merged, manager)
                merged.pop("status", None)
                validate.check(self.res, st.create(self.res, merged, dry_run=True))
                out = st.create(self.res, merged, dry_run=dry)
                return self._respond_obj(201, out)
            merged["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]
            probe = st.update(self.res, merged, dry_run=True, sent_spec=sent_spec)
            validate.check(self.res, probe, live)
            probe_old = deepcopy(live)
            merged["metadata"]["managedFields"] = ssa.finish(entries, probe_old, probe, manager)
            out = st.update(self.res, merged, dry_run=dry, sent_spec=sent_spec)
            return self._respond_obj(200, out)

    def _delete_options(self):
        opts = {}
        if self.body:
            try:
                opts = self.json_body()
            except HTTPError:
                opts = {}
        if not isinstance(opts, dict):
            opts = {}
        prop = opts.get("propagationPolicy") or self.q.get("propagationPolicy")
        if opts.get("orphanDependents") is True or self.q.get("orphanDependents") == "true":
            prop = prop or "Orphan"
        prop = prop or "Background"
        if prop not in ("Orphan", "Foreground", "Background"):
            raise HTTPError(422, "Invalid", 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported '
                            'value: "%s": supported values: "Foreground", "Background", "Orphan", "nil"' % prop)
        grace = opts.get("gracePeriodSeconds")
        if grace is None and self.q.get("gracePeriodSeconds") not in (None, ""):
            try:
                grace = int(self.q["gracePeriodSeconds"])
            except ValueError:
                raise bad_request("invalid gracePeriodSeconds")
        dry = self._dry() or opts.get("dryRun") == ["All"]
        return opts, prop, grace, dry

    def _delete(self):
        st = self.sim.store
        opts, prop, grace, dry = self._delete_options()
        pre = opts.get("preconditions") or {}
        with st.lock:
            old = self._get_obj()
            if pre.get("uid") and pre["uid"] != old["metadata"]["uid"]:
                raise HTTPError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": Precondition failed: '
                                'UID in precondition: %s, UID in object meta: %s' % (
                                    self.r.qualified, self.name, pre["uid"], old["metadata"]["uid"]))
            if pre.get("resourceVersion") and pre["resourceVersion"] != old["metadata"]["resourceVersion"]:
                raise HTTPError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": Precondition failed: '
                                'ResourceVersion in precondition: %s, ResourceVersion in object meta: %s' % (
                                    self.r.qualified, self.name, pre["resourceVersion"],
                                    old["metadata"]["resourceVersion"]))
            out = st.delete(self.res, self.ns, self.name, propagation=prop, dry_run=dry, grace=grace)
            still = None if dry else st.get(self.res, self.ns, self.name)
        if still is not None or dry or self.res in ("pods", "namespaces"):
            # graceful deletion, finalizers, dry run: the object as it is now; pods: the deleted object
            return self.send_json(200, self._present(still if still is not None else out))
        d = {"name": self.name, "kind": self.r.plural, "uid": old["metadata"]["uid"]}
        if self.r.group:
            d["group"] = self.r.group
        return self.send_json(200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                                    "details": d})

    def _delete_collection(self):
        st = self.sim.store
        lreqs, freqs = self._select()
        opts, prop, grace, dry = self._delete_options()
        with st.lock:
            items = [o for o in st.list(self.res, self.ns) if self._matches(o, lreqs, freqs)]
            for o in items:
                try:
                    st.delete(self.res, o["metadata"].get("namespace"), o["metadata"]["name"], propagation=prop,
                              dry_run=dry, grace=grace)
                except StoreError:
                    pass
        return self.send_json(200, {"kind": self.r.kind + "List", "apiVersion": self.r.api_version(self.version),
                                    "metadata": {"resourceVersion": str(st.current_rv())},
                                    "items": [self._present(o) for o in items]})

    # ------------------------------------------------------------ subresources

    def _scale_of(self, obj):
        spec = obj.get("spec") or {}
        stt = obj.get("status") or {}
        sel = spec.get("selector") or {}
        sel_str = ",".join("%s=%s" % kv for kv in sorted((sel.get("matchLabels") or {}).items()))
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {"name": obj["metadata"]["name"], "namespace": obj["metadata"].get("namespace"),
                             "uid": obj["metadata"]["uid"], "resourceVersion": obj["metadata"]["resourceVersion"],
                             "creationTimestamp": obj["metadata"]["creationTimestamp"]},
                "spec": {"replicas": spec.get("replicas", 1)},
                "status": {"replicas": stt.get("replicas", 0), "selector": sel_str}}

    def _put_scale(self, scale, dry):
        st = self.sim.store
        with st.lock:
            old = self._get_obj()
            want = (scale.get("metadata") or {}).get("resourceVersion")
            if want and want != old["metadata"]["resourceVersion"]:
                raise storemod.conflict(self.res, self.name)
            reps = (scale.get("spec") or {}).get("replicas")
            if not isinstance(reps, int) or reps < 0:
                raise HTTPError(422, "Invalid", 'Scale.autoscaling "%s" is invalid: spec.replicas: Invalid value: '
                                '%s: must be greater than or equal to 0' % (self.name, json.dumps(reps)))
            new = deepcopy(old)
            new["spec"]["replicas"] = reps
            new["metadata"].pop("resourceVersion", None)
            mf = ssa.track_update(self.res, old, new, self._manager(), self.r.api_version(self.version))
            if mf:
                new["metadata"]["managedFields"] = mf
            out = st.update(self.res, new, dry_run=dry)
        return self.send_json(200, self._scale_of(out))

    def _evict(self):
        st = self.sim.store
        with st.lock:
            self._get_obj()
            body = {}
            try:
                body = self.json_body() if self.body else {}
            except HTTPError:
                pass
            grace = ((body or {}).get("deleteOptions") or {}).get("gracePeriodSeconds")
            if not self._dry():
                st.delete(self.res, self.ns, self.name, grace=grace)
        return self.send_json(201, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                                    "code": 201})

    def _pod_log(self):
        st = self.sim.store
        pod = self._get_obj()
        spec = pod.get("spec") or {}
        names = [c["name"] for c in spec.get("containers") or []]
        init = [c["name"] for c in spec.get("initContainers") or []]
        container = self.q.get("container")
        if not container:
            if len(names) == 1:
                container = names[0]
            else:
                raise bad_request("a container name must be specified for pod %s, choose one of: [%s]"
                                  % (self.name, " ".join(names)) + (" or one of the init containers: [%s]"
                                                                    % " ".join(init) if init else ""))
        if container not in names and container not in init:
            raise bad_request("container %s is not valid for pod %s" % (container, self.name))
        previous = self.q.get("previous") == "true"
        if not spec.get("nodeName"):
            # not scheduled: the API server has no kubelet to ask and answers with an empty log
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.sent = True
            return
        statuses = (pod.get("status") or {}).get("containerStatuses", []) + \
            (pod.get("status") or {}).get("initContainerStatuses", [])
        cs = next((s for s in statuses if s.get("name") == container), None)
        key = (self.ns, self.name, container, previous)
        with st.lock:
            text = st.pod_logs.get(key)
        if previous:
            if text is None:
                raise bad_request('previous terminated container "%s" in pod "%s" not found' % (container, self.name))
        else:
            state = (cs or {}).get("state") or {}
            if cs is None or ("waiting" in state and text is None):
                reason = ((state.get("waiting") or {}).get("reason")) or "ContainerCreating"
                if reason in ("ImagePullBackOff", "ErrImagePull"):
                    raise bad_request('container "%s" in pod "%s" is waiting to start: trying and failing to pull '
                                      'image' % (container, self.name))
                if reason == "CreateContainerConfigError":
                    raise bad_request('container "%s" in pod "%s" is waiting to start: CreateContainerConfigError'
                                      % (container, self.name))
                raise bad_request('container "%s" in pod "%s" is waiting to start: %s'
                                  % (container, self.name, reason))
        text = text or ""
        lines = text.splitlines(True)
        if self.q.get("timestamps") == "true":
            started = (((cs or {}).get("state") or {}).get("running") or ((cs or {}).get("state") or {}).get(
                "terminated") or {}).get("startedAt") or pod["metadata"].get("creationTimestamp", "")
            stamp = started.replace("Z", ".000000000Z")
            lines = ["%s %s" % (stamp, ln) for ln in lines]
        tail = self.q.get("tailLines")
        if tail is not None:
            n = int(tail)
            lines = lines[-n:] if n > 0 else []
        lb = self.q.get("limitBytes")
        out = "".join(lines).encode()
        if lb:
            out = out[:int(lb)]
        follow = self.q.get("follow") == "true"
        if not follow:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.sent = True
            self.wfile.write(out)
            return
        # follow: stream what is there, then appended text, until the container stops running
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.sent = True
        try:
            if out:
                self._chunk(out)
            seen = len(text)
            while not self.sim.stopping:
                with st.lock:
                    st.cond.wait(timeout=0.5)
                    cur = st.pod_logs.get(key) or ""
                    p = st.get(self.res, self.ns, self.name)
                if len(cur) > seen:
                    self._chunk(cur[seen:].encode())
                    seen = len(cur)
                if p is None:
                    break
                sts = (p.get("status") or {}).get("containerStatuses", [])
                c = next((s for s in sts if s.get("name") == container), None)
                if c is None or "running" not in (c.get("state") or {}):
                    break
                if self._client_gone():
                    self.close_connection = True
                    return
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True


def _json_type(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return "null"
