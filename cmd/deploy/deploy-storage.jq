# Preflight warnings: claims whose StorageClass is missing or whose access
# modes its provisioner cannot give (a StorageClass does not declare its modes,
# so known block-storage provisioners stand for "ReadWriteOnce only").
# Input: {objects: [planned], live: [cluster objects incl. StorageClasses]}
# Output: [warning strings]

def rwo_only:
  . as $p
  | ["rancher.io/local-path", "kubernetes.io/aws-ebs", "ebs.csi.aws.com", "kubernetes.io/gce-pd",
     "pd.csi.storage.gke.io", "kubernetes.io/azure-disk", "disk.csi.azure.com", "kubernetes.io/cinder",
     "cinder.csi.openstack.org", "openebs.io/local", "topolvm.io", "topolvm.cybozu.com",
     "kubernetes.io/host-path", "hostpath.csi.k8s.io", "driver.longhorn.io/rwo"] | any(.[]; . == $p);

([.live[], .objects[]] | map(select(.kind == "StorageClass")) | map({(.metadata.name): .}) | add // {}) as $classes
| ([$classes[] | select(.metadata.annotations["storageclass.kubernetes.io/is-default-class"] == "true")] | first // null) as $default
| [.objects[]
   | select(.kind == "PersistentVolumeClaim")
   | . as $pvc
   | (.spec.accessModes // ["ReadWriteOnce"]) as $modes
   | (if .spec | has("storageClassName") then .spec.storageClassName else ($default.metadata.name // null) end) as $name
   | if $name == null then "pvc \(.metadata.name): no storageClassName and no default StorageClass; it will stay Pending unless a PersistentVolume matches"
     elif $name == "" then empty
     elif $classes[$name] == null then "pvc \(.metadata.name): StorageClass \"\($name)\" does not exist; the claim will stay Pending"
     elif ($modes | map(select(. != "ReadWriteOnce" and . != "ReadWriteOncePod")) | length) > 0 and ($classes[$name].provisioner | rwo_only)
     then "pvc \(.metadata.name) asks for \($modes | join(",")) but StorageClass \"\($name)\" (\($classes[$name].provisioner)) only provides ReadWriteOnce volumes; the claim will not bind"
     else empty end]
