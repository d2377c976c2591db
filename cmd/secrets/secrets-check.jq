# Secrets in plain text in a list of manifests. Never outputs a value.
# Input: array of objects. Output: one finding per problem:
#   {index, path (array), object ("Kind/name"), key, reason}
# The first rule that matches a string wins, so each value is reported once.

# Files are read as written, not validated: any field may have any type, and
# a rule meets a number or a string where it expects a map without failing.
def objname: ((.metadata | objects | .name) // null) as $n | if $n then "\(.kind)/\($n)" else .kind end;

# Values people leave in place of a real secret.
def placeholder:
  type == "string" and (ascii_downcase | gsub("^\\s+|\\s+$"; "") as $v
  | ($v | test("change[-_ ]?me|changeit|replace[-_ ]?me|your[-_ ]?(password|secret|token)|^<.*>$"))
    or (["password", "passw0rd", "p@ssw0rd", "password1", "password123", "secret",
                       "s3cret", "supersecret", "mysecretpassword", "mypassword", "admin", "admin123",
                       "root", "toor", "123456", "12345678", "letmein", "default", "example", "xxx",
                       "xxxx", "todo", "fixme", "dummy", "test", "pass", "passwd", "qwerty"] | any(.[]; . == $v)));

def private_key: type == "string" and test("-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----");

# Well-known token shapes (the vendors publish these prefixes for scanners).
def token_kind:
  if test("\\b(AKIA|ASIA)[0-9A-Z]{16}\\b") then "an AWS access key id"
  elif test("\\bgh[pousr]_[A-Za-z0-9]{36,}\\b") or test("\\bgithub_pat_[A-Za-z0-9_]{22,}") then "a GitHub token"
  elif test("\\bglpat-[A-Za-z0-9_-]{20,}") then "a GitLab token"
  elif test("\\bxox[abposr]-[A-Za-z0-9-]{10,}") then "a Slack token"
  elif test("\\b[sr]k_live_[A-Za-z0-9]{16,}") then "a Stripe live key"
  elif test("\\bAIza[0-9A-Za-z_-]{35}\\b") then "a Google API key"
  elif test("\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}") then "a JSON Web Token"
  else null end;

# scheme://user:password@ where the password is literal, not $(VAR) or ${VAR}.
def url_credentials:
  [match("[A-Za-z][A-Za-z0-9+.-]*://[^:/@\\s]*:([^@/\\s]+)@"; "g") | .captures[0].string]
  | map(select(test("^\\$[({]|^\\$[A-Za-z_]") | not)) | length > 0;

# Variable or field names that announce a credential.
def secretish:
  type == "string" and (test("(^|[_.-])(password|passwd|pass|pwd|secret|token|credentials?|auth)$"; "i")
  or test("(api|secret|access|private|signing|encryption|master)[_-]?key$"; "i")
  or test("^(password|passwd|secret|token|apiKey|secretKey|accessKey|privateKey|clientSecret)$"; "i"));

# Literals that say nothing secret: booleans, numbers, references.
def harmless: test("^(true|false|yes|no|on|off|none|null|[0-9.]+|\\$\\(.+\\)|\\$\\{.+\\})$"; "i") or . == "";

def classify_text:
  if private_key then "private key in plain text"
  elif token_kind then "value looks like \(token_kind)"
  elif url_credentials then "credentials inline in a URL (user:password@); use a secretKeyRef"
  else null end;

# Position of $x in an array, or null. (libjq 1.6 leaks memory in index/1 on arrays.)
def pos($x): first(range(length) as $i | select(.[$i] == $x) | $i) // null;

# The entries of a list or map; nothing for a scalar.
def entries: (arrays, objects) | to_entries[];

def finding($i; $obj; $path; $key; $reason):
  {index: $i, path: $path, object: $obj, key: $key, reason: $reason};

# Readable key of a path: env.NAME, data.KEY, args[2], or the dotted path.
def keyname($o; $p):
  ($p | pos("env")) as $e
  | if $e != null and ($p[$e + 1] | type) == "number"
  then "env." + ($o | (try getpath($p[:$e + 2] + ["name"]) catch null) | strings // "?")
  elif ($p[-2] == "args" or $p[-2] == "command") then "\($p[-2])[\($p[-1])]"
  else $p | map(if type == "number" then "[\(.)]" else . end) | join(".") | gsub("\\.\\["; "[") end;

def secret_data($i; $o):
  ["data", "stringData"][] as $field
  | $o[$field] | objects | to_entries[] | select(.value != null and .value != "")
  | (if $field == "data" then (try (.value | @base64d) catch .value) else .value end) as $text
  | finding($i; $o | objname; [$field, .key]; "\($field).\(.key)";
      if ($text | private_key) then "private key in plain text in a Secret manifest"
      elif ($text | placeholder) then "placeholder value in a Secret manifest"
      else "plain-text value in a Secret manifest; commit a SealedSecret or let 'secrets apply' create it" end);

def generator_literals($i; $o):
  ($o.secretGenerator | entries | .key as $g | .value | objects as $gen
   | $gen.literals | entries
   | finding($i; $o | objname; ["secretGenerator", $g, "literals", .key];
       "secretGenerator[\($gen.name)].literals[\(.value | tostring | split("=")[0])]";
       "secretGenerator literal: the value sits in the kustomization")),
  ($o.configMapGenerator | entries | .key as $g | .value | objects as $gen
   | $gen.literals | entries
   | (.value | tostring | split("=")) as $kv | ($kv[1:] | join("=")) as $v
   | (($v | classify_text)
      // (if ($v | placeholder) then "placeholder value" else null end)
      // (if ($kv[0] | secretish) and ($v | harmless | not) then "credential in a ConfigMap; move it to a Secret" else null end)) as $r
   | select($r != null)
   | finding($i; $o | objname; ["configMapGenerator", $g, "literals", .key];
       "configMapGenerator[\($gen.name)].literals[\($kv[0])]"; $r));

# The rule for one string at path $p of object $o.
def string_reason($o; $p; $v):
  ($v | classify_text)
  // (if ($p[-1] == "value" and ($p | pos("env")) != null) then
        (if ($v | placeholder) then "placeholder value; use a secretKeyRef"
         elif (($o | getpath($p[:-1] + ["name"])) // "" | secretish) and ($v | harmless | not)
         then "literal value for a credential variable; use a secretKeyRef"
         else null end)
      elif ($o.kind == "ConfigMap" and $p[0] == "data") then
        (if ($v | placeholder) then "placeholder value in a ConfigMap"
         elif ($p[1] | secretish) and ($v | harmless | not) then "credential in a ConfigMap; move it to a Secret"
         else null end)
      elif ($p[-2] == "args" or $p[-2] == "command") then
        (if ($v | test("(^|[=\\s])(change[-_]?me|changeit)($|\\s)"; "i")) then "placeholder value in a command line"
         else null end)
      elif ($p[-1] | type) == "string" and ($p[-1] | secretish)
           and ($p[-1] | test("(Name|Ref|Path|File|Namespace|Field|Key)$") | not)
           and $p[0] != "metadata" and ($v | harmless | not) then
        (if ($v | placeholder) then "placeholder value" else "credential inline in the manifest; use a Secret" end)
      else null end);

def scan($i; $o):
  if $o.kind == "SealedSecret" then empty
  elif $o.kind == "Secret" then secret_data($i; $o)
  elif $o.kind == "Kustomization" then generator_literals($i; $o)
  else
    $o | paths(type == "string") as $p
    | ($o | getpath($p)) as $v
    | string_reason($o; $p; $v) as $r
    | select($r != null)
    | finding($i; $o | objname; $p; keyname($o; $p); $r)
  end;

# Documents that are not objects (a JSON patch, a values file) get the rules
# that need no Kubernetes context.
def scan_plain($i; $d):
  $d | paths(type == "string") as $p
  | ($d | getpath($p) | classify_text) as $r
  | select($r != null)
  | finding($i; "document"; $p; keyname($d; $p); $r);

to_entries[] | .key as $i | .value as $d
| if ($d | type) != "object" or ($d.kind | type) != "string" then scan_plain($i; $d)
  elif $d.kind == "List" and ($d.items | type) == "array" then
    $d.items | to_entries[] | .key as $j
    | if (.value | type) == "object" then scan($i; .value) else scan_plain($i; .value) end
    | .path = ["items", $j] + .path
  elif $d.kind == "List" then scan_plain($i; $d)
  else scan($i; $d) end
