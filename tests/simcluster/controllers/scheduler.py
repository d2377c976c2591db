"""Scheduler: binds pending pods to nodes by resource requests, selectors and volumes."""

from .core import parse_quantity, pod_active, pod_requests, qos_class, set_condition, wall


class Scheduler:
    # ------------------------------------------------------------ scheduler

    def schedule(self, now):
        nodes = self.nodes()
        if not nodes:
            return
        pods = self.store.list("pods")
        used = {n["metadata"]["name"]: [0.0, 0.0, 0] for n in nodes}
        for p in pods:
            nn = p["spec"].get("nodeName")
            if nn in used and pod_active(p):
                cpu, mem = pod_requests(p)
                used[nn][0] += cpu
                used[nn][1] += mem
                used[nn][2] += 1
        live = {p["metadata"]["uid"] for p in pods}
        for uid in list(self._sched):
            if uid not in live:
                del self._sched[uid]
        for p in pods:
            if p["spec"].get("nodeName") or not pod_active(p) or \
                    p["spec"].get("schedulerName", "default-scheduler") != "default-scheduler":
                continue
            node, msg = self.fit(p, nodes, used)
            md = p["metadata"]
            if node:
                p["spec"]["nodeName"] = node
                p = self._update_meta_spec("pods", p)
                cpu, mem = pod_requests(p)
                used[node][0] += cpu
                used[node][1] += mem
                used[node][2] += 1
                st = dict(p.get("status") or {})
                st["conditions"] = set_condition(
                    [c for c in st.get("conditions") or [] if c.get("type") != "PodScheduled"],
                    "PodScheduled", "True", now=wall(), probe=True)
                st["qosClass"] = qos_class(p)
                self._set_status("pods", p, st)
                self._sched.pop(md["uid"], None)
                self.event(p, "Scheduled", "Successfully assigned %s/%s to %s" % (md["namespace"], md["name"], node),
                           component="default-scheduler", v1=True)
                continue
            prev = self._sched.get(md["uid"])
            if prev is None or prev[0] != msg or now >= prev[1]:
                self.event(p, "FailedScheduling", msg, "Warning", component="default-scheduler", v1=True)
                self._sched[md["uid"]] = (msg, now + self.D(60))
                st = dict(p.get("status") or {})
                st["phase"] = "Pending"
                st["conditions"] = set_condition(st.get("conditions") or [], "PodScheduled", "False",
                                                 "Unschedulable", msg, wall(), probe=True)
                st["qosClass"] = qos_class(p)
                self._set_status("pods", p, st)
            self.timer(self._sched[md["uid"]][1])

    def fit(self, pod, nodes, used):
        n = len(nodes)
        ns = pod["metadata"]["namespace"]
        not_helpful = "%d Preemption is not helpful for scheduling" % n
        for v in pod["spec"].get("volumes") or []:
            claim = (v.get("persistentVolumeClaim") or {}).get("claimName")
            if not claim:
                continue
            pvc = self.store.get("persistentvolumeclaims", ns, claim)
            if pvc is None:
                return None, ('0/%d nodes are available: persistentvolumeclaim "%s" not found. preemption: 0/%d '
                              'nodes are available: %s.' % (n, claim, n, not_helpful))
            if pvc["metadata"].get("deletionTimestamp"):
                return None, ('0/%d nodes are available: persistentvolumeclaim "%s" is being deleted. preemption: '
                              '0/%d nodes are available: %s.' % (n, claim, n, not_helpful))
            if (pvc.get("status") or {}).get("phase") != "Bound":
                return None, ("0/%d nodes are available: pod has unbound immediate PersistentVolumeClaims. "
                              "preemption: 0/%d nodes are available: %s." % (n, n, not_helpful))
        cpu, mem = pod_requests(pod)
        forced = set()
        for c in pod["spec"].get("containers") or []:
            b = self.behaviour(pod, c, None)
            ins = b.get("insufficient")
            if ins:
                forced.update([ins] if isinstance(ins, str) else ins)
        reasons, preempt = {}, {}
        fits = []
        nsel = pod["spec"].get("nodeSelector") or {}
        pinned = self.ds_pod_node(pod) if not pod["spec"].get("nodeName") else None
        for node in nodes:
            name = node["metadata"]["name"]
            labels = node["metadata"].get("labels") or {}
            if any(labels.get(k) != v for k, v in nsel.items()) or (pinned and pinned != name) or \
                    not self.affinity_ok(pod, node):
                r = "node(s) didn't match Pod's node affinity/selector"
                reasons[r] = reasons.get(r, 0) + 1
                preempt["Preemption is not helpful for scheduling"] = preempt.get(
                    "Preemption is not helpful for scheduling", 0) + 1
                continue
            alloc = (node.get("status") or {}).get("allocatable") or {}
            u = used[name]
            node_reasons = []
            if u[2] + 1 > parse_quantity(alloc.get("pods", "110")):
                node_reasons.append("Too many pods")
            if "cpu" in forced or (cpu and u[0] + cpu > parse_quantity(alloc.get("cpu", "0")) + 1e-9):
                node_reasons.append("Insufficient cpu")
            if "memory" in forced or (mem and u[1] + mem > parse_quantity(alloc.get("memory", "0"))):
                node_reasons.append("Insufficient memory")
            if node_reasons:
                for r in node_reasons:
                    reasons[r] = reasons.get(r, 0) + 1
                preempt["No preemption victims found for incoming pod"] = preempt.get(
                    "No preemption victims found for incoming pod", 0) + 1
                continue
            fits.append((u[0] / max(parse_quantity(alloc.get("cpu", "1")), 1e-9) + u[2] * 0.01, name))
        if fits:
            fits.sort()
            return fits[0][1], None
        parts = sorted("%d %s" % (c, r) for r, c in reasons.items())
        pparts = sorted("%d %s" % (c, r) for r, c in preempt.items())
        return None, "0/%d nodes are available: %s. preemption: 0/%d nodes are available: %s." % (
            n, ", ".join(parts), n, ", ".join(pparts))

    @staticmethod
    def affinity_ok(pod, node):
        try:
            terms = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
                "nodeSelectorTerms"]
        except (KeyError, TypeError):
            return True
        labels = node["metadata"].get("labels") or {}
        for t in terms:
            ok = True
            for e in t.get("matchExpressions") or []:
                k, op, vals = e.get("key"), e.get("operator"), e.get("values") or []
                if op == "In" and labels.get(k) not in vals or op == "NotIn" and labels.get(k) in vals or \
                        op == "Exists" and k not in labels or op == "DoesNotExist" and k in labels:
                    ok = False
            for f in t.get("matchFields") or []:
                if f.get("key") == "metadata.name":
                    if f.get("operator") == "In" and node["metadata"]["name"] not in (f.get("values") or []):
                        ok = False
            if ok:
                return True
        return False
