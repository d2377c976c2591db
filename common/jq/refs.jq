# What Secrets, ConfigMaps and keys Kubernetes objects reference: the one
# definition both `secrets` (what to generate, what is missing) and
# `deploy` (preflight) use. Definitions only; a program uses them with
#   include "refs";
# as its first line (tools/embed.c inlines this file there at build time;
# `jq -L common/jq -f PROGRAM` runs a program the same way). Never looks at
# Secret values.

# The pod spec inside any workload kind (Deployment, StatefulSet, DaemonSet,
# Job, ReplicaSet, ...), a CronJob or a Pod; empty for other kinds.
def podspec:
  if .kind == "Pod" then .spec
  elif .kind == "CronJob" then .spec.jobTemplate.spec.template.spec
  else .spec.template.spec? end
  | select(type == "object");

# Every container of a pod spec: init and ephemeral ones too.
def containers: ((.containers // []) + (.initContainers // []) + (.ephemeralContainers // []))[];

# One reference made by $obj (the referring object).
#   resource: "secret" | "configmap"; name; key: null when the whole object is
#   meant (envFrom, a volume without items); via: secretKeyRef, configMapKeyRef,
#   envFrom, volume, imagePullSecrets, ingress; env: the variable it sets, or
#   null; optional; secretType: the Secret type the reference implies;
#   object: "Kind/name"; objectName, namespace: the referring object's.
def refs_ref($obj; $resource; $name; $key; $via; $env; $optional; $secretType):
  {resource: $resource, name: $name, key: $key, via: $via, env: $env,
   optional: ($optional == true), secretType: $secretType,
   object: "\($obj.kind)/\($obj.metadata.name // "?")",
   objectName: ($obj.metadata.name // "?"), namespace: $obj.metadata.namespace};

# Items of a secret or configMap volume source: one reference per item, or
# one for the whole object when there are none (absent or []).
def refs_items($obj; $resource; $name; $optional):
  if (.items // []) == [] then refs_ref($obj; $resource; $name; null; "volume"; null; $optional; "Opaque")
  else .items[] | refs_ref($obj; $resource; $name; .key; "volume"; null; $optional; "Opaque") end;

def refs_containers($obj):
  ((.env // [])[] | .name as $env | (.valueFrom // {})
   | ((.secretKeyRef // empty
       | refs_ref($obj; "secret"; .name; .key; "secretKeyRef"; $env; .optional; "Opaque")),
      (.configMapKeyRef // empty
       | refs_ref($obj; "configmap"; .name; .key; "configMapKeyRef"; $env; .optional; "Opaque")))),
  ((.envFrom // [])[]
   | ((.secretRef // empty | refs_ref($obj; "secret"; .name; null; "envFrom"; null; .optional; "Opaque")),
      (.configMapRef // empty | refs_ref($obj; "configmap"; .name; null; "envFrom"; null; .optional; "Opaque"))));

def refs_volumes($obj):
  (.volumes // [])[]
  | ((.secret // empty | refs_items($obj; "secret"; .secretName; .optional)),
     (.configMap // empty | refs_items($obj; "configmap"; .name; .optional)),
     ((.projected.sources // [])[]
      | ((.secret // empty | refs_items($obj; "secret"; .name; .optional)),
         (.configMap // empty | refs_items($obj; "configmap"; .name; .optional)))));

def refs_pull($obj):
  (.imagePullSecrets // [])[]
  | refs_ref($obj; "secret"; .name; ".dockerconfigjson"; "imagePullSecrets"; null; false;
             "kubernetes.io/dockerconfigjson");

# Every reference one object makes (input: the object).
def references:
  . as $obj
  | select(type == "object")
  | ((podspec | (containers | refs_containers($obj)), refs_volumes($obj), refs_pull($obj)),
     (select(.kind == "ServiceAccount") | refs_pull($obj)),
     (select(.kind == "Ingress") | (.spec.tls // [])[] | select(.secretName != null)
      | refs_ref($obj; "secret"; .secretName; "tls.crt"; "ingress"; null; false; "kubernetes.io/tls"),
        refs_ref($obj; "secret"; .secretName; "tls.key"; "ingress"; null; false; "kubernetes.io/tls")))
  | select(.name != null);
