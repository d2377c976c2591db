#!/usr/bin/env bash
# The plugin as krew users get it: krew's own validate-krew-manifest passes
# the manifest, real krew installs `make dist`'s archive (own KREW_ROOT),
# the plugin, every step and completion work through krew's layout, and
# uninstall leaves nothing behind. krew is built from its Go module into a
# cache (scripts/krew-tools.sh); without Go these checks skip and the
# manifest is checked against krew's documented rules instead.
. "$(dirname "$0")/../lib.sh"
O=$(dirname "$BIN")
if make -s -C "$TOP" dist O="$O" >"$T/out" 2>&1; then ok "make dist succeeds"; else not_ok "make dist succeeds" "$(tail -5 "$T/out")"; fi
archive=$O/dist/kubectl-crucible-linux-amd64.tar.gz
# The index names a plugin's manifest after the plugin: validate-krew-manifest checks it.
cp "$O/dist/krew-manifest.yaml" "$T/crucible.yaml"

# krew's unpacker refuses symlinks (tar type '2'): the archive has none.
tar -tvzf "$archive" | grep '^l' >"$T/links"
if [ -s "$T/links" ]; then not_ok "the archive has no symlinks (krew cannot unpack them)" "$(cat "$T/links")"; else ok "the archive has no symlinks (krew cannot unpack them)"; fi

# The shared libraries: each one a binary needs resolves, to a Debian package
# the README and the manifest's caveats name (the archive links them dynamically).
runtime=$(sed -n 's/^Runtime packages (Debian): //p' "$TOP/README.md")
[ -n "$runtime" ] && ok "the README names the runtime packages" || not_ok "the README names the runtime packages"
for b in "$BIN"/kubectl-crucible "$BIN"/kubectl-crucible-*; do
	[ -L "$b" ] && continue
	if ldd "$b" | grep -q 'libasan'; then skip "ldd ${b##*/}: sanitizer build, its runtime is the compiler's"; continue; fi
	bad=
	for lib in $(ldd "$b" | awk '$2 == "=>" { print $3 == "not" ? "MISSING:" $1 : $3 }'); do
		case $lib in MISSING:*) bad="$bad ${lib#MISSING:} (not found)"; continue ;; esac
		pkg=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | head -n 1 | cut -d: -f1)
		[ -n "$pkg" ] || pkg=$(dpkg -S "$lib" 2>/dev/null | head -n 1 | cut -d: -f1)
		case " $runtime " in *" $pkg "*) ;; *) bad="$bad $lib (package '${pkg:-none}' not named)" ;; esac
		[ "$pkg" = libc6 ] || grep -qw -- "$pkg" "$T/crucible.yaml" || bad="$bad $pkg (not in the manifest)"
	done
	same "every library ${b##*/} needs resolves to a named package" "${bad:-none}" none
done

tools=$(bash "$TOP/scripts/krew-tools.sh" "$TOP/build/krew-tools")
case $? in
0) ;;
3) tools= why="no Go toolchain on PATH to build krew" ;;
*) tools= why="building krew failed (see build/krew-tools/build.log)" ;;
esac

if [ -z "$tools" ]; then
	echo "# krew not available ($why): checking the manifest against krew's documented rules instead"
	m=$T/crucible.yaml
	same "rules: metadata.name is the file's name" "$(sed -n 's/^  name: //p' "$m")" crucible
	contains "rules: apiVersion krew v1alpha2" "$m" "apiVersion: krew.googlecontainertools.github.com/v1alpha2"
	same "rules: one bin per platform" "$(grep -c '^    bin: ' "$m")" "$(grep -c '^  - selector:' "$m")"
	grep -Eq '^    sha256: [0-9a-f]{64}$' "$m" && ok "rules: sha256 is 64 hex digits" || not_ok "rules: sha256 is 64 hex digits"
	contains "rules: platforms select on os" "$m" "os: linux"
	contains "rules: files are selected with from/to" "$m" "- from: bin/*"
	contains "rules: a LICENSE file is installed" "$m" "- from: LICENSE"
	grep -Eq '^  version: v[0-9]+\.[0-9]+\.[0-9]+$' "$m" && ok "rules: version is semver with a v" || not_ok "rules: version is semver with a v"
	skip "krew install/uninstall: $why"
	done_testing
fi
echo "# using krew $(cat "$TOP/build/krew-tools/version") built from its Go module"

# validate-krew-manifest's own install step downloads the uri, which a build
# machine cannot reach: the install is done below from the archive instead.
if "$tools/validate-krew-manifest" -skip-install -manifest "$T/crucible.yaml" >"$T/out" 2>&1; then
	ok "validate-krew-manifest passes the manifest"
else
	not_ok "validate-krew-manifest passes the manifest" "$(grep -v '^goroutine\|^	' "$T/out" | tail -5)"
fi
# ... and it can fail: a manifest whose name is not its file's.
cp "$T/crucible.yaml" "$T/other.yaml"
expect_exit 255 "validate-krew-manifest refuses a manifest not named after the plugin" \
	"$tools/validate-krew-manifest" -skip-install -manifest "$T/other.yaml"

export KREW_ROOT=$T/krew
mkdir -p "$T/kbin" && ln -s "$tools/krew" "$T/kbin/kubectl-krew"
# uninstall wants a local index; an empty git repository is one (no network).
git init -q "$KREW_ROOT/index/default"
mkdir -p "$KREW_ROOT/bin" "$KREW_ROOT/receipts" "$KREW_ROOT/store" # krew's own, made on first use
kdir=$(dirname "$(command -v kubectl)")
export PATH="$KREW_ROOT/bin:$T/kbin:$kdir:/usr/bin:/bin"
find "$KREW_ROOT" | sort >"$T/before"

expect_exit 0 "kubectl krew install --manifest --archive" \
	kubectl krew install --manifest="$O/dist/krew-manifest.yaml" --archive="$archive"
[ -L "$KREW_ROOT/bin/kubectl-crucible" ] && ok "krew links the dispatcher onto PATH" || not_ok "krew links the dispatcher onto PATH"
same "krew links nothing else" "$(ls "$KREW_ROOT/bin")" kubectl-crucible
expect_exit 0 "kubectl crucible through krew" kubectl crucible
for b in "$BIN"/kubectl-crucible-*; do
	[ -L "$b" ] && continue
	step=${b##*/kubectl-crucible-}
	contains "krew: kubectl crucible lists $step" "$T/out" "  $step "
done
cp "$T/out" "$T/list"
for b in "$BIN"/kubectl-crucible-*; do
	[ -L "$b" ] && continue
	step=${b##*/kubectl-crucible-}
	expect_exit 0 "krew: kubectl crucible $step --version" kubectl crucible "$step" --version
	contains "krew: $step --version names it" "$T/out" "crucible $step "
done
# Completion as the caveats say: the plugin directory's completer on PATH.
store=$(dirname "$(readlink -f "$KREW_ROOT/bin/kubectl-crucible")")
mkdir -p "$T/cbin" && ln -s "$store/kubectl_complete-crucible" "$T/cbin/"
PATH="$T/cbin:$PATH" kubectl __complete crucible "" 2>/dev/null >"$T/out"
contains "krew: kubectl completes the steps" "$T/out" deploy
PATH="$T/cbin:$PATH" kubectl __complete crucible secrets "" 2>/dev/null >"$T/out"
contains "krew: kubectl completes a step's subcommands" "$T/out" generate
PATH="$T/cbin:$PATH" kubectl __complete crucible deploy --ove 2>/dev/null >"$T/out"
contains "krew: kubectl completes a step's flags" "$T/out" --overlay
if kubectl crucible completion bash >"$T/out" 2>&1; then
	contains "krew: kubectl crucible completion bash names the plugin's completer" "$T/out" "$store/kubectl_complete-crucible"
else
	not_ok "krew: kubectl crucible completion bash" "$(head -3 "$T/out")"
fi
# The shell script krew's dispatcher prints completes through the store's completer.
kubectl crucible completion bash >"$T/comp.bash" 2>/dev/null
bash -c 'source "$1"; COMP_WORDS=(kubectl crucible migrate-db ""); COMP_CWORD=3; _kubectl_crucible; printf "%s\n" "${COMPREPLY[@]}"' \
	_ "$T/comp.bash" >"$T/out" 2>&1
contains "krew: bash completes a step's subcommands through the script" "$T/out" history
# The manifests come from the plugin's directory, from anywhere.
(cd "$T" && kubectl crucible deploy --dry-run=client >"$T/out" 2>"$T/err")
contains "krew: the plugin's own manifests are the default" "$T/out" "name: api-service"

expect_exit 0 "kubectl krew uninstall crucible" kubectl krew uninstall crucible
find "$KREW_ROOT" | sort >"$T/after"
if diff "$T/before" "$T/after" >"$T/diff"; then ok "uninstall leaves nothing behind"; else not_ok "uninstall leaves nothing behind" "$(cat "$T/diff")"; fi
[ ! -e "$KREW_ROOT/store/crucible" ] && [ ! -e "$KREW_ROOT/receipts/crucible.yaml" ] &&
	ok "uninstall removes the store and the receipt" || not_ok "uninstall removes the store and the receipt"
expect_exit 1 "after uninstall kubectl has no crucible plugin" kubectl crucible
done_testing
