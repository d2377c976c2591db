# References between objects: every Secret reference is one the secrets tool
# produces (--slurpfile secrets secrets.json), every ConfigMap, claim and
# ServiceAccount reference names an object of the render, sensitive values
# come only from Secrets, and no Secret object is part of the manifests.
# --arg variant: with "base", every documented Secret key must also be used,
# and the migration Job must use the image storage-service runs.
include "common";

. as $all
| $secrets[0] as $documented
| ($all | secret_refs) as $used
| [$all[] | select(.kind == "ConfigMap")] as $cms
| [$all[] | select(.kind == "PersistentVolumeClaim") | .metadata.name] as $pvcs
| def cm($n): [$cms[] | select(.metadata.name == $n)][0];
  (
    # Secrets: referenced == documented (both ways in the base).
    ( $used | to_entries[] | .key as $s | .value[] | . as $k
      | if $documented[$s] == null then "Secret \($s) is referenced but not produced by the secrets tool (tests/manifests/secrets.json)"
        elif . == "*" then "Secret \($s) is referenced whole (envFrom/volume): reference its keys"
        elif ($documented[$s] | index([$k])) == null then "Secret \($s) key \(.) is referenced but not produced by the secrets tool"
        else empty end ),
    ( if $variant == "base" then
        $documented | to_entries[] | .key as $s | .value[] | . as $k
        | select((($used[$s] // []) | index([$k])) == null)
        | "Secret \($s) key \(.) is documented but no manifest references it"
      else empty end ),
    ( $all[] | select(.kind == "Secret") | "the manifests contain a Secret (\(.metadata.name)): Secrets come from the secrets tool" ),

    # Pod templates' references.
    ( pod_templates
      | .id as $id | .spec as $s | .claims as $claims
      | ( ($s.initContainers // [])[], ($s.containers // [])[]
          | "\($id) container \(.name)" as $where
          | ( .envFrom[]?.configMapRef // empty | .name
              | if cm(.) == null then "\($where): envFrom ConfigMap \(.) is not defined" else empty end ),
            ( .env[]?.valueFrom.configMapKeyRef // empty
              | if cm(.name) == null then "\($where): ConfigMap \(.name) is not defined"
                elif cm(.name).data[.key] == null then "\($where): ConfigMap \(.name) has no key \(.key)"
                else empty end ),
            # Anything that looks like a credential comes from a Secret.
            ( .env[]? | select(.name | test("PASSWORD|SECRET|TOKEN|_KEY$|_AUTH$|DATABASE_URL|REDIS_URL|BROKER_URL|RESULT_BACKEND"))
              | select(.valueFrom.secretKeyRef == null)
              | "\($where): \(.name) is not taken from a Secret" ),
            ( .env[]? | select((.value // "") | test("://[^/@\\s]*:[^/@\\s]*@"))
              | "\($where): \(.name) holds credentials in a URL" ) ),
        ( $s.volumes[]?
          | if .configMap then (.configMap.name | if cm(.) == null then "\($id): volume ConfigMap \(.) is not defined" else empty end)
            elif .persistentVolumeClaim then (.persistentVolumeClaim.claimName as $claim
              | if ($pvcs | index([$claim])) == null then "\($id): claim \($claim) is not defined" else empty end)
            else empty end ) ),

    # ConfigMap contents never carry credentials either.
    ( $cms[] | .metadata.name as $n | (.data // {}) | to_entries[]
      | select((.key | test("PASSWORD|SECRET|TOKEN"; "i")) or (.value | test("://[^/@\\s]*:[^/@\\s]*@") ) or (.value | test("(?m)^\\s*requirepass\\s")))
      | "ConfigMap \($n): \(.key) looks like a credential" ),

    # The migration Job runs storage-service's image (in the base: overlays
    # rewrite the Deployment's image, and migrate-db the Job's).
    ( if $variant == "base" then
        ([$all[] | select(.kind == "Job" and .metadata.name == "db-migrate") | .spec.template.spec.containers[0].image][0]) as $job
        | ([$all[] | select(.kind == "Deployment" and .metadata.name == "storage-service") | .spec.template.spec.containers[0].image][0]) as $svc
        | if $job == null then "no db-migrate Job template"
          elif $job != $svc then "db-migrate runs \($job), storage-service runs \($svc)"
          else empty end
      else empty end )
  )
