# Asks zsh's own completion system for candidates: an interactive zsh in a
# pseudo-terminal (zsh/zpty) with compinit and the script under test loaded
# types each LINE and presses Tab. The Tab key runs complete-word as usual
# (_main_complete, the function compdef registered, compadd's own matching
# against the word's prefix); a post-function asks zsh to insert all the
# matches, and the line is read back. Prints, per LINE, one candidate a line
# and then "--end--".
#   zsh -f tests/complete.zsh SCRIPT WORKDIR LINE...
zmodload zsh/zpty || exit 3
script=$1 dir=$2
shift 2
out=$dir/zsh-complete.out
zpty z zsh -f -i
zpty -w z "PS1= RPS1=; autoload -U compinit && compinit -u -d ${(q)dir}/zcompdump; source ${(q)script}"
zpty -w z '_t_all() { compstate[insert]=all; compstate[list]=; }'
zpty -w z "_t_tab() { comppostfuncs=(_t_all); zle complete-word; print -r -- \"\$BUFFER\" >${(q)out}.tmp; mv ${(q)out}.tmp ${(q)out}; BUFFER=; }"
zpty -w z 'zle -N _t_tab; bindkey "^I" _t_tab'
for line in "$@"; do
	rm -f $out
	zpty -w -n z "$line"$'\t'
	for i in {1..200}; do [[ -f $out ]] && break; sleep 0.05; done
	[[ -f $out ]] || { print -u2 "zsh: no answer for '$line'"; zpty -d z; exit 1; }
	# The words zsh inserted: the line's words from the one being completed on.
	typeset -a typed got
	typed=(${(z)line})
	[[ $line == *' ' ]] && typed+=('')
	got=(${(z)"$(<$out)"})
	print -rl -- ${got[$#typed,-1]}
	print -r -- --end--
done
zpty -d z
