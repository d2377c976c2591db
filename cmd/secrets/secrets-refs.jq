include "refs";
# The Secrets a list of Kubernetes objects references (rendered manifests, or
# the workloads of a namespace), shaped for `secrets` (common/jq/refs.jq finds
# the references). Never looks at Secret values.
# Output: {refs: [{secret, key, via, env, object, optional, type}],
#          secrets: [{name, type, keys, refs}], env: {ENV: ["secret/key"]},
#          vars: {NAME: value}}
# key is null where the manifests do not say (envFrom, a whole-Secret volume).

# Plain settings a template may use ({$POSTGRES_USER}): ConfigMap data and
# literal env values; the first definition wins.
def vars:
  reduce ((.[] | select(.kind == "ConfigMap") | (.data // {}) | to_entries[]),
          (.[] | select(type == "object") | podspec | containers | (.env // [])[] | select(.value != null)
           | {key: .name, value: .value}))
    as $e ({}; if has($e.key) then . else .[$e.key] = ($e.value | tostring) end);

[.[] | references | select(.resource == "secret")
 | {secret: .name, key, via, env, object, optional, type: .secretType}] as $refs
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
