/*
 * How the tools mark what they apply: the server-side apply field manager and
 * the label of every object `deploy` applies. A tool that applies one of
 * deploy's objects ahead of it (secrets apply creating the Namespace) uses
 * the same, so deploy finds the object its own, unchanged, without conflicts.
 */
#ifndef CRUCIBLE_MANAGER_H
#define CRUCIBLE_MANAGER_H

#define CR_FIELD_MANAGER "kubectl-crucible"
#define CR_LABEL_MANAGED_BY "app.kubernetes.io/managed-by"
#define CR_LABEL_MANAGED_BY_VALUE "kubectl-crucible"

#endif
