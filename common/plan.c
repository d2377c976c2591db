/* The objects as deploy applies them (see crucible/plan.h). */
#include "crucible/jq.h"
#include "crucible/manager.h"
#include "crucible/plan.h"

jv cr_plan_input(jv objects, const char *namespace)
{
	return JV_OBJECT(jv_string("objects"), objects, jv_string("namespace"), jv_string(namespace),
			 jv_string("labels"), JV_OBJECT(jv_string(CR_LABEL_MANAGED_BY), jv_string(CR_LABEL_MANAGED_BY_VALUE)));
}

jv cr_plan_ordered(jv objects, const char *namespace)
{
	return cr_jq_named_first("deploy-all", cr_jq_named_first("deploy-plan", cr_plan_input(objects, namespace)));
}
