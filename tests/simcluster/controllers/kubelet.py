"""Kubelets: sandboxes, image pulls, containers, probes, restarts, logs and pod status."""

import sys
import traceback

import scenario as scenario_mod
import store as storemod

from .core import (MAX_BACKOFF, controller_ref, fake_digest, fake_id, fnv32a, go_duration, qos_class,
                   set_condition, wall)


# ---------------------------------------------------------------- kubelet state

class CRun:
    """The kubelet's memory of one container."""

    def __init__(self, name, init=False, sidecar=False):
        self.name = name
        self.init = init
        self.sidecar = sidecar
        self.stage = "new"
        self.next_at = 0.0
        self.waiting = ("PodInitializing" if init else "ContainerCreating", None)
        self.restarts = 0
        self.cid = None
        self.started_at = None
        self.run_since = None
        self.ready = False
        self.started = False
        self.term = None
        self.last = None
        self.pull_fail = 0
        self.pull_backoff_until = 0.0
        self.crashes = 0
        self.crash_backoff = 0
        self.exit_at = None
        self.exit_code = 0
        self.image = None
        self.image_id = None
        self.next_probe = 0.0
        self.ever_ran = False
        self.logs = ""


class PRun:
    def __init__(self, pod, now):
        md = pod["metadata"]
        self.uid = md["uid"]
        self.ns = md["namespace"]
        self.name = md["name"]
        self.node = pod["spec"]["nodeName"]
        self.stage = "new"
        self.t0 = now
        self.next_at = now
        self.start_time = None
        self.ip = None
        self.sandbox = False
        self.final = False
        self.stop_at = None
        self.chain = None
        self.stopping = False
        self.terminal = False
        self.gone = False
        self.next_mount_event = 0.0
        spec = pod["spec"]
        self.inits = [CRun(c["name"], True, c.get("restartPolicy") == "Always")
                      for c in spec.get("initContainers") or []]
        self.mains = [CRun(c["name"]) for c in spec.get("containers") or []]
        self.conds = []
        if not self.inits:
            for c in self.mains:
                c.waiting = ("ContainerCreating", None)


class Kubelets:
    # ------------------------------------------------------------ scenario lookups

    def workload_chain(self, pod):
        md = pod["metadata"]
        chain = [("pod", md["name"])]
        ref = controller_ref(pod)
        if ref:
            kind = ref.get("kind", "").lower()
            chain.append((kind, ref.get("name")))
            if kind == "replicaset":
                rs = self.store.get("apps/replicasets", md["namespace"], ref.get("name"))
                r2 = controller_ref(rs) if rs else None
                if r2:
                    chain.append((r2.get("kind", "").lower(), r2.get("name")))
        return chain

    def behaviour(self, pod, cspec, chain):
        if chain is None:
            chain = self.workload_chain(pod)
        return self.scenario.behaviour(cspec.get("image"), chain, pod["metadata"]["namespace"], cspec["name"])

    # ------------------------------------------------------------ kubelets

    def kubelets(self, now):
        pods = self.store.list("pods")
        live = set()
        for pod in pods:
            uid = pod["metadata"]["uid"]
            live.add(uid)
            if not pod["spec"].get("nodeName"):
                continue
            try:
                self.kubelet_pod(pod, now)
            except Exception:
                self.errors += 1
                traceback.print_exc(file=sys.stderr)
        for uid in list(self._pods):
            if uid not in live:
                del self._pods[uid]
                self._ready_at.pop(uid, None)

    def pod_ip(self, node):
        try:
            idx = int(node.split("-")[-1])
        except ValueError:
            idx = 99
        n = self._node_ips.get(node, 1) + 1
        self._node_ips[node] = n
        return "10.244.%d.%d" % (idx, (n - 2) % 253 + 2)

    def node_ip(self, node):
        try:
            return "172.18.0.%d" % (int(node.split("-")[-1]) + 1)
        except ValueError:
            return "172.18.0.200"

    def kubelet_pod(self, pod, now):
        md, spec = pod["metadata"], pod["spec"]
        pr = self._pods.get(md["uid"])
        if pr is None:
            pr = self._pods[md["uid"]] = PRun(pod, now)
            pr.next_at = now + self.D(0.3)
        if md.get("deletionTimestamp"):
            return self.kubelet_stop(pod, pr, now)
        if pr.final:
            return
        ev_pod = pod
        if pr.stage == "new":
            if now < pr.next_at:
                self.timer(pr.next_at)
                return
            pr.stage = "volumes"
            pr.start_time = wall()
            pr.next_at = now + self.D(0.8)
        if pr.stage == "volumes":
            err = self.mount_error(pod)
            if err:
                if now >= pr.next_mount_event:
                    self.event(ev_pod, "FailedMount", err, "Warning", host=pr.node)
                    pr.next_mount_event = now + self.D(16)
                self.timer(pr.next_mount_event)
            elif now >= pr.next_at:
                pr.stage = "run"
                pr.sandbox = True
                pr.ip = self.pod_ip(pr.node)
            else:
                self.timer(pr.next_at)
        if pr.stage == "run":
            chain = pr.chain = self.workload_chain(pod)   # kept: the owners may be gone when the pod stops
            cspecs = {c["name"]: c for c in spec.get("initContainers") or []}
            mspecs = {c["name"]: c for c in spec.get("containers") or []}
            inits_done = True
            for c in pr.inits:
                if c.sidecar:
                    self.step_container(pod, pr, c, cspecs[c.name], chain, now)
                    if not c.started:
                        inits_done = False
                        break
                    continue
                if c.stage == "done" and c.term and c.term.get("exitCode") == 0:
                    continue
                self.step_container(pod, pr, c, cspecs[c.name], chain, now)
                if not (c.stage == "done" and c.term and c.term.get("exitCode") == 0):
                    inits_done = False
                    break
            if inits_done:
                for c in pr.mains:
                    if c.waiting and c.waiting[0] == "PodInitializing" and c.stage == "new":
                        c.waiting = ("ContainerCreating", None)
                    self.step_container(pod, pr, c, mspecs[c.name], chain, now)
        self.write_pod_status(pod, pr, now)

    def kubelet_stop(self, pod, pr, now):
        """Graceful termination: the kubelet sends SIGTERM to the running containers (event Killing),
        they stop after their behaviour's stopSeconds (simulated, default 2) or are killed when the
        grace period ends (exit 137), the pod gets its terminal phase and the kubelet deletes it
        with grace period 0 (it stays while finalizers remain)."""
        md, spec = pod["metadata"], pod["spec"]
        if pr.gone:
            return
        grace = md.get("deletionGracePeriodSeconds") or 0
        if pr.stop_at is None:
            stop = 0.0
            chain = pr.chain if pr.chain is not None else self.workload_chain(pod)
            specs = {c["name"]: c for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])}
            for c in pr.inits + pr.mains:
                if c.stage != "running":
                    continue
                beh = self.behaviour(pod, specs[c.name], chain)
                secs = beh.get("stopSeconds", 2)
                c.stop_after = min(float(secs), float(grace))
                c.killed = float(secs) >= grace > 0 or (grace == 0 and float(secs) > 0)
                stop = max(stop, c.stop_after)
                self.cevent(pod, c, "Killing", "Stopping container %s" % c.name)
            pr.stop_at = now + self.D(stop)
            pr.stopping = True
        if now < pr.stop_at:
            self.timer(pr.stop_at)
            return
        if pr.stage != "new":
            t = wall()
            for c in pr.inits + pr.mains:
                if c.stage == "running":
                    code = 137 if getattr(c, "killed", False) else 0
                    c.term = {"exitCode": code, "reason": "Error" if code else "Completed", "startedAt": c.started_at,
                              "finishedAt": t, "containerID": c.cid}
                    c.stage = "done"
                    c.ready = False
                elif c.stage not in ("done", "exited") and c.term is None:
                    c.waiting = (c.waiting or ("ContainerCreating", None))
            pr.terminal = True
            cur = self.store.get("pods", md["namespace"], md["name"])
            if cur is not None and cur["metadata"].get("uid") == md["uid"]:
                self.write_pod_status(cur, pr, now)
        pr.gone = True
        self._wrote = True
        try:
            self.store.delete("pods", md["namespace"], md["name"], grace=0)
        except storemod.NotFound:
            pass

    def mount_error(self, pod):
        ns = pod["metadata"]["namespace"]
        for v in pod["spec"].get("volumes") or []:
            if "secret" in v:
                s = v["secret"] or {}
                if not s.get("optional") and self.store.get("secrets", ns, s.get("secretName")) is None:
                    return 'MountVolume.SetUp failed for volume "%s" : secret "%s" not found' % (
                        v["name"], s.get("secretName"))
            if "configMap" in v:
                c = v["configMap"] or {}
                if not c.get("optional") and self.store.get("configmaps", ns, c.get("name")) is None:
                    return 'MountVolume.SetUp failed for volume "%s" : configmap "%s" not found' % (
                        v["name"], c.get("name"))
        return None

    def config_error(self, pod, cspec, beh):
        ns = pod["metadata"]["namespace"]
        forced = beh.get("configError")
        if forced:
            if isinstance(forced, str):
                return forced
            if forced.get("secret"):
                if forced.get("key"):
                    return "couldn't find key %s in Secret %s/%s" % (forced["key"], ns, forced["secret"])
                return 'secret "%s" not found' % forced["secret"]
            if forced.get("configMap"):
                if forced.get("key"):
                    return "couldn't find key %s in ConfigMap %s/%s" % (forced["key"], ns, forced["configMap"])
                return 'configmap "%s" not found' % forced["configMap"]
            if forced.get("message"):
                return forced["message"]
        for ef in cspec.get("envFrom") or []:
            if ef.get("secretRef") and not ef["secretRef"].get("optional"):
                if self.store.get("secrets", ns, ef["secretRef"].get("name")) is None:
                    return 'secret "%s" not found' % ef["secretRef"].get("name")
            if ef.get("configMapRef") and not ef["configMapRef"].get("optional"):
                if self.store.get("configmaps", ns, ef["configMapRef"].get("name")) is None:
                    return 'configmap "%s" not found' % ef["configMapRef"].get("name")
        for e in cspec.get("env") or []:
            vf = e.get("valueFrom") or {}
            sk = vf.get("secretKeyRef")
            if sk and not sk.get("optional"):
                sec = self.store.get("secrets", ns, sk.get("name"))
                if sec is None:
                    return 'secret "%s" not found' % sk.get("name")
                if sk.get("key") not in (sec.get("data") or {}) and sk.get("key") not in (sec.get("stringData") or {}):
                    return "couldn't find key %s in Secret %s/%s" % (sk.get("key"), ns, sk.get("name"))
            ck = vf.get("configMapKeyRef")
            if ck and not ck.get("optional"):
                cm = self.store.get("configmaps", ns, ck.get("name"))
                if cm is None:
                    return 'configmap "%s" not found' % ck.get("name")
                if ck.get("key") not in (cm.get("data") or {}) and ck.get("key") not in (cm.get("binaryData") or {}):
                    return "couldn't find key %s in ConfigMap %s/%s" % (ck.get("key"), ns, ck.get("name"))
        return None

    @staticmethod
    def pull_error(beh, image):
        pe = beh.get("pullError")
        if not pe:
            return None
        ref = scenario_mod.normalize_image(image)
        if pe is True or pe == "notfound":
            return ('rpc error: code = NotFound desc = failed to pull and unpack image "%s": failed to resolve '
                    'reference "%s": %s: not found' % (ref, ref, ref))
        if pe == "unauthorized":
            return ('rpc error: code = Unknown desc = failed to pull and unpack image "%s": failed to resolve '
                    'reference "%s": pull access denied, repository does not exist or may require '
                    'authorization: server message: insufficient_scope: authorization failed' % (ref, ref))
        if pe == "timeout":
            host = ref.split("/")[0]
            return ('rpc error: code = DeadlineExceeded desc = failed to pull and unpack image "%s": failed to '
                    'resolve reference "%s": failed to do request: Head "https://%s/v2/": dial tcp: i/o timeout'
                    % (ref, ref, host))
        return str(pe)

    def cevent(self, pod, c, reason, message, etype="Normal"):
        fp = "spec.%s{%s}" % ("initContainers" if c.init else "containers", c.name)
        self.event(pod, reason, message, etype, host=pod["spec"]["nodeName"], field_path=fp)

    def step_container(self, pod, pr, c, cspec, chain, now):
        """Advance one container's state machine as far as time allows."""
        md = pod["metadata"]
        beh = self.behaviour(pod, cspec, chain)
        image = cspec.get("image", "")
        node = pr.node
        policy = pod["spec"].get("restartPolicy", "Always")
        if c.sidecar:
            policy = "Always"
        for _ in range(12):
            if c.stage in ("new", "retry"):
                present = image in self._images.get(node, set())
                pull_policy = cspec.get("imagePullPolicy", "IfNotPresent")
                if pull_policy != "Always" and (present or pull_policy == "Never"):
                    self.cevent(pod, c, "Pulled", 'Container image "%s" already present on machine' % image)
                    c.stage, c.next_at = "config", now
                    continue
                self.cevent(pod, c, "Pulling", 'Pulling image "%s"' % image)
                c.stage, c.next_at = "pulling", now + self.D(1.5)
                c.pull_started = now
            elif c.stage == "pulling":
                if now < c.next_at:
                    break
                err = self.pull_error(beh, image)
                if err:
                    self.cevent(pod, c, "Failed", 'Failed to pull image "%s": %s' % (image, err), "Warning")
                    self.cevent(pod, c, "Failed", "Error: ErrImagePull", "Warning")
                    c.waiting = ("ErrImagePull", err)
                    c.pull_fail += 1
                    c.pull_backoff_until = now + self.D(min(10 * 2 ** (c.pull_fail - 1), MAX_BACKOFF))
                    c.stage, c.next_at = "pullerr", now + self.D(1.0)
                    continue
                secs = 1.5 + (fnv32a(image.encode()) % 1000) / 1000.0
                size = 10000000 + fnv32a(("size" + image).encode()) % 90000000
                self.cevent(pod, c, "Pulled", 'Successfully pulled image "%s" in %.3fs (%.3fs including waiting). '
                            'Image size: %d bytes.' % (image, secs, secs, size))
                self._images.setdefault(node, set()).add(image)
                c.stage, c.next_at = "config", now
            elif c.stage == "pullerr":
                if now < c.next_at:
                    break
                if now < c.pull_backoff_until:
                    msg = 'Back-off pulling image "%s"' % image
                    self.cevent(pod, c, "BackOff", msg)
                    self.cevent(pod, c, "Failed", "Error: ImagePullBackOff", "Warning")
                    c.waiting = ("ImagePullBackOff", msg)
                    c.stage, c.next_at = "pullbackoff", c.pull_backoff_until
                else:
                    c.stage = "retry"
                continue
            elif c.stage == "pullbackoff":
                if now < c.next_at:
                    break
                c.stage = "retry"
            elif c.stage == "config":
                if now < c.next_at:
                    break
                err = self.config_error(pod, cspec, beh)
                if err:
                    self.cevent(pod, c, "Failed", "Error: %s" % err, "Warning")
                    c.waiting = ("CreateContainerConfigError", err)
                    c.stage, c.next_at = "configerr", now + self.D(10)
                    break
                c.stage, c.next_at = "creating", now + self.D(0.5)
            elif c.stage == "configerr":
                if now < c.next_at:
                    break
                c.stage = "retry"
            elif c.stage == "creating":
                if now < c.next_at:
                    break
                self.start_container(pod, pr, c, cspec, beh, now)
            elif c.stage == "running":
                self.probe(pod, pr, c, cspec, beh, now)
                if c.exit_at is not None and now >= c.exit_at:
                    self.terminate(pod, pr, c, beh, policy, now)
                    continue
                if c.exit_at is not None:
                    self.timer(c.exit_at)
                break
            elif c.stage == "exited":
                if now < c.next_at:
                    break
                if c.crashes <= 1:
                    self.restart(pod, c)
                else:
                    back = min(10 * 2 ** (c.crashes - 2), MAX_BACKOFF)
                    c.last, c.term = c.term, None
                    c.waiting = ("CrashLoopBackOff", "back-off %s restarting failed container=%s pod=%s_%s(%s)"
                                 % (go_duration(back), c.name, md["name"], md["namespace"], md["uid"]))
                    self.cevent(pod, c, "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)"
                                % (c.name, md["name"], md["namespace"], md["uid"]), "Warning")
                    c.stage, c.next_at = "crashbackoff", now + self.D(back)
                continue
            elif c.stage == "crashbackoff":
                if now < c.next_at:
                    break
                self.restart(pod, c, already_last=True)
            else:
                break
        if c.stage not in ("running", "done") and c.next_at > now:
            self.timer(c.next_at)

    def start_container(self, pod, pr, c, cspec, beh, now):
        md = pod["metadata"]
        self.cevent(pod, c, "Created", "Created container %s" % c.name)
        self.cevent(pod, c, "Started", "Started container %s" % c.name)
        c.cid = "containerd://" + fake_id(md["uid"] + c.name)
        c.started_at = wall()
        c.run_since = now
        c.ever_ran = True
        c.waiting = None
        c.term = None
        c.image = scenario_mod.normalize_image(cspec.get("image", ""))
        c.image_id = c.image.rsplit(":", 1)[0] if "@" not in c.image else c.image.split("@")[0]
        c.image_id = c.image_id + "@" + fake_digest(c.image)
        c.stage = "running"
        c.ready = False
        c.started = not cspec.get("startupProbe")
        c.next_probe = now
        logs = beh.get("logs")
        crash = beh.get("crash")
        if isinstance(crash, dict) and crash.get("logs") is not None:
            logs = crash["logs"]
        if isinstance(logs, list):
            logs = "".join(str(x) + "\n" for x in logs)
        c.logs = logs or ""
        self.store.pod_logs[(md["namespace"], md["name"], c.name, False)] = c.logs
        # exit plan
        code, run = None, None
        policy = pod["spec"].get("restartPolicy", "Always")
        if crash:
            cd = crash if isinstance(crash, dict) else {}
            code = int(cd.get("exitCode", beh.get("exitCode", 1)))
            run = float(cd.get("afterSeconds", beh.get("runSeconds", 1)))
        elif beh.get("exitCode") is not None:
            code = int(beh["exitCode"])
            run = float(beh.get("runSeconds", 2))
        elif (c.init and not c.sidecar) or (policy != "Always" and not c.init):
            code = 0
            run = float(beh.get("runSeconds", 1 if c.init else 2))
        elif beh.get("runSeconds") is not None:
            code, run = 0, float(beh["runSeconds"])
        c.exit_code = code
        c.exit_at = now + self.D(run) if code is not None else None

    def probe(self, pod, pr, c, cspec, beh, now):
        if c.init and not c.sidecar:
            return
        sp = cspec.get("startupProbe")
        if sp and not c.started:
            due = c.run_since + self.D(sp.get("initialDelaySeconds", 0) or 0.2)
            if now >= due:
                c.started = True
            else:
                self.timer(due)
                return
        rp = cspec.get("readinessProbe")
        if beh.get("ready") is False:
            c.ready = False
            if rp and now >= c.next_probe:
                first = c.run_since + self.D(rp.get("initialDelaySeconds", 0) or 0)
                if now >= first:
                    self.cevent(pod, c, "Unhealthy", "Readiness probe failed: %s" % self.probe_failure(rp, pr),
                                "Warning")
                    c.next_probe = now + self.D(rp.get("periodSeconds", 10) or 10)
                else:
                    c.next_probe = first
            if rp:
                self.timer(c.next_probe)
            return
        if c.ready:
            return
        if rp:
            due = c.run_since + self.D(max(rp.get("initialDelaySeconds", 0) or 0, 0.3))
        else:
            due = c.run_since
        if now >= due:
            c.ready = True
        else:
            self.timer(due)

    @staticmethod
    def probe_failure(rp, pr):
        if rp.get("httpGet"):
            return "HTTP probe failed with statuscode: 503"
        if rp.get("tcpSocket"):
            return "dial tcp %s:%s: connect: connection refused" % (pr.ip, rp["tcpSocket"].get("port"))
        if rp.get("grpc"):
            return 'timeout: failed to connect service ":%s" within 1s' % rp["grpc"].get("port")
        return ""

    def terminate(self, pod, pr, c, beh, policy, now):
        code = c.exit_code or 0
        reason = beh.get("terminationReason") or ("Completed" if code == 0 else "Error")
        c.term = {"exitCode": code, "reason": reason, "startedAt": c.started_at, "finishedAt": wall(),
                  "containerID": c.cid}
        c.ready = False
        c.exit_at = None
        restart = policy == "Always" or (policy == "OnFailure" and code != 0)
        if c.init and not c.sidecar and code == 0:
            restart = False
        if restart:
            c.crashes += 1
            c.stage, c.next_at = "exited", now + self.D(1.0)
        else:
            c.stage = "done"

    def restart(self, pod, c, already_last=False):
        md = pod["metadata"]
        if not already_last:
            c.last = c.term
        c.term = None
        c.restarts += 1
        self.store.pod_logs[(md["namespace"], md["name"], c.name, True)] = c.logs
        c.waiting = ("ContainerCreating", None)
        c.stage = "retry"

    def container_status(self, pod, pr, c, cspec):
        st = {"containerID": c.cid, "image": c.image or cspec.get("image", ""), "imageID": c.image_id or "",
              "lastState": {}, "name": c.name, "ready": bool(c.ready and c.stage == "running"),
              "restartCount": c.restarts, "started": bool(c.stage == "running" and c.started)}
        if not c.cid:
            del st["containerID"]
        if c.stage == "running":
            st["state"] = {"running": {"startedAt": c.started_at}}
        elif c.term is not None and c.stage in ("exited", "done"):
            st["state"] = {"terminated": dict(c.term)}
        else:
            w = {"reason": (c.waiting or ("ContainerCreating", None))[0]}
            if c.waiting and c.waiting[1]:
                w["message"] = c.waiting[1]
            st["state"] = {"waiting": w}
        if c.last:
            st["lastState"] = {"terminated": dict(c.last)}
        mounts = []
        for m in cspec.get("volumeMounts") or []:
            vm = {"mountPath": m.get("mountPath"), "name": m.get("name")}
            if m.get("readOnly"):
                vm["readOnly"] = True
                vm["recursiveReadOnly"] = "Disabled"
            mounts.append(vm)
        if mounts:
            st["volumeMounts"] = mounts
        return st

    def write_pod_status(self, pod, pr, now):
        md, spec = pod["metadata"], pod["spec"]
        old = pod.get("status") or {}
        st = {"phase": "Pending"}
        t = wall()
        ispecs = {c["name"]: c for c in spec.get("initContainers") or []}
        mspecs = {c["name"]: c for c in spec.get("containers") or []}
        if pr.stage == "new":
            return
        policy = spec.get("restartPolicy", "Always")
        # phase (kubelet getPhase)
        init_pending = any(not (c.sidecar and c.started) and not (c.stage == "done" and c.term and
                                                                    c.term.get("exitCode") == 0)
                           for c in pr.inits)
        init_failed = any(c.stage == "done" and c.term and c.term.get("exitCode") != 0 for c in pr.inits)
        running = waiting = stopped = succeeded = 0
        for c in pr.mains:
            if c.stage == "running":
                running += 1
            elif c.stage == "done" or c.stage == "exited":
                stopped += 1
                if c.term and c.term.get("exitCode") == 0:
                    succeeded += 1
            elif c.last is not None:
                stopped += 1
            else:
                waiting += 1
        if init_failed and policy == "Never":
            phase = "Failed"
        elif init_pending:
            phase = "Pending"
        elif waiting:
            phase = "Pending"
        elif running:
            phase = "Running"
        elif stopped == len(pr.mains) and pr.mains:
            if policy == "Always":
                phase = "Running"
            elif succeeded == stopped:
                phase = "Succeeded"
            elif policy == "OnFailure":
                phase = "Running"
            else:
                phase = "Failed"
        else:
            phase = "Pending"
        if getattr(pr, "terminal", False) and phase not in ("Succeeded", "Failed"):
            # a deleted pod whose containers all stopped ends in a terminal phase
            phase = "Succeeded" if all(c.term and c.term.get("exitCode") == 0 for c in pr.mains) else "Failed"
        if phase in ("Succeeded", "Failed"):
            pr.final = True
        st["phase"] = phase
        # conditions
        conds = [c for c in old.get("conditions") or [] if c.get("type") in
                 ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")]
        sandbox = "True" if pr.sandbox and not pr.final else "False"
        conds = set_condition(conds, "PodReadyToStartContainers", sandbox, now=t, probe=True)
        if phase == "Succeeded":
            conds = set_condition(conds, "Initialized", "True", "PodCompleted", now=t, probe=True)
        elif init_pending and not any(c.ever_ran for c in pr.mains):
            names = [c.name for c in pr.inits if not (c.stage == "done" and c.term and
                                                      c.term.get("exitCode") == 0) and not (c.sidecar and c.started)]
            conds = set_condition(conds, "Initialized", "False", "ContainersNotInitialized",
                                  "containers with incomplete status: [%s]" % " ".join(names), t, probe=True)
        else:
            conds = set_condition(conds, "Initialized", "True", now=t, probe=True)
        unready = [c.name for c in sorted(pr.mains, key=lambda x: x.name)
                   if not (c.ready and c.stage == "running")]
        for ctype in ("Ready", "ContainersReady"):
            if phase == "Succeeded":
                conds = set_condition(conds, ctype, "False", "PodCompleted", now=t, probe=True)
            elif unready:
                conds = set_condition(conds, ctype, "False", "ContainersNotReady",
                                      "containers with unready status: [%s]" % " ".join(unready), t, probe=True)
            else:
                conds = set_condition(conds, ctype, "True", now=t, probe=True)
        conds = set_condition(conds, "PodScheduled", "True", now=t, probe=True)
        order = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
        conds.sort(key=lambda c: order.index(c["type"]))
        st["conditions"] = conds
        if not unready and phase == "Running":
            self._ready_at.setdefault(md["uid"], now)
        else:
            self._ready_at.pop(md["uid"], None)
        ip = self.node_ip(pr.node)
        st["hostIP"] = ip
        st["hostIPs"] = [{"ip": ip}]
        if pr.ip:
            st["podIP"] = pr.ip
            st["podIPs"] = [{"ip": pr.ip}]
        st["qosClass"] = qos_class(pod)
        st["startTime"] = pr.start_time
        if pr.inits:
            st["initContainerStatuses"] = [self.container_status(pod, pr, c, ispecs[c.name]) for c in pr.inits]
        st["containerStatuses"] = [self.container_status(pod, pr, c, mspecs[c.name])
                                   for c in sorted(pr.mains, key=lambda x: x.name)]
        if old.get("nominatedNodeName"):
            st["nominatedNodeName"] = old["nominatedNodeName"]
        self._set_status("pods", pod, st)
