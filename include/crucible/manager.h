/*
 * How the tools mark what they apply, in one place.
 *
 * - CR_FIELD_MANAGER: deploy's server-side apply field manager. An object
 *   with an Apply entry of this manager in its managedFields is one deploy
 *   applied, and only such objects are ever pruned by `deploy --prune`.
 *   A tool that applies one of deploy's own objects ahead of it (secrets
 *   apply creating the manifests' Namespace) uses it too, so deploy finds
 *   the object its own, unchanged, without conflicts.
 * - CR_FIELD_MANAGER_SECRETS: `secrets apply`'s field manager for the
 *   Secrets it creates. Not deploy's: deploy never prunes them (they hold
 *   the only copy of the passwords).
 * - The label every object of the platform carries, whichever tool applied
 *   it (deploy's watches select workloads by it).
 */
#ifndef CRUCIBLE_MANAGER_H
#define CRUCIBLE_MANAGER_H

#define CR_FIELD_MANAGER "kubectl-crucible"
#define CR_FIELD_MANAGER_SECRETS "kubectl-crucible-secrets"
#define CR_LABEL_MANAGED_BY "app.kubernetes.io/managed-by"
#define CR_LABEL_MANAGED_BY_VALUE "kubectl-crucible"

#endif
