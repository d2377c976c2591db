# Every reference to a Secret in a list of Kubernetes objects (rendered
# manifests, or the workloads of a namespace). Never looks at Secret values.
# Output: {refs: [{secret, key, via, env, object, optional, type}],
#          secrets: [{name, type, keys, refs}], env: {ENV: ["secret/key"]},
#          vars: {NAME: value}}
# key is null where the manifests do not say (envFrom, a whole-Secret volume).

def objname: "\(.kind)/\(.metadata.name // "?")";

# The pod spec inside any workload kind.
def podspec:
  if .kind == "Pod" then .spec
  elif .kind == "CronJob" then .spec.jobTemplate.spec.template.spec
  else .spec.template.spec? end
  | select(type == "object");

def containers: ((.containers // []) + (.initContainers // []) + (.ephemeralContainers // []))[];

def ref($obj; $secret; $key; $via; $env; $optional; $type):
  {secret: $secret, key: $key, via: $via, env: $env, object: $obj,
   optional: ($optional == true), type: $type};

def container_refs($obj):
  ((.env // [])[] | select(.valueFrom.secretKeyRef? != null)
   | .valueFrom.secretKeyRef as $r
   | ref($obj; $r.name; $r.key; "secretKeyRef"; .name; $r.optional; "Opaque")),
  ((.envFrom // [])[] | select(.secretRef? != null)
   | ref($obj; .secretRef.name; null; "envFrom"; null; .secretRef.optional; "Opaque"));

def volume_refs($obj):
  (.volumes // [])[]
  | ((.secret? // empty) as $s
     | if ($s.items // []) == [] then ref($obj; $s.secretName; null; "volume"; null; $s.optional; "Opaque")
       else $s.items[] | ref($obj; $s.secretName; .key; "volume"; null; $s.optional; "Opaque") end),
    ((.projected?.sources // [])[] | .secret? // empty | . as $s
     | if ($s.items // []) == [] then ref($obj; $s.name; null; "volume"; null; $s.optional; "Opaque")
       else $s.items[] | ref($obj; $s.name; .key; "volume"; null; $s.optional; "Opaque") end);

def pull_refs($obj):
  (.imagePullSecrets // [])[]
  | ref($obj; .name; ".dockerconfigjson"; "imagePullSecrets"; null; false; "kubernetes.io/dockerconfigjson");

def object_refs:
  objname as $obj
  | (podspec | (containers | container_refs($obj)), volume_refs($obj), pull_refs($obj)),
    (select(.kind == "ServiceAccount") | pull_refs($obj)),
    (select(.kind == "Ingress") | (.spec.tls // [])[] | select(.secretName != null)
     | ref($obj; .secretName; "tls.crt"; "ingress"; null; false; "kubernetes.io/tls"),
       ref($obj; .secretName; "tls.key"; "ingress"; null; false; "kubernetes.io/tls"));

# Plain settings a template may use ({$POSTGRES_USER}): ConfigMap data and
# literal env values; the first definition wins.
def vars:
  reduce ((.[] | select(.kind == "ConfigMap") | (.data // {}) | to_entries[]),
          (.[] | podspec | containers | (.env // [])[] | select(.value != null)
           | {key: .name, value: .value}))
    as $e ({}; if has($e.key) then . else .[$e.key] = ($e.value | tostring) end);

[.[] | select(type == "object") | object_refs | select(.secret != null)] as $refs
| {
    refs: $refs,
    secrets: ($refs | group_by(.secret) | map({
      name: .[0].secret,
      type: ((map(.type) | map(select(. != "Opaque")) | first) // "Opaque"),
      keys: (map(.key | select(. != null)) | unique),
      refs: (map(.object) | unique)
    })),
    env: (reduce ($refs[] | select(.env != null and .key != null)) as $r
          ({}; .[$r.env] = ((.[$r.env] // []) + ["\($r.secret)/\($r.key)"] | unique))),
    vars: vars
  }
