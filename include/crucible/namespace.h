/*
 * The namespace a tool works in, decided as `kubectl apply -n` decides it:
 * objects that name a namespace keep it, and an -n that differs is an
 * error; objects that name none go to -n (default "crucible"). Without -n,
 * the one namespace the objects name.
 */
#ifndef CRUCIBLE_NAMESPACE_H
#define CRUCIBLE_NAMESPACE_H

#include <jv.h>

/*
 * Chooses the namespace for objects (an array, consumed; entries that are
 * not objects are skipped) and sets cr_opts.namespace to it. Returns
 * CR_EXIT_OK, or CR_EXIT_USAGE (an -n that disagrees) or CR_EXIT_INPUT
 * (two namespaces named; the message ends with ": " and advice, such as
 * "deploy one namespace at a time") with *err set (malloc'd).
 */
int cr_namespace_choose(jv objects, const char *advice, char **err);

#endif
