/*
 * The objects as deploy applies them, for any tool that must see what deploy
 * would send (overlay diff): deploy-plan.jq's defaulting (the namespace for
 * objects without one, the tools' label on every object, Jobs left to
 * migrate-db) and its phase order.
 */
#ifndef CRUCIBLE_PLAN_H
#define CRUCIBLE_PLAN_H

#include <jv.h>

/* deploy-plan.jq's input for objects (consumed) going to namespace. */
jv cr_plan_input(jv objects, const char *namespace);
/* Every object deploy would apply, in its order (deploy-all of deploy-plan); objects consumed. */
jv cr_plan_ordered(jv objects, const char *namespace);

#endif
