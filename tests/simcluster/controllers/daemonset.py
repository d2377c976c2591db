"""DaemonSet controller: one pod per schedulable node, rolling updates."""

import store as storemod

from .core import int_or_percent, owner_ref, pod_ready, rand5, template_hash


class DaemonSets:
    # ------------------------------------------------------------ daemonsets

    def sync_daemonset(self, ds, now):
        md, spec = ds["metadata"], ds.get("spec") or {}
        if md.get("deletionTimestamp"):
            return
        ns, name, uid = md["namespace"], md["name"], md["uid"]
        tmpl = spec.get("template") or {}
        h = template_hash(tmpl)
        gen = md.get("generation", 1)
        self.ensure_revision(ds, tmpl, "%s-%s" % (name, h), h, (tmpl.get("metadata") or {}).get("labels") or {})
        nsel = (tmpl.get("spec") or {}).get("nodeSelector") or {}
        nodes = [n for n in self.nodes() if all((n["metadata"].get("labels") or {}).get(k) == v
                                                 for k, v in nsel.items())]
        node_names = {n["metadata"]["name"] for n in nodes}
        by_node = {}
        for p in self.owned("pods", ns, uid):
            if p["metadata"].get("deletionTimestamp"):
                continue
            by_node.setdefault(self.ds_pod_node(p), []).append(p)
        for node, pods in list(by_node.items()):
            if node not in node_names:
                for p in pods:
                    self._delete("pods", ns, p["metadata"]["name"])
                    self.event(ds, "SuccessfulDelete", "Deleted pod: %s" % p["metadata"]["name"],
                               component="daemonset-controller")
                del by_node[node]
                continue
            for p in list(pods):
                if (p.get("status") or {}).get("phase") == "Failed":
                    self.event(ds, "FailedDaemonPod", "Found failed daemon pod %s/%s on node %s, will try to kill it"
                               % (ns, p["metadata"]["name"], node), "Warning", component="daemonset-controller")
                    self._delete("pods", ns, p["metadata"]["name"])
                    pods.remove(p)
            for p in pods[1:]:
                self._delete("pods", ns, p["metadata"]["name"])
                pods.remove(p)
        for n in sorted(node_names):
            if by_node.get(n):
                continue
            pod = self.new_pod(tmpl, ns, "%s-%s" % (name, rand5()), owner_ref(ds),
                               {"controller-revision-hash": h, "pod-template-generation": str(gen)})
            aff = pod["spec"].setdefault("affinity", {})
            aff["nodeAffinity"] = {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [n]}]}]}}
            tol = pod["spec"]["tolerations"]
            for k, eff in (("node.kubernetes.io/disk-pressure", "NoSchedule"),
                           ("node.kubernetes.io/memory-pressure", "NoSchedule"),
                           ("node.kubernetes.io/pid-pressure", "NoSchedule"),
                           ("node.kubernetes.io/unschedulable", "NoSchedule")):
                tol.append({"effect": eff, "key": k, "operator": "Exists"})
            for t in tol:
                if t.get("key") in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
                    t.pop("tolerationSeconds", None)
            try:
                pod = self._create("pods", pod)
            except storemod.StoreError as e:
                self._log("creating pod %s" % pod["metadata"]["name"], e)
                continue
            by_node[n] = [pod]
            self.event(ds, "SuccessfulCreate", "Created pod: %s" % pod["metadata"]["name"],
                       component="daemonset-controller")
        min_ready = int(spec.get("minReadySeconds") or 0)
        us = spec.get("updateStrategy") or {}
        if us.get("type", "RollingUpdate") == "RollingUpdate":
            max_unavail = int_or_percent((us.get("rollingUpdate") or {}).get("maxUnavailable", 1),
                                         len(node_names), True) or 1
            unavailable = sum(1 for n in node_names
                              if not any(self.pod_available(p, min_ready, now) for p in by_node.get(n, [])))
            for n in sorted(node_names):
                if unavailable >= max_unavail:
                    break
                for p in by_node.get(n, []):
                    if (p["metadata"].get("labels") or {}).get("controller-revision-hash") != h:
                        self._delete("pods", ns, p["metadata"]["name"])
                        self.event(ds, "SuccessfulDelete", "Deleted pod: %s" % p["metadata"]["name"],
                                   component="daemonset-controller")
                        by_node[n] = []
                        unavailable += 1
        desired = len(node_names)
        current = sum(1 for n in node_names if by_node.get(n))
        ready = sum(1 for n in node_names if any(pod_ready(p) for p in by_node.get(n, [])))
        updated = sum(1 for n in node_names if any((p["metadata"].get("labels") or {}).get(
            "controller-revision-hash") == h for p in by_node.get(n, [])))
        avail = sum(1 for n in node_names if any(self.pod_available(p, min_ready, now)
                                                 for p in by_node.get(n, [])))
        st = {"currentNumberScheduled": current, "desiredNumberScheduled": desired, "numberMisscheduled": 0,
              "numberReady": ready, "observedGeneration": gen}
        if updated:
            st["updatedNumberScheduled"] = updated
        if avail:
            st["numberAvailable"] = avail
        if desired - avail > 0:
            st["numberUnavailable"] = desired - avail
        self._set_status("apps/daemonsets", ds, st)

    @staticmethod
    def ds_pod_node(p):
        if p["spec"].get("nodeName"):
            return p["spec"]["nodeName"]
        try:
            terms = p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
                "nodeSelectorTerms"]
            for t in terms:
                for f in t.get("matchFields") or []:
                    if f.get("key") == "metadata.name":
                        return f["values"][0]
        except (KeyError, TypeError, IndexError):
            pass
        return None
