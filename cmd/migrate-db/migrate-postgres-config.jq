# The ConfigMap the postgres StatefulSet reads POSTGRES_USER and POSTGRES_DB
# from (envFrom), as rendered: kustomize's generator appends a hash to its
# name. Input: the loaded objects. Output: its name ("postgres-config" if none is named).
first(.[] | select(.kind == "StatefulSet" and .metadata.name == "postgres")
      | .spec.template.spec.containers // [] | (map(select(.name == "postgres")) + .)[0].envFrom // []
      | .[] | .configMapRef.name | select(type == "string")) // "postgres-config"
