"""Simulated control plane: controllers, scheduler, kubelets and provisioners.

One daemon thread runs a level-triggered reconcile loop.  Each pass holds
store.lock and touches objects only through the store API (so watches see
every change and resourceVersions advance).  Statuses are written only when
they change.

Time: durations that Kubernetes expresses in seconds (back-offs, probe delays,
progressDeadlineSeconds, activeDeadlineSeconds, a scenario's runSeconds) are
"simulated seconds".  One real second is timeScale * speed simulated seconds
(timeScale defaults to 20, so with --speed 1 a pod is Ready in about 0.3-0.5 s,
and --speed 0.05 runs in real time).  Timestamps written into objects are wall
clock; messages quote the nominal durations ("back-off 20s").

Each controller is a mixin in its own module, over the shared core:

  core.py         reconcile loop, simulated time, store access, events, helpers
  nodes.py        Node objects from the scenario
  storage.py      StorageClasses, PVC binding, PersistentVolumes
  deployment.py   Deployments and ReplicaSets
  statefulset.py  StatefulSets
  daemonset.py    DaemonSets
  job.py          Jobs
  scheduler.py    pod placement
  kubelet.py      pods, containers, probes, logs
  endpoints.py    Endpoints and EndpointSlices
"""

from .core import (ALNUM, DEFAULT_TIME_SCALE, LOCAL_PATH_COMPONENT, MAX_BACKOFF, NFS_COMPONENT,
                   PROVISIONERS_RWO_ONLY, RO_MOUNT, SCHEDULER_INSTANCE, SHARED_PROVISIONER,
                   STANDARD_PROVISIONER, match_selector, container_requests, controller_ref, deep_eq,
                   fake_digest, fake_id, fnv32a, get_condition, go_duration, int_or_percent, owner_ref,
                   parse_quantity, pod_active, pod_ready, pod_requests, qos_class, rand5, safe_encode,
                   set_condition, template_hash, wall, wall_micro)  # noqa: F401 (the helpers tests use)
from .core import Core
from .daemonset import DaemonSets
from .deployment import Deployments
from .endpoints import Endpoints
from .job import Jobs
from .kubelet import CRun, Kubelets, PRun  # noqa: F401
from .nodes import Nodes
from .scheduler import Scheduler
from .statefulset import StatefulSets
from .storage import Storage


class Controllers(Core, Nodes, Storage, Deployments, StatefulSets, DaemonSets, Jobs, Scheduler, Kubelets,
                  Endpoints):
    """The whole control plane: Core.reconcile_once() calls each controller's sync in turn."""
