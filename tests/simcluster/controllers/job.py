"""Job controller: parallelism, completions, backoffLimit, deadlines and conditions."""

import json

import store as storemod

from .core import get_condition, owner_ref, pod_active, pod_ready, rand5, set_condition, wall


class Jobs:
    # ------------------------------------------------------------ jobs

    def sync_job(self, job, now):
        md, spec = job["metadata"], job.get("spec") or {}
        if md.get("deletionTimestamp"):
            return
        ns, name, uid = md["namespace"], md["name"], md["uid"]
        status = json.loads(json.dumps(job.get("status") or {}))
        conds = status.get("conditions") or []
        t = wall()
        mem = self._job.setdefault(uid, {"next_create": 0.0})

        def has(ctype):
            return any(c.get("type") == ctype and c.get("status") == "True" for c in conds)

        pods = self.owned("pods", ns, uid)
        active = [p for p in pods if pod_active(p)]
        succeeded = sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Succeeded")
        failed = sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Failed")
        succeeded = max(succeeded, status.get("succeeded", 0))
        failed = max(failed, status.get("failed", 0))

        if has("Complete") or has("Failed"):
            ttl = spec.get("ttlSecondsAfterFinished")
            if ttl is not None:
                due = mem.setdefault("finished_at", now) + self.D(ttl)
                if now >= due:
                    self.store.delete("batch/jobs", ns, name, "Background")
                    self._wrote = True
                else:
                    self.timer(due)
            return
        if spec.get("suspend"):
            for p in active:
                self._delete("pods", ns, p["metadata"]["name"])
            if not has("Suspended"):
                conds = set_condition(conds, "Suspended", "True", "JobSuspended", "Job suspended", t, probe=True)
                self.event(job, "Suspended", "Job suspended", component="job-controller")
            status["conditions"] = conds
            status.pop("active", None)
            self._set_status("batch/jobs", job, self.job_status(status, 0, succeeded, failed, 0))
            return
        if not status.get("startTime"):
            status["startTime"] = t
            mem["started"] = now
        mem.setdefault("started", now)
        completions = spec.get("completions")
        parallelism = int(spec.get("parallelism", 1) if spec.get("parallelism") is not None else 1)
        backoff_limit = int(spec.get("backoffLimit", 6))
        restart_policy = ((spec.get("template") or {}).get("spec") or {}).get("restartPolicy", "Never")
        restarts = 0
        if restart_policy == "OnFailure":
            for p in active:
                for c in (p.get("status") or {}).get("containerStatuses") or []:
                    restarts += c.get("restartCount", 0)
        ready = sum(1 for p in active if pod_ready(p))

        fail_reason = None
        if has("FailureTarget"):
            ft = get_condition({"status": {"conditions": conds}}, "FailureTarget")
            fail_reason = (ft.get("reason"), ft.get("message"))
        elif failed > backoff_limit or (restart_policy == "OnFailure" and backoff_limit >= 0 and
                                        restarts > 0 and restarts >= backoff_limit and failed + restarts >
                                        backoff_limit):
            fail_reason = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
        elif spec.get("activeDeadlineSeconds") is not None:
            due = mem["started"] + self.D(spec["activeDeadlineSeconds"])
            if now >= due:
                fail_reason = ("DeadlineExceeded", "Job was active longer than specified deadline")
            else:
                self.timer(due)
        if fail_reason:
            if not has("FailureTarget"):
                conds = set_condition(conds, "FailureTarget", "True", fail_reason[0], fail_reason[1], t, probe=True)
                for p in active:
                    self._delete("pods", ns, p["metadata"]["name"])
                    self.event(job, "SuccessfulDelete", "Deleted pod: %s" % p["metadata"]["name"],
                               component="job-controller")
                    failed += 1 if fail_reason[0] == "DeadlineExceeded" else 0
                active = []
            else:
                conds = set_condition(conds, "Failed", "True", fail_reason[0], fail_reason[1], t, probe=True)
                self.event(job, fail_reason[0], fail_reason[1], "Warning", component="job-controller")
                mem["finished_at"] = now
            status["conditions"] = conds
            self._set_status("batch/jobs", job, self.job_status(status, 0, succeeded, failed, 0))
            return
        target = completions if completions is not None else 1
        if has("SuccessCriteriaMet") or (succeeded >= target and (completions is not None or not active)):
            if not has("SuccessCriteriaMet"):
                conds = set_condition(conds, "SuccessCriteriaMet", "True", "CompletionsReached",
                                      "Reached expected number of succeeded pods", t, probe=True)
                for p in active:
                    self._delete("pods", ns, p["metadata"]["name"])
            else:
                conds = set_condition(conds, "Complete", "True", "CompletionsReached",
                                      "Reached expected number of succeeded pods", t, probe=True)
                status["completionTime"] = t
                self.event(job, "Completed", "Job completed", component="job-controller")
                mem["finished_at"] = now
            status["conditions"] = conds
            self._set_status("batch/jobs", job, self.job_status(status, 0, succeeded, failed, 0))
            return
        want = min(parallelism, (target - succeeded) if completions is not None else parallelism)
        indexed = spec.get("completionMode") == "Indexed"
        if len(active) < want:
            if now < mem["next_create"]:
                self.timer(mem["next_create"])
            else:
                done_idx = {(p["metadata"].get("annotations") or {}).get("batch.kubernetes.io/job-completion-index")
                            for p in pods if (p.get("status") or {}).get("phase") == "Succeeded"}
                busy_idx = {(p["metadata"].get("annotations") or {}).get("batch.kubernetes.io/job-completion-index")
                            for p in active}
                free_idx = [str(i) for i in range(target) if str(i) not in done_idx and str(i) not in busy_idx]
                for _ in range(want - len(active)):
                    extra, ann, pname = {}, {}, "%s-%s" % (name, rand5())
                    if indexed and free_idx:
                        idx = free_idx.pop(0)
                        extra = {"batch.kubernetes.io/job-completion-index": idx}
                        ann = {"batch.kubernetes.io/job-completion-index": idx}
                        pname = "%s-%s-%s" % (name, idx, rand5())
                    pod = self.new_pod(spec.get("template") or {}, ns, pname, owner_ref(job), extra, ann)
                    if indexed and ann:
                        pod["spec"].setdefault("hostname", "%s-%s" % (name, ann[
                            "batch.kubernetes.io/job-completion-index"]))
                    try:
                        pod = self._create("pods", pod)
                    except storemod.StoreError as e:
                        self._log("creating pod %s" % pod["metadata"]["name"], e)
                        break
                    active.append(pod)
                    self.event(job, "SuccessfulCreate", "Created pod: %s" % pod["metadata"]["name"],
                               component="job-controller")
                if failed:
                    mem["next_create"] = now + self.D(min(10 * 2 ** (failed - 1), 360))
        if failed and len(active) < want and mem["next_create"] > now:
            self.timer(mem["next_create"])
        if indexed:
            idx = sorted(int(i) for i in {(p["metadata"].get("annotations") or {}).get(
                "batch.kubernetes.io/job-completion-index") for p in pods
                if (p.get("status") or {}).get("phase") == "Succeeded"} if i is not None)
            if idx:
                status["completedIndexes"] = compress_ranges(idx)
        self._set_status("batch/jobs", job, self.job_status(status, len(active), succeeded, failed, ready))

    @staticmethod
    def job_status(status, active, succeeded, failed, ready):
        st = {k: v for k, v in status.items() if k not in ("active", "succeeded", "failed", "ready", "terminating",
                                                          "uncountedTerminatedPods")}
        if active:
            st["active"] = active
        if succeeded:
            st["succeeded"] = succeeded
        if failed:
            st["failed"] = failed
        st["ready"] = ready
        st["terminating"] = 0
        st["uncountedTerminatedPods"] = {}
        return st


def compress_ranges(nums):
    out, i = [], 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else "%d-%d" % (nums[i], nums[j]))
        i = j + 1
    return ",".join(out)
