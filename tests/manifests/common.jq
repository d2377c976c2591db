# Shared definitions for the manifest checks (jq 1.6). Every check program
# reads ONE input: the array of rendered objects (kubectl kustomize output,
# converted to JSON, plus the Job template), and prints one line per problem;
# no output means the check passed.

def kinds($ks): select(.kind as $k | $ks | index([$k]));

# Pod templates: {id: "Kind/name", kind, name, labels, spec, claims, job}
# (claims: a StatefulSet's volumeClaimTemplates names, volumes of its pods).
def pod_templates:
  .[] | kinds(["Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"])
  | {id: "\(.kind)/\(.metadata.name)", kind, name: .metadata.name,
     labels: (.spec.template.metadata.labels // {}), spec: .spec.template.spec,
     claims: [.spec.volumeClaimTemplates[]?.metadata.name], job: .spec};

# Containers of a pod template, init containers included: {c, init}.
def all_containers:
  ((.spec.initContainers // [])[] | {c: ., init: true}),
  ((.spec.containers // [])[] | {c: ., init: false});

# matchLabels semantics; an empty selector matches everything.
def selects($sel; $labels):
  ($sel // {}) | to_entries | all(.value as $v | $labels[.key] == $v);

def named($kind; $name): .[] | select(.kind == $kind and .metadata.name == $name);

# Quantities to numbers: cpu in cores, memory/storage in bytes.
def cpu: tostring | if test("m$") then (.[:-1] | tonumber) / 1000 else tonumber end;
def bytes:
  tostring
  | capture("^(?<n>[0-9.]+)(?<u>[A-Za-z]*)$")
  | (.n | tonumber) * ({"": 1, "k": 1000, "M": 1e6, "G": 1e9, "T": 1e12,
                        "Ki": 1024, "Mi": 1048576, "Gi": 1073741824, "Ti": 1099511627776}[.u]);

# The Secrets and keys the manifests reference, derived from the manifests:
# {"secret-name": ["key", ...], ...}, names and keys sorted. Sources: env
# valueFrom.secretKeyRef, envFrom.secretRef (key "*": the whole Secret),
# secret volumes (their items' keys, or "*"), imagePullSecrets ("*").
def secret_refs:
  [ pod_templates
    | .spec as $s
    | ( ($s.initContainers // [])[], ($s.containers // [])[]
        | (.env[]?.valueFrom.secretKeyRef // empty | {name, key}),
          (.envFrom[]?.secretRef // empty | {name, key: "*"}) ),
      ( $s.volumes[]? | .secret // empty
        | if .items then (.secretName as $n | .items[] | {name: $n, key}) else {name: .secretName, key: "*"} end ),
      ( $s.imagePullSecrets[]? | {name, key: "*"} )
  ]
  | group_by(.name)
  | map({key: .[0].name, value: (map(.key) | unique)})
  | from_entries;
