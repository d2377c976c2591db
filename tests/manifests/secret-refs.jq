# Prints the Secrets and keys the manifests reference (see secret_refs in
# common.jq): what `kubectl crucible secrets` must produce.
include "common";
secret_refs
