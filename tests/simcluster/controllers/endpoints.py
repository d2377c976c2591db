"""Endpoints and EndpointSlice controllers for Services."""

import json

from .core import deep_eq, owner_ref, pod_ready, rand5, wall


class Endpoints:
    # ------------------------------------------------------------ endpoints

    def sync_endpoints(self):
        services = self.store.list("services")
        pods_by_ns = {}
        for p in self.store.list("pods"):
            pods_by_ns.setdefault(p["metadata"]["namespace"], []).append(p)
        seen = set()
        for svc in services:
            md, spec = svc["metadata"], svc.get("spec") or {}
            sel = spec.get("selector")
            if not sel or spec.get("type") == "ExternalName":
                continue
            ns, name = md["namespace"], md["name"]
            seen.add((ns, name))
            publish = bool(spec.get("publishNotReadyAddresses"))
            groups = {}
            slice_eps = []
            for p in sorted(pods_by_ns.get(ns, []), key=lambda p: p["metadata"]["name"]):
                if not all((p["metadata"].get("labels") or {}).get(k) == v for k, v in sel.items()):
                    continue
                pst = p.get("status") or {}
                if not pst.get("podIP") or pst.get("phase") in ("Succeeded", "Failed"):
                    continue
                ports = []
                for sp in spec.get("ports") or []:
                    port = self.resolve_port(p, sp.get("targetPort", sp.get("port")))
                    if port is None:
                        continue
                    ep = {"port": port, "protocol": sp.get("protocol", "TCP")}
                    if sp.get("name"):
                        ep = {"name": sp["name"], **ep}
                    if sp.get("appProtocol"):
                        ep["appProtocol"] = sp["appProtocol"]
                    ports.append(ep)
                ready = pod_ready(p) or publish
                terminating = bool(p["metadata"].get("deletionTimestamp"))
                addr = {"ip": pst["podIP"], "nodeName": p["spec"].get("nodeName"),
                        "targetRef": {"kind": "Pod", "name": p["metadata"]["name"], "namespace": ns,
                                      "uid": p["metadata"]["uid"]}}
                if p["spec"].get("hostname"):
                    addr = {"hostname": p["spec"]["hostname"], **addr} if spec.get("clusterIP") == "None" else addr
                key = json.dumps(ports, sort_keys=True)
                g = groups.setdefault(key, {"ports": ports, "addresses": [], "notReadyAddresses": []})
                if not terminating:
                    g["addresses" if ready else "notReadyAddresses"].append(addr)
                slice_eps.append((ports, {"addresses": [pst["podIP"]],
                                          "conditions": {"ready": ready and not terminating,
                                                         "serving": pod_ready(p) or publish,
                                                         "terminating": terminating},
                                          "nodeName": p["spec"].get("nodeName"),
                                          "targetRef": addr["targetRef"]}))
            subsets = []
            for key in sorted(groups):
                g = groups[key]
                ss = {}
                if g["addresses"]:
                    ss["addresses"] = sorted(g["addresses"], key=lambda a: a["ip"])
                if g["notReadyAddresses"]:
                    ss["notReadyAddresses"] = sorted(g["notReadyAddresses"], key=lambda a: a["ip"])
                if not ss:
                    continue
                if g["ports"]:
                    ss["ports"] = g["ports"]
                subsets.append(ss)
            labels = dict(md.get("labels") or {})
            cur = self.store.get("endpoints", ns, name)
            want = {"apiVersion": "v1", "kind": "Endpoints",
                    "metadata": {"name": name, "namespace": ns}}
            if labels:
                want["metadata"]["labels"] = labels
            if subsets:
                want["subsets"] = subsets
            if cur is None:
                want["metadata"]["annotations"] = {"endpoints.kubernetes.io/last-change-trigger-time": wall()}
                if self._create_if_absent("endpoints", want) is not None:
                    self._endpoints_owned.add((ns, name))
            elif (cur.get("subsets") or []) != subsets or (cur["metadata"].get("labels") or {}) != labels:
                cur["subsets"] = subsets
                if not subsets:
                    cur.pop("subsets")
                if labels:
                    cur["metadata"]["labels"] = labels
                ann = dict(cur["metadata"].get("annotations") or {})
                ann["endpoints.kubernetes.io/last-change-trigger-time"] = wall()
                cur["metadata"]["annotations"] = ann
                self._update_meta_spec("endpoints", cur)
                self._endpoints_owned.add((ns, name))
            self.sync_slice(svc, slice_eps)
        for key in list(self._endpoints_owned):
            if key not in seen:
                self._endpoints_owned.discard(key)
                if self.store.get("endpoints", key[0], key[1]) is not None:
                    self._delete("endpoints", key[0], key[1])

    def sync_slice(self, svc, eps):
        md, spec = svc["metadata"], svc["spec"]
        ns, name = md["namespace"], md["name"]
        slices = [s for s in self.store.list("discovery.k8s.io/endpointslices", ns,
                                             {"kubernetes.io/service-name": name})
                  if (s["metadata"].get("labels") or {}).get("endpointslice.kubernetes.io/managed-by") ==
                  "endpointslice-controller.k8s.io"]
        ports = None
        endpoints = []
        for p, e in eps:
            if ports is None and p:
                ports = [{"name": x.get("name", ""), "port": x["port"], "protocol": x["protocol"]} for x in p]
            endpoints.append(e)
        labels = dict(md.get("labels") or {})
        labels.update({"endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                       "kubernetes.io/service-name": name})
        body = {"addressType": "IPv4", "endpoints": endpoints or None, "ports": ports}
        if not slices:
            s = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                 "metadata": {"name": "%s-%s" % (name, rand5()), "generateName": name + "-", "namespace": ns,
                              "labels": labels, "annotations": {
                                  "endpoints.kubernetes.io/last-change-trigger-time": wall()},
                              "ownerReferences": [owner_ref(svc)]}}
            s.update(body)
            self._create_if_absent("discovery.k8s.io/endpointslices", s)
            return
        s = slices[0]
        for extra in slices[1:]:
            self._delete("discovery.k8s.io/endpointslices", ns, extra["metadata"]["name"])
        cur = {k: s.get(k) for k in ("addressType", "endpoints", "ports")}
        if not deep_eq(cur, body) or (s["metadata"].get("labels") or {}) != labels:
            s.update(body)
            s["metadata"]["labels"] = labels
            ann = dict(s["metadata"].get("annotations") or {})
            ann["endpoints.kubernetes.io/last-change-trigger-time"] = wall()
            s["metadata"]["annotations"] = ann
            self._update_meta_spec("discovery.k8s.io/endpointslices", s)

    @staticmethod
    def resolve_port(pod, target):
        if isinstance(target, int):
            return target
        if isinstance(target, str) and target.isdigit():
            return int(target)
        for c in pod["spec"].get("containers") or []:
            for p in c.get("ports") or []:
                if p.get("name") == target:
                    return p.get("containerPort")
        return None
