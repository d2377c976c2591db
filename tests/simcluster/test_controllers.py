#!/usr/bin/env python3
"""In-process tests of controllers/ / scenario.py against the real store.py; prints TAP lines."""

import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import controllers  # noqa: E402
import scenario  # noqa: E402
import store  # noqa: E402

FAILED = 0
N = 0


def ok(cond, name, detail=None):
    global FAILED, N
    N += 1
    if cond:
        print("ok %d - %s" % (N, name))
    else:
        FAILED = 1
        print("not ok %d - %s" % (N, name))
        if detail is not None:
            for line in str(detail)[:1500].splitlines():
                print("#   " + line)
    return cond


def wait(pred, timeout=8.0):
    end = time.time() + timeout
    while time.time() < end:
        with S.lock:
            try:
                v = pred()
            except (KeyError, IndexError, TypeError, AttributeError):
                v = None
        if v:
            return v
        time.sleep(0.05)
    return None


def ns(name):
    S.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    return name


def deploy(ns_, name, image="nginx:1.25", replicas=2, **extra):
    c = {"name": "app", "image": image, "ports": [{"containerPort": 8080, "name": "http"}]}
    c.update(extra.pop("container", {}))
    spec = {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [c]}}}
    spec.update(extra)
    return S.create("apps/deployments", {"apiVersion": "apps/v1", "kind": "Deployment",
                                         "metadata": {"name": name, "namespace": ns_}, "spec": spec})


def pods(ns_, prefix=""):
    return [p for p in S.list("pods", ns_) if p["metadata"]["name"].startswith(prefix)]


def events(ns_, name=None, reason=None):
    return [e for e in S.list("events", ns_)
            if (name is None or e["involvedObject"]["name"] == name) and (reason is None or e["reason"] == reason)]


def cstatus(p, i=0):
    return p["status"]["containerStatuses"][i]


def cond(obj, t):
    return controllers.get_condition(obj, t) or {}


S = store.Store()
SC = scenario.Scenario({
    "images": {"registry.example/broken:*": {"pullError": "notfound"}},
    "workloads": {
        "crash/deployment/api": {"crash": {"exitCode": 2, "logs": ["starting api", "FATAL: cannot connect"]}},
        "jobs/job/migrate-bad": {"exitCode": 3, "logs": ["migrating", "ERROR: relation missing"]},
        "jobs/job/migrate-ok": {"logs": ["migrating", "done"], "runSeconds": 2},
        "sched/deployment/hungry": {"insufficient": "cpu"},
        "ready/deployment/never": {"ready": False},
        "deadline/deployment/stuck": {"ready": False, "progressDeadlineSeconds": 10},
    }})
C = controllers.Controllers(S, SC, speed=1.0, nodes=3)
C.start()

try:
    # ---------------------------------------------------------------- cluster basics
    nodes = wait(lambda: len(S.list("nodes")) == 3 and S.list("nodes"))
    ok(nodes and [n["metadata"]["name"] for n in nodes] == ["node-1", "node-2", "node-3"], "three nodes")
    ok(nodes and nodes[0]["status"]["allocatable"]["cpu"] == "4", "node allocatable cpu")
    sc = wait(lambda: S.get("storage.k8s.io/storageclasses", None, "standard"))
    ok(sc and sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true",
       "default storage class standard")
    ok(wait(lambda: S.get("storage.k8s.io/storageclasses", None, "shared")), "rwx class shared exists")

    # ---------------------------------------------------------------- deployment
    ns("web")
    deploy("web", "web", replicas=3)
    S.create("services", {"metadata": {"name": "web", "namespace": "web"},
                          "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}})
    t0 = time.time()
    d = wait(lambda: (S.get("apps/deployments", "web", "web")["status"].get("availableReplicas") == 3 and
                      S.get("apps/deployments", "web", "web")))
    ok(d, "deployment becomes available")
    # A hang guard, not a performance claim (normally 0.3-0.5 s): generous for loaded machines.
    ok(time.time() - t0 < 10.0, "deployment ready without stalling at speed 1 (%.2fs)" % (time.time() - t0))
    rs = S.list("apps/replicasets", "web")
    ok(len(rs) == 1 and re.match(r"^web-[bcdfghjklmnpqrstvwxz2456789]{6,10}$", rs[0]["metadata"]["name"]),
       "replicaset named deploy-hash", [r["metadata"]["name"] for r in rs])
    h = rs[0]["metadata"]["labels"]["pod-template-hash"]
    ps = pods("web")
    ok(len(ps) == 3 and all(re.match(r"^web-%s-[bcdfghjklmnpqrstvwxz2456789]{5}$" % h, p["metadata"]["name"])
                            for p in ps), "pod names rs-xxxxx")
    ok(all(p["metadata"]["ownerReferences"][0]["controller"] is True for p in ps), "pods have controller ref")
    ok(all(p["status"]["phase"] == "Running" for p in ps), "pods running")
    ok([c["type"] for c in ps[0]["status"]["conditions"]] ==
       ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"], "pod conditions")
    ok(cond(d, "Progressing").get("reason") == "NewReplicaSetAvailable", "Progressing NewReplicaSetAvailable")
    ok(cond(d, "Available").get("reason") == "MinimumReplicasAvailable", "Available MinimumReplicasAvailable")
    ok(d["status"]["observedGeneration"] == d["metadata"]["generation"], "observedGeneration")
    ok(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1", "revision 1")
    ep = wait(lambda: len((S.get("endpoints", "web", "web").get("subsets") or [{}])[0].get("addresses", [])) == 3
              and S.get("endpoints", "web", "web"))
    ok(ep and ep["subsets"][0]["ports"][0]["port"] == 8080, "endpoints from ready pods, named targetPort", ep)
    sl = S.list("discovery.k8s.io/endpointslices", "web")
    ok(len(sl) == 1 and len(sl[0]["endpoints"]) == 3 and sl[0]["endpoints"][0]["conditions"]["ready"],
       "endpointslice", sl)
    evs = [e["reason"] for e in events("web", ps[0]["metadata"]["name"])]
    ok(all(r in evs for r in ("Scheduled", "Created", "Started")) and ("Pulled" in evs), "pod events", evs)
    sched = events("web", ps[0]["metadata"]["name"], "Scheduled")[0]
    ok(sched["reportingComponent"] == "default-scheduler" and sched["eventTime"], "scheduler event shape")
    started = events("web", ps[0]["metadata"]["name"], "Started")[0]
    ok(started["source"] == {"component": "kubelet", "host": ps[0]["spec"]["nodeName"]} and
       started["involvedObject"]["fieldPath"] == "spec.containers{app}" and started["count"] == 1,
       "kubelet event shape", started)

    # pod deleted -> recreated
    victim = ps[0]["metadata"]["name"]
    S.delete("pods", "web", victim)
    ok(wait(lambda: len([p for p in pods("web") if p["metadata"]["name"] != victim]) == 3), "deleted pod recreated")

    # rolling update
    d = S.get("apps/deployments", "web", "web")
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27"
    S.update("apps/deployments", d)
    d = wait(lambda: (lambda x: x["status"].get("updatedReplicas") == 3 and x["status"].get("availableReplicas") == 3
                      and x["status"].get("replicas") == 3 and x["status"]["observedGeneration"] == 2 and
                      cond(x, "Progressing").get("reason") == "NewReplicaSetAvailable" and x)(
        S.get("apps/deployments", "web", "web")))
    ok(d, "rolling update completes")
    ok(d and d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2", "revision 2")
    rss = S.list("apps/replicasets", "web")
    ok(len(rss) == 2 and sorted(r["spec"]["replicas"] for r in rss) == [0, 3], "old rs scaled to 0")
    # old pods may still be Terminating (graceful deletion), as on a real cluster
    ok(all(p["spec"]["containers"][0]["image"] == "nginx:1.27" for p in pods("web")
           if not p["metadata"].get("deletionTimestamp")), "all pods updated")
    scal = [e["message"] for e in events("web", "web", "ScalingReplicaSet")]
    ok(any(m.startswith("Scaled down replica set web-%s from 3 to" % h) for m in scal), "scale down events", scal)

    # ---------------------------------------------------------------- statefulset + PVC
    ns("db")
    S.create("apps/statefulsets", {"apiVersion": "apps/v1", "kind": "StatefulSet",
                                   "metadata": {"name": "pg", "namespace": "db"},
                                   "spec": {"replicas": 3, "serviceName": "pg",
                                            "selector": {"matchLabels": {"app": "pg"}},
                                            "template": {"metadata": {"labels": {"app": "pg"}},
                                                         "spec": {"containers": [{"name": "pg",
                                                                                  "image": "postgres:15-alpine"}]}},
                                            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                                                "accessModes": ["ReadWriteOnce"],
                                                "resources": {"requests": {"storage": "1Gi"}}}}]}})
    s = wait(lambda: S.get("apps/statefulsets", "db", "pg")["status"].get("readyReplicas") == 3 and
             S.get("apps/statefulsets", "db", "pg"), 10)
    ok(s, "statefulset ready")
    ps = sorted(pods("db"), key=lambda p: p["metadata"]["name"])
    ok([p["metadata"]["name"] for p in ps] == ["pg-0", "pg-1", "pg-2"], "pods name-0..2")
    created = [e["message"] for e in sorted(events("db", "pg", "SuccessfulCreate"),
                                            key=lambda e: e["metadata"]["resourceVersion"].zfill(12))]
    order = [m.split("Pod ")[1].split()[0] for m in created if m.startswith("create Pod")]
    ok(order == ["pg-0", "pg-1", "pg-2"], "created in order", created)
    ok(ps[0]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] == "data-pg-0", "pod uses claim")
    pvcs = S.list("persistentvolumeclaims", "db")
    ok(len(pvcs) == 3 and all(p["status"]["phase"] == "Bound" for p in pvcs), "PVCs bound")
    ok(pvcs[0]["spec"]["storageClassName"] == "standard" and pvcs[0]["spec"]["volumeName"].startswith("pvc-"),
       "PVC default class and volume")
    ok(S.get("persistentvolumes", None, pvcs[0]["spec"]["volumeName"]), "PV created")
    st = s["status"] if s else {}
    ok(st.get("currentRevision") == st.get("updateRevision") and st.get("currentRevision", "").startswith("pg-")
       and st.get("currentReplicas") == 3 and st.get("updatedReplicas") == 3 and st.get("availableReplicas") == 3,
       "sts revisions and counts", st)
    ok(ps[0]["metadata"]["labels"].get("controller-revision-hash") == st.get("updateRevision") and
       ps[0]["spec"].get("hostname") == "pg-0" and ps[0]["spec"].get("subdomain") == "pg", "sts pod identity")
    # rolling update of the statefulset
    s = S.get("apps/statefulsets", "db", "pg")
    s["spec"]["template"]["spec"]["containers"][0]["image"] = "postgres:16-alpine"
    S.update("apps/statefulsets", s)
    s = wait(lambda: (lambda x: x["status"].get("updatedReplicas") == 3 and x["status"].get("readyReplicas") == 3
                      and x["status"]["currentRevision"] == x["status"]["updateRevision"] and
                      x["status"]["observedGeneration"] == 2 and x)(S.get("apps/statefulsets", "db", "pg")), 12)
    ok(s and all(p["spec"]["containers"][0]["image"] == "postgres:16-alpine" for p in pods("db")),
       "sts rolling update")

    # ---------------------------------------------------------------- daemonset
    ns("ds")
    S.create("apps/daemonsets", {"apiVersion": "apps/v1", "kind": "DaemonSet",
                                 "metadata": {"name": "proxy", "namespace": "ds"},
                                 "spec": {"selector": {"matchLabels": {"app": "proxy"}},
                                          "template": {"metadata": {"labels": {"app": "proxy"}},
                                                       "spec": {"containers": [{"name": "p", "image": "haproxy:2.9"}]}}}})
    x = wait(lambda: S.get("apps/daemonsets", "ds", "proxy")["status"].get("numberAvailable") == 3 and
             S.get("apps/daemonsets", "ds", "proxy"))
    ok(x, "daemonset available")
    ok(sorted(p["spec"]["nodeName"] for p in pods("ds")) == ["node-1", "node-2", "node-3"], "one pod per node")
    st = x["status"] if x else {}
    ok(all(st.get(k) == 3 for k in ("desiredNumberScheduled", "currentNumberScheduled", "numberReady",
                                    "updatedNumberScheduled", "numberAvailable")) and
       st.get("observedGeneration") == 1 and st.get("numberMisscheduled") == 0, "daemonset status", st)

    # ---------------------------------------------------------------- jobs
    ns("jobs")

    def job(name, backoff=6):
        return S.create("batch/jobs", {"apiVersion": "batch/v1", "kind": "Job",
                                       "metadata": {"name": name, "namespace": "jobs"},
                                       "spec": {"backoffLimit": backoff, "template": {"spec": {
                                           "restartPolicy": "Never",
                                           "containers": [{"name": "migrate", "image": "app:1.0",
                                                           "command": ["alembic", "upgrade", "head"]}]}}}})
    job("migrate-ok")
    job("migrate-bad", backoff=1)
    j = wait(lambda: cond(S.get("batch/jobs", "jobs", "migrate-ok"), "Complete").get("status") == "True" and
             S.get("batch/jobs", "jobs", "migrate-ok"))
    ok(j, "job completes")
    ok(j and [c["type"] for c in j["status"]["conditions"]] == ["SuccessCriteriaMet", "Complete"] and
       j["status"].get("succeeded") == 1 and j["status"].get("completionTime") and not j["status"].get("active"),
       "job status", j and j["status"])
    jp = [p for p in pods("jobs", "migrate-ok-")]
    ok(len(jp) == 1 and jp[0]["metadata"]["labels"].get("batch.kubernetes.io/job-name") == "migrate-ok" and
       jp[0]["status"]["phase"] == "Succeeded", "job pod labels and phase")
    ok(jp and S.pod_logs.get(("jobs", jp[0]["metadata"]["name"], "migrate", False)) == "migrating\ndone\n",
       "job logs kept")
    ok(jp and cstatus(jp[0])["state"]["terminated"]["reason"] == "Completed", "terminated Completed")
    j = wait(lambda: cond(S.get("batch/jobs", "jobs", "migrate-bad"), "Failed").get("status") == "True" and
             S.get("batch/jobs", "jobs", "migrate-bad"), 10)
    ok(j, "job fails")
    ok(j and [c["type"] for c in j["status"]["conditions"]] == ["FailureTarget", "Failed"] and
       cond(j, "Failed").get("reason") == "BackoffLimitExceeded" and j["status"].get("failed") == 2,
       "failed job status", j and j["status"])
    bp = pods("jobs", "migrate-bad-")
    ok(len(bp) == 2 and all(cstatus(p)["state"]["terminated"]["exitCode"] == 3 for p in bp) and
       all(p["status"]["phase"] == "Failed" for p in bp), "failed pods exit code 3")
    ok(bp and "ERROR: relation missing" in S.pod_logs.get(("jobs", bp[0]["metadata"]["name"], "migrate", False), ""),
       "failed job logs")

    # ---------------------------------------------------------------- crashloop
    ns("crash")
    deploy("crash", "api", replicas=1)
    p = wait(lambda: (lambda p: cstatus(p)["restartCount"] >= 2 and
                      cstatus(p)["state"].get("waiting", {}).get("reason") == "CrashLoopBackOff" and p)(
        pods("crash")[0]), 12)
    ok(p, "CrashLoopBackOff with restarts")
    if p:
        cs = cstatus(p)
        ok(re.match(r"^back-off (10|20|40)s restarting failed container=app pod=%s_crash\(%s\)$" % (
            p["metadata"]["name"], p["metadata"]["uid"]), cs["state"]["waiting"]["message"]), "back-off message",
            cs["state"]["waiting"])
        ok(cs["lastState"]["terminated"]["exitCode"] == 2 and cs["lastState"]["terminated"]["reason"] == "Error",
           "lastState terminated", cs["lastState"])
        ok(p["status"]["phase"] == "Running" and cond(p, "Ready")["status"] == "False", "crashing pod Running, not ready")
        ok(S.pod_logs.get(("crash", p["metadata"]["name"], "app", True)) == "starting api\nFATAL: cannot connect\n",
           "previous logs")
        bo = events("crash", p["metadata"]["name"], "BackOff")
        ok(bo and bo[0]["message"] == "Back-off restarting failed container app in pod %s_crash(%s)" % (
            p["metadata"]["name"], p["metadata"]["uid"]) and bo[0]["type"] == "Warning", "BackOff event", bo)

    # ---------------------------------------------------------------- image pull
    ns("pull")
    deploy("pull", "bad", image="registry.example/broken:1", replicas=1)
    p = wait(lambda: (lambda p: cstatus(p)["state"].get("waiting", {}).get("reason") == "ImagePullBackOff" and p)(
        pods("pull")[0]))
    ok(p, "ImagePullBackOff")
    if p:
        ok(cstatus(p)["state"]["waiting"]["message"] == 'Back-off pulling image "registry.example/broken:1"',
           "back-off pulling message")
        msgs = [(e["reason"], e["message"]) for e in events("pull", p["metadata"]["name"])]
        ok(("Failed", "Error: ErrImagePull") in msgs and ("Failed", "Error: ImagePullBackOff") in msgs and
           ("BackOff", 'Back-off pulling image "registry.example/broken:1"') in msgs and
           any(m.startswith('Failed to pull image "registry.example/broken:1": rpc error: code = NotFound')
               for r, m in msgs), "pull events", msgs)
        ok(p["status"]["phase"] == "Pending", "pull failure pod Pending")
    # fix the scenario at run time: pod recovers
    SC.update({"images": {"registry.example/broken:*": None}})
    ok(wait(lambda: pods("pull")[0]["status"]["phase"] == "Running", 15), "runtime scenario change fixes pull")

    # ---------------------------------------------------------------- config errors
    ns("cfg")
    deploy("cfg", "nosecret", replicas=1, container={"env": [{"name": "DATABASE_URL", "valueFrom": {
        "secretKeyRef": {"name": "db-credentials", "key": "database-url"}}}]})
    p = wait(lambda: (lambda p: cstatus(p)["state"].get("waiting", {}).get("reason") ==
                      "CreateContainerConfigError" and p)(pods("cfg")[0]))
    ok(p and cstatus(p)["state"]["waiting"]["message"] == 'secret "db-credentials" not found',
       "CreateContainerConfigError missing secret", p and cstatus(p))
    ok(p and ("Failed", 'Error: secret "db-credentials" not found') in
       [(e["reason"], e["message"]) for e in events("cfg", p["metadata"]["name"])], "config error event")
    S.create("secrets", {"metadata": {"name": "db-credentials", "namespace": "cfg"}, "data": {"other": "eA=="}})
    p = wait(lambda: (lambda p: "couldn't find key" in cstatus(p)["state"].get("waiting", {}).get("message", "")
                      and p)(pods("cfg")[0]), 10)
    ok(p and cstatus(p)["state"]["waiting"]["message"] ==
       "couldn't find key database-url in Secret cfg/db-credentials", "missing key message")
    sec = S.get("secrets", "cfg", "db-credentials")
    sec["data"]["database-url"] = "eA=="
    S.update("secrets", sec)
    ok(wait(lambda: pods("cfg")[0]["status"]["phase"] == "Running", 10), "runs once the secret has the key")

    # ---------------------------------------------------------------- scheduling
    ns("sched")
    deploy("sched", "huge", replicas=1, container={"resources": {"requests": {"cpu": "64", "memory": "1Gi"}}})
    deploy("sched", "hungry", replicas=1)
    p = wait(lambda: cond(pods("sched", "huge")[0], "PodScheduled").get("reason") == "Unschedulable" and
             pods("sched", "huge")[0])
    want = ("0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
            "3 No preemption victims found for incoming pod.")
    ok(p and cond(p, "PodScheduled")["message"] == want, "Insufficient cpu condition", p and p["status"])
    ok(p and events("sched", p["metadata"]["name"], "FailedScheduling")[0]["message"] == want,
       "FailedScheduling event")
    p = wait(lambda: cond(pods("sched", "hungry")[0], "PodScheduled").get("reason") == "Unschedulable" and
             pods("sched", "hungry")[0])
    ok(p and p["status"]["phase"] == "Pending" and not p["spec"].get("nodeName"), "scenario insufficient cpu")

    # ---------------------------------------------------------------- readiness never reached
    ns("ready")
    deploy("ready", "never", replicas=1, container={"readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080},
                                                                       "periodSeconds": 2}})
    S.create("services", {"metadata": {"name": "never", "namespace": "ready"},
                          "spec": {"selector": {"app": "never"}, "ports": [{"port": 80, "targetPort": 8080}]}})
    un = wait(lambda: events("ready", None, "Unhealthy"))
    ok(un and un[0]["message"] == "Readiness probe failed: HTTP probe failed with statuscode: 503", "Unhealthy event")
    p = pods("ready")[0]
    ok(p["status"]["phase"] == "Running" and cond(p, "Ready")["status"] == "False" and
       cond(p, "Ready")["message"] == "containers with unready status: [app]", "running but not ready")
    ep = wait(lambda: S.get("endpoints", "ready", "never"))
    ok(ep and ep["subsets"][0].get("notReadyAddresses") and not ep["subsets"][0].get("addresses"),
       "unready pod in notReadyAddresses", ep)
    d = S.get("apps/deployments", "ready", "never")
    ok(cond(d, "Available")["status"] == "False" and cond(d, "Progressing")["reason"] == "ReplicaSetUpdated",
       "deployment not available", d["status"])

    # ---------------------------------------------------------------- progress deadline
    ns("deadline")
    deploy("deadline", "stuck", replicas=1)
    d = wait(lambda: cond(S.get("apps/deployments", "deadline", "stuck"), "Progressing").get("reason") ==
             "ProgressDeadlineExceeded" and S.get("apps/deployments", "deadline", "stuck"), 10)
    ok(d and cond(d, "Progressing")["status"] == "False" and
       re.match(r'^ReplicaSet "stuck-\w+" has timed out progressing\.$', cond(d, "Progressing")["message"]),
       "ProgressDeadlineExceeded", d and d["status"])

    # ---------------------------------------------------------------- storage
    ns("store")

    def pvc(name, mode, cls=None):
        spec = {"accessModes": [mode], "resources": {"requests": {"storage": "5Gi"}}}
        if cls:
            spec["storageClassName"] = cls
        S.create("persistentvolumeclaims", {"metadata": {"name": name, "namespace": "store"}, "spec": spec})
    pvc("shared-ok", "ReadWriteMany", "shared")
    ok(wait(lambda: S.get("persistentvolumeclaims", "store", "shared-ok")["status"]["phase"] == "Bound"),
       "RWX claim binds on shared class")
    pvc("rwx-default", "ReadWriteMany")
    e = wait(lambda: events("store", "rwx-default", "ProvisioningFailed"))
    ok(e and e[0]["message"] == 'failed to provision volume with StorageClass "standard": Only support '
       'ReadWriteOnce access mode' and e[0]["type"] == "Warning", "RWX on standard fails", e)
    SC.update({"cluster": {"rwx": False}})
    ok(wait(lambda: S.get("storage.k8s.io/storageclasses", None, "shared") is None), "rwx:false removes class")
    pvc("rwx-shared", "ReadWriteMany", "shared")
    e = wait(lambda: events("store", "rwx-shared", "ProvisioningFailed"))
    ok(e and e[0]["message"] == 'storageclass.storage.k8s.io "shared" not found', "missing class event", e)
    ok(S.get("persistentvolumeclaims", "store", "rwx-shared")["status"]["phase"] == "Pending", "claim stays Pending")
    S.create("pods", {"metadata": {"name": "user", "namespace": "store"}, "spec": {
        "containers": [{"name": "c", "image": "busybox:1.36"}],
        "volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": "rwx-shared"}}]}})
    p = wait(lambda: cond(S.get("pods", "store", "user"), "PodScheduled").get("reason") == "Unschedulable" and
             S.get("pods", "store", "user"))
    ok(p and cond(p, "PodScheduled")["message"] == "0/3 nodes are available: pod has unbound immediate "
       "PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
       "pod with unbound claim Pending", p and p["status"])
    SC.update({"cluster": {"rwx": None}})

    # ---------------------------------------------------------------- scenario object
    sc2 = scenario.Scenario({"api": {"error500": 2}})
    ok([sc2.consume_error500() for _ in range(3)] == [True, True, False], "consume_error500 counts down")
    ok(sc2.data["api"]["error500"] == 0, "data reflects the counter")
    try:
        scenario.Scenario({"imagez": {}})
        ok(False, "typo rejected")
    except ValueError:
        ok(True, "typo rejected")
    sc2.update({"workloads": {"default/deploy/x": {"ready": False}}})
    ok(sc2.behaviour("a", [("pod", "x-1"), ("replicaset", "x-9"), ("deployment", "x")], "default", "c") ==
       {"ready": False}, "workload lookup through owner chain")
    ok(sc2.behaviour("a", [("deployment", "x")], "other", "c") == {}, "namespace scoping")
    sc2.update({"images": {"nginx": {"pullError": True}}})
    ok(sc2.behaviour("docker.io/library/nginx:latest", [], "default", "c") == {"pullError": True},
       "image normalisation")
    json.dumps(SC.data)
    sdir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scenarios")
    for f in sorted(os.listdir(sdir)) if os.path.isdir(sdir) else []:
        if f.endswith(".json"):
            try:
                scenario.Scenario.load(os.path.join(sdir, f))
                ok(True, "example scenario %s loads" % f)
            except ValueError as e:
                ok(False, "example scenario %s loads" % f, e)
    # A write the API refuses: AlreadyExists is an earlier pass's work, anything else is logged.
    import contextlib
    import io
    refused = ns("refusals")
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": refused}}
    log = io.StringIO()
    with contextlib.redirect_stderr(log):
        first = C._create_if_absent("configmaps", json.loads(json.dumps(cm)))
        again = C._create_if_absent("configmaps", json.loads(json.dumps(cm)))
        cm["metadata"]["namespace"] = "no-such-namespace"
        elsewhere = C._create_if_absent("configmaps", json.loads(json.dumps(cm)))
        gone = C._delete("configmaps", refused, "never-made")
    text = log.getvalue()
    ok(first is not None and again is None, "create if absent: made once, AlreadyExists the second time")
    ok("already exists" not in text, "... AlreadyExists is not logged", text)
    ok(elsewhere is None and "controllers: creating configmaps c: " in text and "not found" in text,
       "another refusal (no such namespace) is logged with the API's message", text)
    ok(gone is None and "never-made" not in text, "deleting what is gone already: None, not logged", text)
    ok(C.errors == 0, "no controller exceptions (%d)" % C.errors)
finally:
    C.stop()

print("1..%d" % N)
sys.exit(FAILED)
