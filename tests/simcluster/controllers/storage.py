"""Storage: StorageClasses, PersistentVolumeClaim binding by the provisioners, PersistentVolumes."""

from .core import (LOCAL_PATH_COMPONENT, MAX_BACKOFF, NFS_COMPONENT, PROVISIONERS_RWO_ONLY,
                   SHARED_PROVISIONER, STANDARD_PROVISIONER)


class Storage:
    # ------------------------------------------------------------ storage

    def class_modes(self, sc):
        """Access modes a class's provisioner accepts."""
        over = (self.scenario.cluster().get("storageClasses") or {}).get(sc["metadata"]["name"]) or {}
        if "accessModes" in over:
            return set(over["accessModes"])
        if sc.get("provisioner") in PROVISIONERS_RWO_ONLY:
            return {"ReadWriteOnce"}
        return {"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"}

    def sync_storage_classes(self):
        cl = self.scenario.cluster()
        rwx = cl.get("rwx", True)
        std = self.store.get("storage.k8s.io/storageclasses", None, "standard")
        if std is None and "standard" not in self._managed_classes:
            self._managed_classes.add("standard")
            self._create("storage.k8s.io/storageclasses", {
                "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                "metadata": {"name": "standard",
                             "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
                "provisioner": STANDARD_PROVISIONER, "reclaimPolicy": "Delete",
                "volumeBindingMode": "Immediate"})
        shared = self.store.get("storage.k8s.io/storageclasses", None, "shared")
        if rwx and shared is None:
            self._managed_classes.add("shared")
            self._create("storage.k8s.io/storageclasses", {
                "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                "metadata": {"name": "shared"},
                "provisioner": SHARED_PROVISIONER, "reclaimPolicy": "Delete",
                "volumeBindingMode": "Immediate", "mountOptions": ["nfsvers=4.1"],
                "parameters": {"server": "nfs-server.kube-system.svc.cluster.local", "share": "/"}})
        elif not rwx and shared is not None and shared.get("provisioner") == SHARED_PROVISIONER:
            self._delete("storage.k8s.io/storageclasses", None, "shared")

    def default_class(self):
        for sc in self.store.list("storage.k8s.io/storageclasses"):
            ann = sc["metadata"].get("annotations") or {}
            if ann.get("storageclass.kubernetes.io/is-default-class") == "true":
                return sc
        return None

    def sync_pvcs(self, now):
        for pvc in self.store.list("persistentvolumeclaims"):
            md = pvc["metadata"]
            if md.get("deletionTimestamp") or (pvc.get("status") or {}).get("phase") == "Bound":
                continue
            spec = pvc.get("spec") or {}
            st = self._pvc.setdefault(md["uid"], {"seen": now, "announced": False, "next_fail": 0.0})
            if "storageClassName" not in spec or spec.get("storageClassName") is None:
                dc = self.default_class()
                if dc is not None:
                    pvc["spec"] = dict(spec, storageClassName=dc["metadata"]["name"])
                    self._update_meta_spec("persistentvolumeclaims", pvc)
                    continue
            scname = spec.get("storageClassName")
            if not scname:
                if now >= st["next_fail"]:
                    self.event(pvc, "FailedBinding",
                               "no persistent volumes available for this claim and no storage class is set",
                               component="persistentvolume-controller")
                    st["next_fail"] = now + self.D(15)
                self.timer(st["next_fail"])
                continue
            sc = self.store.get("storage.k8s.io/storageclasses", None, scname)
            if sc is None:
                if now >= st["next_fail"]:
                    self.event(pvc, "ProvisioningFailed", 'storageclass.storage.k8s.io "%s" not found' % scname,
                               "Warning", component="persistentvolume-controller")
                    st["next_fail"] = now + self.D(15)
                self.timer(st["next_fail"])
                continue
            prov = sc.get("provisioner", "")
            if prov == "kubernetes.io/no-provisioner":
                if now >= st["next_fail"]:
                    if sc.get("volumeBindingMode") == "WaitForFirstConsumer":
                        self.event(pvc, "WaitForFirstConsumer",
                                   "waiting for first consumer to be created before binding",
                                   component="persistentvolume-controller")
                    else:
                        self.event(pvc, "FailedBinding", "no persistent volumes available for this claim and "
                                   "no storage class is set", component="persistentvolume-controller")
                    st["next_fail"] = now + self.D(15)
                self.timer(st["next_fail"])
                continue
            comp = LOCAL_PATH_COMPONENT if prov == STANDARD_PROVISIONER else \
                NFS_COMPONENT if prov == SHARED_PROVISIONER else prov
            ann = md.get("annotations") or {}
            if ann.get("volume.kubernetes.io/storage-provisioner") != prov:
                ann = dict(ann)
                ann["volume.beta.kubernetes.io/storage-provisioner"] = prov
                ann["volume.kubernetes.io/storage-provisioner"] = prov
                md["annotations"] = ann
                self._update_meta_spec("persistentvolumeclaims", pvc)
                self.event(pvc, "ExternalProvisioning",
                           "Waiting for a volume to be created either by the external provisioner '%s' or manually "
                           "by the system administrator. If volume creation is delayed, please verify that the "
                           "provisioner is running and correctly registered." % prov,
                           component="persistentvolume-controller")
                continue
            if not st["announced"]:
                st["announced"] = True
                st["ready_at"] = now + self.D(1.0)
                self.event(pvc, "Provisioning", 'External provisioner is provisioning volume for claim "%s/%s"'
                           % (md["namespace"], md["name"]), component=comp)
            modes = set(spec.get("accessModes") or ["ReadWriteOnce"])
            bad = modes - self.class_modes(sc)
            if bad:
                if now >= st["next_fail"]:
                    if prov == STANDARD_PROVISIONER:
                        err = "Only support ReadWriteOnce access mode"
                    else:
                        err = ("rpc error: code = InvalidArgument desc = Volume capabilities %s not supported. "
                               "Only AccessModes[ReadWriteOnce] supported." % ",".join(
                                   {"ReadWriteMany": "MULTI_NODE_MULTI_WRITER", "ReadOnlyMany":
                                    "MULTI_NODE_READER_ONLY", "ReadWriteOncePod": "SINGLE_NODE_SINGLE_WRITER"}.get(
                                       m, m) for m in sorted(bad)))
                    self.event(pvc, "ProvisioningFailed", 'failed to provision volume with StorageClass "%s": %s'
                               % (scname, err), "Warning", component=comp)
                    st["fails"] = st.get("fails", 0) + 1
                    st["next_fail"] = now + self.D(min(15 * 2 ** (st["fails"] - 1), MAX_BACKOFF))
                self.timer(st["next_fail"])
                continue
            if now < st["ready_at"]:
                self.timer(st["ready_at"])
                continue
            self.bind_pvc(pvc, sc, comp)

    def bind_pvc(self, pvc, sc, comp):
        md = pvc["metadata"]
        spec = pvc["spec"]
        pvname = "pvc-" + md["uid"]
        size = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
        modes = spec.get("accessModes") or ["ReadWriteOnce"]
        prov = sc.get("provisioner")
        pv = {"apiVersion": "v1", "kind": "PersistentVolume",
              "metadata": {"name": pvname, "annotations": {"pv.kubernetes.io/provisioned-by": prov}},
              "spec": {"accessModes": modes, "capacity": {"storage": size},
                       "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": md["name"],
                                    "namespace": md["namespace"], "uid": md["uid"],
                                    "resourceVersion": md.get("resourceVersion")},
                       "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy", "Delete"),
                       "storageClassName": sc["metadata"]["name"], "volumeMode": spec.get("volumeMode",
                                                                                          "Filesystem")},
              "status": {"phase": "Bound"}}
        if prov == SHARED_PROVISIONER:
            pv["spec"]["csi"] = {"driver": prov, "volumeHandle": "nfs-server.kube-system.svc.cluster.local##"
                                 + pvname + "##", "volumeAttributes": {"server": "nfs-server.kube-system.svc."
                                                                       "cluster.local", "share": "/",
                                                                       "subdir": pvname}}
            pv["spec"]["mountOptions"] = sc.get("mountOptions") or []
        else:
            pv["spec"]["hostPath"] = {"path": "/var/local-path-provisioner/%s_%s_%s" % (pvname, md["namespace"],
                                                                                        md["name"]),
                                      "type": "DirectoryOrCreate"}
        if self.store.get("persistentvolumes", None, pvname) is None:
            self._create_if_absent("persistentvolumes", pv)
        ann = dict(md.get("annotations") or {})
        ann["pv.kubernetes.io/bind-completed"] = "yes"
        ann["pv.kubernetes.io/bound-by-controller"] = "yes"
        md["annotations"] = ann
        pvc["spec"] = dict(spec, volumeName=pvname)
        pvc = self._update_meta_spec("persistentvolumeclaims", pvc)
        self._set_status("persistentvolumeclaims", pvc, {"phase": "Bound", "accessModes": modes,
                                                         "capacity": {"storage": size}})
        self.event(pvc, "ProvisioningSucceeded", "Successfully provisioned volume %s" % pvname, component=comp)

    def sync_pvs(self):
        claims = {p["metadata"]["uid"] for p in self.store.list("persistentvolumeclaims")}
        for pv in self.store.list("persistentvolumes"):
            ref = (pv.get("spec") or {}).get("claimRef") or {}
            ann = pv["metadata"].get("annotations") or {}
            if ref.get("uid") and ref["uid"] not in claims and ann.get("pv.kubernetes.io/provisioned-by") and \
                    pv["spec"].get("persistentVolumeReclaimPolicy", "Delete") == "Delete":
                self._delete("persistentvolumes", None, pv["metadata"]["name"])
