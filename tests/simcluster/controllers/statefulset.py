"""StatefulSet controller: ordered pods, volumeClaimTemplates, ControllerRevisions."""

import json

import store as storemod

from .core import owner_ref, pod_ready, qos_class, template_hash


class StatefulSets:
    # ------------------------------------------------------------ statefulsets

    def sync_statefulset(self, s, now):
        md, spec = s["metadata"], s.get("spec") or {}
        if md.get("deletionTimestamp"):
            return
        ns, name, uid = md["namespace"], md["name"], md["uid"]
        replicas = int(spec.get("replicas", 1))
        start = int((spec.get("ordinals") or {}).get("start", 0) or 0)
        tmpl = spec.get("template") or {}
        h = template_hash(tmpl)
        update_rev = "%s-%s" % (name, h)
        sel_labels = dict((spec.get("selector") or {}).get("matchLabels") or {})
        self.ensure_revision(s, tmpl, update_rev, h, (tmpl.get("metadata") or {}).get("labels") or {})
        old_status = s.get("status") or {}
        current_rev = old_status.get("currentRevision") or update_rev
        us = spec.get("updateStrategy") or {}
        ondelete = us.get("type") == "OnDelete"
        partition = int(((us.get("rollingUpdate") or {}).get("partition")) or 0)
        parallel = spec.get("podManagementPolicy") == "Parallel"
        pods = {}
        for p in self.owned("pods", ns, uid):
            try:
                ordinal = int(p["metadata"]["name"].rsplit("-", 1)[1])
            except (IndexError, ValueError):
                continue
            pods[ordinal] = p

        def healthy(p):
            return (p.get("status") or {}).get("phase") == "Running" and pod_ready(p) and \
                not p["metadata"].get("deletionTimestamp")

        def rev_of(p):
            return (p["metadata"].get("labels") or {}).get("controller-revision-hash")

        wanted = list(range(start, start + replicas))
        # replace failed pods, create missing ones
        for i in wanted:
            p = pods.get(i)
            if p is not None and (p.get("status") or {}).get("phase") in ("Failed", "Succeeded"):
                self._delete("pods", ns, p["metadata"]["name"])
                self.event(s, "SuccessfulDelete", "delete Pod %s in StatefulSet %s successful"
                           % (p["metadata"]["name"], name), component="statefulset-controller")
                del pods[i]
                if not parallel:
                    break
            if p is None or i not in pods:
                rev = update_rev if ondelete or (i - start) >= partition else current_rev
                t = self.revision_template(ns, rev) or tmpl
                pod = self.sts_pod(s, t, i, rev)
                claims = self.sts_claims(s, i)
                try:
                    pod = self._create("pods", pod)
                except storemod.StoreError as e:
                    self._log("creating pod %s" % pod["metadata"]["name"], e)
                    break
                pods[i] = pod
                msg = "create Pod %s in StatefulSet %s successful" % (pod["metadata"]["name"], name)
                if claims:
                    self.event(s, "SuccessfulCreate", "create Claim %s Pod %s in StatefulSet %s success"
                               % (",".join(claims), pod["metadata"]["name"], name),
                               component="statefulset-controller")
                self.event(s, "SuccessfulCreate", msg, component="statefulset-controller")
                if not parallel:
                    break
            elif not healthy(p) and not parallel:
                break
        # scale down: highest ordinal first
        extra = sorted((i for i in pods if i not in wanted), reverse=True)
        if extra and (parallel or all(healthy(pods[i]) for i in wanted if i in pods)):
            for i in (extra if parallel else extra[:1]):
                self._delete("pods", ns, pods[i]["metadata"]["name"])
                self.event(s, "SuccessfulDelete", "delete Pod %s in StatefulSet %s successful"
                           % (pods[i]["metadata"]["name"], name), component="statefulset-controller")
                del pods[i]
        # rolling update: one pod at a time, highest ordinal first, only when all are healthy
        elif not ondelete and all(i in pods and healthy(pods[i]) for i in wanted):
            for i in sorted(wanted, reverse=True):
                if i - start < partition:
                    break
                if rev_of(pods[i]) != update_rev:
                    self._delete("pods", ns, pods[i]["metadata"]["name"])
                    self.event(s, "SuccessfulDelete", "delete Pod %s in StatefulSet %s successful"
                               % (pods[i]["metadata"]["name"], name), component="statefulset-controller")
                    del pods[i]
                    break
        live = [p for p in pods.values() if not p["metadata"].get("deletionTimestamp")]
        min_ready = int(spec.get("minReadySeconds") or 0)
        st = {"observedGeneration": md.get("generation", 1), "replicas": len(live)}
        ready = sum(1 for p in live if pod_ready(p))
        avail = sum(1 for p in live if self.pod_available(p, min_ready, now))
        cur = sum(1 for p in live if rev_of(p) == current_rev)
        upd = sum(1 for p in live if rev_of(p) == update_rev)
        if (not ondelete and upd == len(live) == replicas and ready == replicas) or \
                (ondelete and upd == len(live) == replicas):
            current_rev, cur = update_rev, upd
        if ready:
            st["readyReplicas"] = ready
        if cur:
            st["currentReplicas"] = cur
        if upd:
            st["updatedReplicas"] = upd
        st["currentRevision"] = current_rev
        st["updateRevision"] = update_rev
        st["collisionCount"] = old_status.get("collisionCount", 0)
        st["availableReplicas"] = avail
        self._set_status("apps/statefulsets", s, st)

    def sts_pod(self, s, tmpl, i, rev):
        md, spec = s["metadata"], s["spec"]
        pname = "%s-%d" % (md["name"], i)
        pod = self.new_pod(tmpl, md["namespace"], pname, owner_ref(s),
                           {"controller-revision-hash": rev, "statefulset.kubernetes.io/pod-name": pname,
                            "apps.kubernetes.io/pod-index": str(i)})
        pspec = pod["spec"]
        pspec["hostname"] = pname
        if spec.get("serviceName"):
            pspec["subdomain"] = spec["serviceName"]
        vols = pspec.setdefault("volumes", [])
        for ct in spec.get("volumeClaimTemplates") or []:
            cname = ct["metadata"]["name"]
            vols[:] = [v for v in vols if v.get("name") != cname]
            vols.insert(0, {"name": cname, "persistentVolumeClaim": {"claimName": "%s-%s" % (cname, pname)}})
        pod["status"]["qosClass"] = qos_class(pod)
        return pod

    def sts_claims(self, s, i):
        md, spec = s["metadata"], s["spec"]
        made = []
        for ct in spec.get("volumeClaimTemplates") or []:
            cname = "%s-%s-%d" % (ct["metadata"]["name"], md["name"], i)
            if self.store.get("persistentvolumeclaims", md["namespace"], cname) is not None:
                continue
            labels = dict((spec.get("selector") or {}).get("matchLabels") or {})
            labels.update((ct.get("metadata") or {}).get("labels") or {})
            pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                   "metadata": {"name": cname, "namespace": md["namespace"], "labels": labels},
                   "spec": json.loads(json.dumps(ct.get("spec") or {})), "status": {"phase": "Pending"}}
            if (ct.get("metadata") or {}).get("annotations"):
                pvc["metadata"]["annotations"] = dict(ct["metadata"]["annotations"])
            pol = spec.get("persistentVolumeClaimRetentionPolicy") or {}
            if pol.get("whenDeleted") == "Delete":
                pvc["metadata"]["ownerReferences"] = [dict(owner_ref(s), controller=True)]
            if self._create_if_absent("persistentvolumeclaims", pvc) is not None:
                made.append(cname)
        return made
