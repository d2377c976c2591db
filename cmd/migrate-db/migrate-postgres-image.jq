# The postgres StatefulSet's image (the backup's pg_dump must match the server).
# Input: the loaded objects. Output: the image reference, or null.
first(.[] | select(.kind == "StatefulSet" and .metadata.name == "postgres")
      | .spec.template.spec.containers // [] | (map(select(.name == "postgres")) + .)[0].image
      | select(type == "string")) // null
