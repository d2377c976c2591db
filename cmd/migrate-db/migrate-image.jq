# The image the migration runs: storage-service's, the service that owns the
# schema, from the manifests being deployed (so the overlay decides it).
# Input: the loaded objects. Output: the image reference, or null.
first(.[] | select(.kind == "Deployment" and .metadata.name == "storage-service")
      | .spec.template.spec.containers // [] | (map(select(.name == "storage-service")) + .)[0].image
      | select(type == "string")) // null
