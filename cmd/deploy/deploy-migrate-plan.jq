# deploy --migrate: the migration runs before the applications, so the
# NetworkPolicies (otherwise the edge phase's) go with the last phase before
# them. The migration's pod then has its way through the default deny to
# postgres and DNS when it starts, and finds the policy migrate-db's
# preflight asks for; the applications arrive with their policies in place.
# Input: deploy-plan.jq's plan. Output: the same plan, the policies moved.
. as $plan
# (Not index/1 on an array: libjq 1.6's jv_array_indexes leaks.)
| (first(.phases | to_entries[] | select(.value.name == "apps" or .value.name == "edge") | .key) // null)
  as $first
| if $first == null or $first == 0 then $plan
  else [$plan.phases[].objects[] | select(.kind == "NetworkPolicy")] as $policies
  | .phases |= [to_entries[] | .key as $i | .value
                | .objects |= (map(select(.kind != "NetworkPolicy"))
                               + (if $i == $first - 1 then $policies else [] end))
                | select(.objects | length > 0)]
  end
