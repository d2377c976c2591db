# What is missing before a migration can run, from the objects found.
# Input: {objects (namespace, ServiceAccount, NetworkPolicy, StatefulSet,
# Deployment as found), keys (the Secret's key names, or null when it does
# not exist), namespace}. Output: {missing: [text], postgres: the
# StatefulSet or null, running: storage-service's live image or null}.
. as $in
| def found($kind; $name): any($in.objects[]; .kind == $kind and .metadata.name == $name);
  def one($kind; $name): first($in.objects[] | select(.kind == $kind and .metadata.name == $name)) // null;
{missing: (
   (if found("Namespace"; $in.namespace) then
      (if $in.keys == null then
         ["Secret db-credentials does not exist in namespace \($in.namespace): create it with `kubectl crucible secrets apply`"]
       # (any, not index: libjq 1.6's index on an array leaks the array's elements)
       elif ($in.keys | any(.[]; . == "database-url") | not) then
         ["Secret db-credentials has no key database-url (the migration's DATABASE_URL): set it with `kubectl crucible secrets apply`"]
       else [] end)
      + (if found("ServiceAccount"; "db-migrate") then [] else
           ["ServiceAccount db-migrate (from the base) does not exist: deploy the base first (`kubectl crucible deploy`)"] end)
      + (if found("NetworkPolicy"; "db-migrate") then [] else
           ["NetworkPolicy db-migrate (from the base) does not exist: deploy the base first (`kubectl crucible deploy`)"] end)
      + (if found("StatefulSet"; "postgres") then [] else
           ["StatefulSet postgres does not exist: deploy the base first (`kubectl crucible deploy`)"] end)
    else ["namespace \($in.namespace) does not exist: deploy the base first (`kubectl crucible deploy`)"] end)),
 postgres: one("StatefulSet"; "postgres"),
 running: (one("Deployment"; "storage-service") | if . == null then null else
           (.spec.template.spec.containers // [] | (map(select(.name == "storage-service")) + .)[0].image) end)}
