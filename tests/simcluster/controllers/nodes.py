"""Nodes: the scenario's node list turned into Node objects with capacity and conditions."""

from .core import fake_id, wall


class Nodes:
    # ------------------------------------------------------------ nodes

    def node_config(self):
        n = self.scenario.cluster().get("nodes") or {}
        if isinstance(n, int):
            n = {"count": n}
        return {"count": int(n.get("count", self.default_nodes)), "cpu": str(n.get("cpu", "4")),
                "memory": str(n.get("memory", "16Gi")), "pods": str(n.get("pods", "110"))}

    def node_object(self, i, cfg):
        name = "node-%d" % i
        cap = {"cpu": cfg["cpu"], "ephemeral-storage": "102350Mi", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
               "memory": cfg["memory"], "pods": cfg["pods"]}
        t = wall()
        conds = [
            ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ]
        return {
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {
                "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux"},
                "annotations": {"node.alpha.kubernetes.io/ttl": "0",
                                "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
            "spec": {"podCIDR": "10.244.%d.0/24" % i, "podCIDRs": ["10.244.%d.0/24" % i],
                     "providerID": "sim://%s" % name},
            "status": {
                "addresses": [{"address": "172.18.0.%d" % (i + 1), "type": "InternalIP"},
                              {"address": name, "type": "Hostname"}],
                "allocatable": dict(cap), "capacity": dict(cap),
                "conditions": [{"type": c, "status": s, "reason": r, "message": m, "lastHeartbeatTime": t,
                                "lastTransitionTime": t} for c, s, r, m in conds],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "nodeInfo": {"architecture": "amd64", "bootID": fake_id(name)[:36],
                             "containerRuntimeVersion": "containerd://1.7.24", "kernelVersion": "6.1.0-28-amd64",
                             "kubeProxyVersion": "v1.32.0", "kubeletVersion": "v1.32.0",
                             "machineID": fake_id(name)[:32], "operatingSystem": "linux",
                             "osImage": "Debian GNU/Linux 12 (bookworm)", "systemUUID": fake_id(name)[:36]},
            }}

    def sync_nodes(self):
        cfg = self.node_config()
        have = {n["metadata"]["name"]: n for n in self.store.list("nodes")}
        for i in range(1, cfg["count"] + 1):
            name = "node-%d" % i
            want = self.node_object(i, cfg)
            if name not in have:
                self._create("nodes", want)
            else:
                cur = have[name]
                st = cur.get("status") or {}
                if st.get("capacity", {}).get("cpu") != cfg["cpu"] or \
                        st.get("capacity", {}).get("memory") != cfg["memory"] or \
                        st.get("capacity", {}).get("pods") != cfg["pods"]:
                    st = dict(st)
                    st["capacity"] = want["status"]["capacity"]
                    st["allocatable"] = want["status"]["allocatable"]
                    self._set_status("nodes", cur, st)
        for name in have:
            if name.startswith("node-") and name[5:].isdigit() and int(name[5:]) > cfg["count"]:
                self._delete("nodes", None, name)

    def nodes(self):
        return [n for n in self.store.list("nodes") if not n["metadata"].get("deletionTimestamp")]
