# Every planned object, in phase order. Input: deploy-plan.jq's output.
[.phases[].objects[]]
