"""Deployment and ReplicaSet controllers: rolling and recreate updates, progress deadline."""

import json

import store as storemod

from .core import (deep_eq, get_condition, int_or_percent, match_selector, owner_ref, pod_active, pod_ready,
                   rand5, set_condition, template_hash, wall)


class Deployments:
    # ------------------------------------------------------------ replicasets

    def sync_replicaset(self, rs, now):
        md, spec = rs["metadata"], rs.get("spec") or {}
        if md.get("deletionTimestamp"):
            return
        pods = [p for p in self.owned("pods", md["namespace"], md["uid"]) if pod_active(p)]
        want = int(spec.get("replicas", 1))
        if len(pods) < want:
            for _ in range(want - len(pods)):
                p = self.new_pod(spec.get("template") or {}, md["namespace"], "%s-%s" % (md["name"], rand5()),
                                 owner_ref(rs))
                try:
                    p = self._create("pods", p)
                except storemod.StoreError as e:
                    self.event(rs, "FailedCreate", "Error creating: %s" % e, "Warning",
                               component="replicaset-controller")
                    break
                pods.append(p)
                self.event(rs, "SuccessfulCreate", "Created pod: %s" % p["metadata"]["name"],
                           component="replicaset-controller")
        elif len(pods) > want:
            def rank(p):
                st = p.get("status") or {}
                return (0 if not p["spec"].get("nodeName") else 1,
                        {"Pending": 0, "Unknown": 1, "Running": 2}.get(st.get("phase"), 2),
                        1 if pod_ready(p) else 0,
                        -max((c.get("restartCount", 0) for c in st.get("containerStatuses") or []), default=0),
                        "".join(chr(255 - ord(ch)) for ch in p["metadata"].get("creationTimestamp", "")))
            pods.sort(key=rank)
            for p in pods[:len(pods) - want]:
                self._delete("pods", p["metadata"]["namespace"], p["metadata"]["name"])
                self.event(rs, "SuccessfulDelete", "Deleted pod: %s" % p["metadata"]["name"],
                           component="replicaset-controller")
            pods = pods[len(pods) - want:]
        min_ready = int(spec.get("minReadySeconds") or 0)
        ready = sum(1 for p in pods if pod_ready(p))
        avail = sum(1 for p in pods if self.pod_available(p, min_ready, now))
        st = {"replicas": len(pods)}
        if pods:
            st["fullyLabeledReplicas"] = sum(1 for p in pods if match_selector(p["metadata"].get("labels"),
                                                                               spec.get("selector")))
        if ready:
            st["readyReplicas"] = ready
        if avail:
            st["availableReplicas"] = avail
        st["observedGeneration"] = md.get("generation", 1)
        self._set_status("apps/replicasets", rs, st)

    # ------------------------------------------------------------ deployments

    def sync_deployment(self, d, now):
        md, spec = d["metadata"], d.get("spec") or {}
        if md.get("deletionTimestamp"):
            return
        ns, uid = md["namespace"], md["uid"]
        replicas = int(spec.get("replicas", 1))
        tmpl = spec.get("template") or {}
        collision = (d.get("status") or {}).get("collisionCount")
        h = template_hash(tmpl, collision)
        rss = self.owned("apps/replicasets", ns, uid)
        new_rs = None
        for rs in rss:
            if (rs["metadata"].get("labels") or {}).get("pod-template-hash") == h:
                new_rs = rs
        if new_rs is None:
            for rs in rss:
                t = json.loads(json.dumps(rs["spec"].get("template") or {}))
                (t.get("metadata") or {}).get("labels", {}).pop("pod-template-hash", None)
                if deep_eq(t, tmpl):
                    new_rs = rs
        olds = [rs for rs in rss if new_rs is None or rs["metadata"]["uid"] != new_rs["metadata"]["uid"]]
        olds.sort(key=lambda r: (r["metadata"].get("creationTimestamp", ""), r["metadata"]["name"]))
        revs = [int((r["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision", "0") or 0)
                for r in olds]
        max_old_rev = max(revs or [0])
        strategy = spec.get("strategy") or {}
        rolling = strategy.get("type", "RollingUpdate") == "RollingUpdate"
        ru = strategy.get("rollingUpdate") or {}
        surge = int_or_percent(ru.get("maxSurge", "25%"), replicas, True) if rolling else 0
        unavail = int_or_percent(ru.get("maxUnavailable", "25%"), replicas, False) if rolling else 0
        if rolling and surge == 0 and unavail == 0:
            unavail = 1
        paused = bool(spec.get("paused"))
        conds = list((d.get("status") or {}).get("conditions") or [])
        t = wall()
        pds = self.scenario.workload_setting(ns, "deployment", md["name"], "progressDeadlineSeconds")
        if pds is None:
            pds = spec.get("progressDeadlineSeconds", 600)
        created_new = False

        if new_rs is None and not paused:
            # the new ReplicaSet starts with what the strategy allows right away
            if rolling:
                total = sum(int(r["spec"].get("replicas", 0)) for r in olds)
                start = max(0, min(replicas, replicas + surge - total)) if olds else replicas
            else:
                start = 0 if any(int(r["spec"].get("replicas", 0)) or (r.get("status") or {}).get("replicas")
                                 for r in olds) else replicas
            labels = dict((tmpl.get("metadata") or {}).get("labels") or {})
            labels["pod-template-hash"] = h
            ntmpl = json.loads(json.dumps(tmpl))
            ntmpl.setdefault("metadata", {})["labels"] = labels
            sel = json.loads(json.dumps(spec.get("selector") or {}))
            sel.setdefault("matchLabels", {})["pod-template-hash"] = h
            ann = {k: v for k, v in (md.get("annotations") or {}).items()
                   if k not in ("kubectl.kubernetes.io/last-applied-configuration",
                                "deployment.kubernetes.io/revision")}
            ann.update({"deployment.kubernetes.io/desired-replicas": str(replicas),
                        "deployment.kubernetes.io/max-replicas": str(replicas + surge),
                        "deployment.kubernetes.io/revision": str(max_old_rev + 1)})
            rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                  "metadata": {"name": "%s-%s" % (md["name"], h), "namespace": ns, "labels": labels,
                               "annotations": ann, "ownerReferences": [owner_ref(d)]},
                  "spec": {"replicas": start, "selector": sel, "template": ntmpl}}
            if spec.get("minReadySeconds"):
                rs["spec"]["minReadySeconds"] = spec["minReadySeconds"]
            new_rs = self._create("apps/replicasets", rs)
            created_new = True
            if start > 0:
                self.event(d, "ScalingReplicaSet", "Scaled up replica set %s from 0 to %d"
                           % (new_rs["metadata"]["name"], start), component="deployment-controller")
            conds = set_condition(conds, "Progressing", "True", "NewReplicaSetCreated",
                                  'Created new replica set "%s"' % new_rs["metadata"]["name"], t,
                                  update_time=True, move_to_end=True)
            self._dprogress[uid] = now
        elif new_rs is not None:
            nann = new_rs["metadata"].get("annotations") or {}
            cur_rev = int(nann.get("deployment.kubernetes.io/revision", "0") or 0)
            want_ann = dict(nann)
            # copyDeploymentAnnotationsToReplicaSet: the Deployment's own annotations (change-cause...)
            for k, v in (md.get("annotations") or {}).items():
                if k not in ("kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision",
                             "deployment.kubernetes.io/revision-history", "deployment.kubernetes.io/desired-replicas",
                             "deployment.kubernetes.io/max-replicas", "deprecated.deployment.rollback.to"):
                    want_ann[k] = v
            if cur_rev <= max_old_rev:
                want_ann["deployment.kubernetes.io/revision"] = str(max_old_rev + 1)
            want_ann["deployment.kubernetes.io/desired-replicas"] = str(replicas)
            want_ann["deployment.kubernetes.io/max-replicas"] = str(replicas + surge)
            if want_ann != nann:
                new_rs["metadata"]["annotations"] = want_ann
                new_rs = self._update_meta_spec("apps/replicasets", new_rs)
                if cur_rev <= max_old_rev and cur_rev:
                    self._dprogress[uid] = now

        if new_rs is not None:
            rev = (new_rs["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision")
            dann = md.get("annotations") or {}
            if rev and dann.get("deployment.kubernetes.io/revision") != rev:
                d["metadata"]["annotations"] = dict(dann, **{"deployment.kubernetes.io/revision": rev})
                d = self._update_meta_spec("apps/deployments", d)
                md = d["metadata"]

        if not paused and new_rs is not None and not created_new:
            if rolling:
                self.rolling(d, new_rs, olds, replicas, surge, unavail)
            else:
                self.recreate(d, new_rs, olds, replicas)
        self.cleanup_old_rs(d, olds)

        # ---- status
        rss = self.owned("apps/replicasets", ns, uid)
        new_rs = next((r for r in rss if new_rs is not None and r["metadata"]["uid"] == new_rs["metadata"]["uid"]),
                      None)
        old_status = d.get("status") or {}
        st_replicas = sum((r.get("status") or {}).get("replicas", 0) for r in rss)
        updated = ((new_rs or {}).get("status") or {}).get("replicas", 0) if new_rs else 0
        ready = sum((r.get("status") or {}).get("readyReplicas", 0) for r in rss)
        avail = sum((r.get("status") or {}).get("availableReplicas", 0) for r in rss)
        st = {"observedGeneration": md.get("generation", 1)}
        for k, v in (("replicas", st_replicas), ("updatedReplicas", updated), ("readyReplicas", ready),
                     ("availableReplicas", avail), ("unavailableReplicas", max(0, replicas - avail))):
            if v:
                st[k] = v
        if old_status.get("collisionCount") is not None:
            st["collisionCount"] = old_status["collisionCount"]
        min_avail = replicas - unavail if rolling else replicas
        if avail >= min_avail:
            conds = set_condition(conds, "Available", "True", "MinimumReplicasAvailable",
                                  "Deployment has minimum availability.", t, update_time=True)
        else:
            conds = set_condition(conds, "Available", "False", "MinimumReplicasUnavailable",
                                  "Deployment does not have minimum availability.", t, update_time=True)
        name = new_rs["metadata"]["name"] if new_rs else md["name"]
        prog = get_condition({"status": {"conditions": conds}}, "Progressing")
        if paused:
            if not prog or prog.get("reason") != "DeploymentPaused":
                conds = set_condition(conds, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused",
                                      t, update_time=True, move_to_end=True)
        elif prog and prog.get("reason") == "DeploymentPaused":
            conds = set_condition(conds, "Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed",
                                  t, update_time=True, move_to_end=True)
            self._dprogress[uid] = now
        elif pds is not None:
            complete = (updated == replicas and avail == replicas and st_replicas == replicas)
            oldrep = old_status.get("replicas", 0) - old_status.get("updatedReplicas", 0)
            newold = st_replicas - updated
            progressing = (updated > old_status.get("updatedReplicas", 0) or
                           ready > old_status.get("readyReplicas", 0) or
                           avail > old_status.get("availableReplicas", 0) or newold < oldrep)
            if complete:
                if not prog or prog.get("reason") != "NewReplicaSetAvailable":
                    conds = set_condition(conds, "Progressing", "True", "NewReplicaSetAvailable",
                                          'ReplicaSet "%s" has successfully progressed.' % name, t,
                                          update_time=True, move_to_end=True, force_update=True)
            elif progressing and not created_new:
                conds = set_condition(conds, "Progressing", "True", "ReplicaSetUpdated",
                                      'ReplicaSet "%s" is progressing.' % name, t, update_time=True,
                                      move_to_end=True, force_update=True)
                self._dprogress[uid] = now
            elif prog and prog.get("reason") not in ("NewReplicaSetAvailable", "ProgressDeadlineExceeded"):
                last = self._dprogress.setdefault(uid, now)
                due = last + self.D(float(pds))
                if now >= due:
                    conds = set_condition(conds, "Progressing", "False", "ProgressDeadlineExceeded",
                                          'ReplicaSet "%s" has timed out progressing.' % name, t,
                                          update_time=True, move_to_end=True, force_update=True)
                else:
                    self.timer(due)
            elif prog is None:
                conds = set_condition(conds, "Progressing", "True", "ReplicaSetUpdated",
                                      'ReplicaSet "%s" is progressing.' % name, t, update_time=True,
                                      move_to_end=True)
                self._dprogress[uid] = now
        # order as the controller leaves them: Available, then Progressing (the last one updated)
        st["conditions"] = conds
        self._set_status("apps/deployments", d, st)

    def scale_rs(self, d, rs, n):
        old = int(rs["spec"].get("replicas", 0))
        if old == n:
            return rs
        rs["spec"] = dict(rs["spec"], replicas=n)
        rs = self._update_meta_spec("apps/replicasets", rs)
        self.event(d, "ScalingReplicaSet", "Scaled %s replica set %s from %d to %d"
                   % ("up" if n > old else "down", rs["metadata"]["name"], old, n),
                   component="deployment-controller")
        return rs

    def rolling(self, d, new_rs, olds, replicas, surge, unavail):
        # scale up the new ReplicaSet
        all_rs = [new_rs] + olds
        cur_new = int(new_rs["spec"].get("replicas", 0))
        if cur_new > replicas:
            new_rs = self.scale_rs(d, new_rs, replicas)
        elif cur_new < replicas:
            total = sum(int(r["spec"].get("replicas", 0)) for r in all_rs)
            allowed = replicas + surge - total
            if allowed > 0:
                new_rs = self.scale_rs(d, new_rs, cur_new + min(allowed, replicas - cur_new))
        if not olds:
            return
        # scale down old ReplicaSets (reconcileOldReplicaSets)
        all_rs = [new_rs] + olds
        old_count = sum(int(r["spec"].get("replicas", 0)) for r in olds)
        if old_count == 0:
            return
        all_count = sum(int(r["spec"].get("replicas", 0)) for r in all_rs)
        min_avail = replicas - unavail
        new_unavail = int(new_rs["spec"].get("replicas", 0)) - (new_rs.get("status") or {}).get(
            "availableReplicas", 0)
        max_down = all_count - min_avail - new_unavail
        if max_down <= 0:
            return
        cleaned = 0
        for i, r in enumerate(olds):
            if cleaned >= max_down:
                break
            sr = int(r["spec"].get("replicas", 0))
            av = (r.get("status") or {}).get("availableReplicas", 0)
            if sr == av or sr == 0:
                continue
            n = min(max_down - cleaned, sr - av)
            olds[i] = self.scale_rs(d, r, sr - n)
            cleaned += n
        all_avail = sum((r.get("status") or {}).get("availableReplicas", 0) for r in [new_rs] + olds)
        if all_avail <= min_avail:
            return
        total_down = min(all_avail - min_avail, max_down - cleaned)
        done = 0
        for i, r in enumerate(olds):
            if done >= total_down:
                break
            sr = int(r["spec"].get("replicas", 0))
            if sr == 0:
                continue
            n = min(sr, total_down - done)
            olds[i] = self.scale_rs(d, r, sr - n)
            done += n

    def recreate(self, d, new_rs, olds, replicas):
        for i, r in enumerate(olds):
            if int(r["spec"].get("replicas", 0)):
                olds[i] = self.scale_rs(d, r, 0)
        for r in olds:
            if self.owned("pods", r["metadata"]["namespace"], r["metadata"]["uid"]):
                return
        self.scale_rs(d, new_rs, replicas)

    def cleanup_old_rs(self, d, olds):
        limit = (d.get("spec") or {}).get("revisionHistoryLimit", 10)
        if limit is None:
            return
        dead = [r for r in olds if not int(r["spec"].get("replicas", 0)) and
                not (r.get("status") or {}).get("replicas")]
        dead.sort(key=lambda r: int((r["metadata"].get("annotations") or {}).get(
            "deployment.kubernetes.io/revision", "0") or 0))
        for r in dead[:max(0, len(dead) - int(limit))]:
            self._delete("apps/replicasets", r["metadata"]["namespace"], r["metadata"]["name"])
