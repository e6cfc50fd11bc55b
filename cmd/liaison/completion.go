package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Shell completion scripts are generated from the command table, so a
// command or flag added there completes without anyone editing a script.

// completionCommand is what a completion script knows of one command.
type completionCommand struct {
	name    string // "serve", "user add"
	summary string
	flags   []completionFlag
	args    completionArgs
	words   []string // the words its arguments may be, when args is argsWords
	argName string   // its arguments' name, lower case: "shell"
}

// completionFlag is one flag of a command.
type completionFlag struct {
	name   string // "db", "o"
	desc   string // the first clause of its usage
	value  string // its value's name ("file", "URL"); "" for a boolean flag
	files  bool   // its value is a file name
	repeat bool   // it may be given more than once
}

// completionArgs is what a command's positional arguments are.
type completionArgs int

const (
	argsOther    completionArgs = iota // names, ids: nothing to offer
	argsFiles                          // file names
	argsCommands                       // liaison's commands (help)
	argsWords                          // one of the command's words (completion: a shell)
)

// completionScripts returns the script writer of each shell, in the order
// the usage names them.
func completionScripts() []struct {
	shell string
	write func(io.Writer, []completionCommand) error
} {
	return []struct {
		shell string
		write func(io.Writer, []completionCommand) error
	}{{"bash", writeBash}, {"zsh", writeZsh}, {"fish", writeFish}}
}

// dashed is the flag as typed: --db, -o.
func (f completionFlag) dashed() string { return dashes(f.name) }

// completionModel returns every command of the table with its flags, in
// the table's order.
func completionModel() []completionCommand {
	var out []completionCommand
	for _, cmd := range commandTable() {
		fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
		(&cli{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}).define(&cmd, fs)
		entry := completionCommand{name: cmd.name, summary: strings.TrimSuffix(cmd.summary, "."),
			argName: strings.ToLower(strings.Trim(cmd.args, "[].|"))}
		switch {
		case strings.Contains(cmd.args, "FILE") || strings.Contains(cmd.args, "BACKUP"):
			entry.args = argsFiles
		case strings.Contains(cmd.args, "COMMAND"):
			entry.args = argsCommands
		case cmd.name == "completion":
			entry.args = argsWords
			for _, s := range completionScripts() {
				entry.words = append(entry.words, s.shell)
			}
		}
		fs.VisitAll(func(f *flag.Flag) {
			value, usage := flag.UnquoteUsage(f)
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				value = ""
			}
			entry.flags = append(entry.flags, completionFlag{name: f.Name, desc: firstClause(usage), value: value,
				files: value == "file", repeat: strings.Contains(usage, "repeatable")})
		})
		entry.flags = append(entry.flags, completionFlag{name: "help", desc: "print the command's usage and flags"})
		out = append(out, entry)
	}
	return out
}

// firstClause shortens a flag's usage to what fits a completion menu.
func firstClause(usage string) string {
	for _, sep := range []string{"; ", " (", ", e.g."} {
		usage, _, _ = strings.Cut(usage, sep)
	}
	return usage
}

// compGroups returns the first words of the commands in order, and for
// each group ("user") its commands' second words.
func compGroups(cmds []completionCommand) (tops []string, subs map[string][]completionCommand) {
	subs = map[string][]completionCommand{}
	for _, c := range cmds {
		first, rest, group := strings.Cut(c.name, " ")
		if !slices.Contains(tops, first) {
			tops = append(tops, first)
		}
		if group {
			c.name = rest
			subs[first] = append(subs[first], c)
		}
	}
	return tops, subs
}

// topSummary is a first word's description: its command's summary, or
// for a group the commands it holds.
func topSummary(cmds []completionCommand, subs map[string][]completionCommand, top string) string {
	if group := subs[top]; len(group) > 0 {
		var names []string
		for _, c := range group {
			names = append(names, c.name)
		}
		return "Commands: " + strings.Join(names, ", ")
	}
	for _, c := range cmds {
		if c.name == top {
			return c.summary
		}
	}
	return ""
}

// completion prints the completion script of a shell.
func (c *cli) completion(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, args []string) error {
		var shells []string
		for _, s := range completionScripts() {
			if s.shell == args[0] {
				return s.write(c.stdout, completionModel())
			}
			shells = append(shells, s.shell)
		}
		return usagef("no completion for %q: say %s", args[0], orList(shells))
	}
}

// names returns the names of commands.
func names(cmds []completionCommand) string {
	var out []string
	for _, c := range cmds {
		out = append(out, c.name)
	}
	return strings.Join(out, " ")
}

// writeBash writes the bash completion script. It needs only bash (3.2 or
// later), not the bash-completion package.
func writeBash(w io.Writer, cmds []completionCommand) error {
	tops, subs := compGroups(cmds)
	var b strings.Builder
	b.WriteString(`# bash completion for liaison, generated by "liaison completion bash".
# Load it in this shell:   source <(liaison completion bash)
# or for every shell:      liaison completion bash > ~/.local/share/bash-completion/completions/liaison
# (or /etc/bash_completion.d/liaison).

# _liaison_reply sets COMPREPLY to compgen's words, one a line, so that
# file names with spaces stay whole.
_liaison_reply() {
    COMPREPLY=()
    local w
    while IFS= read -r w; do
        COMPREPLY+=("$w")
    done < <(compgen "$@")
}

_liaison() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local cmd=${COMP_WORDS[1]}
    COMPREPLY=()
    # bash splits --flag=value at "=".
    if [[ $cur == = ]]; then
        cur=
    elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then
        prev=${COMP_WORDS[COMP_CWORD-2]}
    fi
    if [[ $COMP_CWORD -eq 1 ]]; then
`)
	fmt.Fprintf(&b, "        _liaison_reply -W %q -- \"$cur\"\n", strings.Join(tops, " "))
	b.WriteString(`        return
    fi
    case $cmd in
`)
	var groups []string
	for _, t := range tops {
		if len(subs[t]) > 0 {
			groups = append(groups, t)
		}
	}
	fmt.Fprintf(&b, "    %s)\n", strings.Join(groups, "|"))
	b.WriteString(`        if [[ $COMP_CWORD -eq 2 ]]; then
            case $cmd in
`)
	for _, g := range groups {
		fmt.Fprintf(&b, "            %s) _liaison_reply -W %q -- \"$cur\" ;;\n", g, names(subs[g]))
	}
	b.WriteString(`            esac
            return
        fi
        cmd="$cmd ${COMP_WORDS[2]}"
        ;;
    esac
    # The command's flags, those that take a value, those whose value is a
    # file, what its other arguments are, and their words if it has some.
    local flags="" valued="" files="" args="" words=""
    case $cmd in
`)
	for _, c := range cmds {
		var all, valued, files []string
		for _, f := range c.flags {
			all = append(all, f.dashed())
			if f.value != "" {
				valued = append(valued, f.dashed())
			}
			if f.files {
				files = append(files, f.dashed())
			}
		}
		args := map[completionArgs]string{argsOther: "", argsFiles: "files", argsCommands: "commands", argsWords: "words"}[c.args]
		fmt.Fprintf(&b, "    %q) flags=%q valued=%q files=%q args=%q words=%q ;;\n", c.name,
			strings.Join(all, " "), strings.Join(valued, " "), strings.Join(files, " "), args, strings.Join(c.words, " "))
	}
	b.WriteString(`    *) return ;;
    esac
    if [[ $prev == -* && " $valued " == *" $prev "* ]]; then
        if [[ " $files " == *" $prev "* ]]; then
            _liaison_reply -f -- "$cur"
        fi
        return
    fi
    if [[ $cur == -* ]]; then
        _liaison_reply -W "$flags" -- "$cur"
        return
    fi
    case $args in
    files) _liaison_reply -f -- "$cur" ;;
    words) _liaison_reply -W "$words" -- "$cur" ;;
    commands)
        # help [COMMAND...]: a command, then a group's command.
        if [[ $COMP_CWORD -eq 2 ]]; then
`)
	fmt.Fprintf(&b, "            _liaison_reply -W %q -- \"$cur\"\n", strings.Join(tops, " "))
	b.WriteString(`        elif [[ $COMP_CWORD -eq 3 ]]; then
            case ${COMP_WORDS[2]} in
`)
	for _, g := range groups {
		fmt.Fprintf(&b, "            %s) _liaison_reply -W %q -- \"$cur\" ;;\n", g, names(subs[g]))
	}
	b.WriteString(`            esac
        fi
        ;;
    esac
}

complete -o filenames -F _liaison liaison
`)
	_, err := io.WriteString(w, b.String())
	return err
}

// zshQuote quotes s for zsh in single quotes.
func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// zshDesc escapes what _arguments and _describe would read as syntax in a
// description.
func zshDesc(s string) string {
	return strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, `:`, `\:`).Replace(s)
}

// writeZsh writes the zsh completion script, for compinit.
func writeZsh(w io.Writer, cmds []completionCommand) error {
	tops, subs := compGroups(cmds)
	var b strings.Builder
	b.WriteString(`#compdef liaison
# zsh completion for liaison, generated by "liaison completion zsh".
# Install it as _liaison in a directory of $fpath, e.g.
#   liaison completion zsh > "${fpath[1]}/_liaison"
# or load it in this shell (after compinit):
#   source <(liaison completion zsh)

# _liaison_commands offers liaison's commands, or with a group's name
# ("user") the group's commands.
_liaison_commands() {
  local -a cmds
  case $1 in
`)
	b.WriteString("  ('')\n    cmds=(\n")
	for _, t := range tops {
		fmt.Fprintf(&b, "      %s\n", zshQuote(zshDesc(t)+":"+zshDesc(topSummary(cmds, subs, t))))
	}
	b.WriteString("    ) ;;\n")
	for _, t := range tops {
		if len(subs[t]) == 0 {
			continue
		}
		fmt.Fprintf(&b, "  (%s)\n    cmds=(\n", t)
		for _, c := range subs[t] {
			fmt.Fprintf(&b, "      %s\n", zshQuote(zshDesc(c.name)+":"+zshDesc(c.summary)))
		}
		b.WriteString("    ) ;;\n")
	}
	b.WriteString(`  (*) return 1 ;;
  esac
  _describe -t commands "liaison${1:+ $1} command" cmds
}

_liaison() {
  if (( CURRENT == 2 )); then
    _liaison_commands
    return
  fi
  local cmd=$words[2] n=1
  case $cmd in
`)
	var groups []string
	for _, t := range tops {
		if len(subs[t]) > 0 {
			groups = append(groups, t)
		}
	}
	fmt.Fprintf(&b, "  (%s)\n", strings.Join(groups, "|"))
	b.WriteString(`    if (( CURRENT == 3 )); then
      _liaison_commands $cmd
      return
    fi
    cmd="$cmd $words[3]" n=2 ;;
  esac
  # From here words[1] is the command's last word, for _arguments.
  shift $n words
  (( CURRENT -= n ))
  case $cmd in
`)
	for _, c := range cmds {
		fmt.Fprintf(&b, "  (%s)\n    _arguments -S", zshQuote(c.name))
		for _, f := range c.flags {
			spec := f.dashed()
			if f.repeat {
				spec = "*" + spec
			}
			switch {
			case f.value == "":
				spec += "[" + zshDesc(f.desc) + "]"
			case f.files:
				spec += "=[" + zshDesc(f.desc) + "]:" + zshDesc(f.value) + ":_files"
			default:
				spec += "=[" + zshDesc(f.desc) + "]:" + zshDesc(f.value) + ": "
			}
			fmt.Fprintf(&b, " \\\n      %s", zshQuote(spec))
		}
		switch c.args {
		case argsFiles:
			b.WriteString(" \\\n      '*:file:_files'")
		case argsCommands:
			b.WriteString(" \\\n      '1:command:_liaison_commands' '2:command:{_liaison_commands $words[2]}'")
		case argsWords:
			fmt.Fprintf(&b, " \\\n      %s", zshQuote("1:"+zshDesc(c.argName)+":("+strings.Join(c.words, " ")+")"))
		}
		b.WriteString(" ;;\n")
	}
	b.WriteString(`  esac
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _liaison "$@"
else
  compdef _liaison liaison
fi
`)
	_, err := io.WriteString(w, b.String())
	return err
}

// fishQuote quotes s for fish in single quotes.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// writeFish writes the fish completion script.
func writeFish(w io.Writer, cmds []completionCommand) error {
	tops, subs := compGroups(cmds)
	var b strings.Builder
	b.WriteString(`# fish completion for liaison, generated by "liaison completion fish".
# Install it:   liaison completion fish > ~/.config/fish/completions/liaison.fish
# or load it in this shell:   liaison completion fish | source

function __liaison_line --description 'Whether the words before the cursor, after liaison, are these'
    set -l t (commandline -opc)
    set -e t[1]
    test "$t" = "$argv"
end

function __liaison_using --description 'Whether the command completed is this one (words: serve, user add)'
    set -l t (commandline -opc)
    set -e t[1]
    set -l n (count $argv)
    test (count $t) -ge $n; and test "$t[1..$n]" = "$argv"
end

complete -c liaison -f
`)
	for _, t := range tops {
		fmt.Fprintf(&b, "complete -c liaison -n '__liaison_line' -a %s -d %s\n", t, fishQuote(topSummary(cmds, subs, t)))
	}
	for _, t := range tops {
		for _, c := range subs[t] {
			fmt.Fprintf(&b, "complete -c liaison -n '__liaison_line %s' -a %s -d %s\n", t, c.name, fishQuote(c.summary))
		}
	}
	for _, c := range cmds {
		cond := fishQuote("__liaison_using " + c.name)
		for _, f := range c.flags {
			opt := "-l " + f.name
			if len(f.name) == 1 {
				opt = "-s " + f.name
			}
			switch {
			case f.files:
				opt += " -r -F"
			case f.value != "":
				opt += " -x"
			}
			fmt.Fprintf(&b, "complete -c liaison -n %s %s -d %s\n", cond, opt, fishQuote(f.desc))
		}
		switch c.args {
		case argsFiles:
			fmt.Fprintf(&b, "complete -c liaison -n %s -F\n", cond)
		case argsWords:
			fmt.Fprintf(&b, "complete -c liaison -n %s -a %s\n", cond, fishQuote(strings.Join(c.words, " ")))
		case argsCommands:
			for _, t := range tops {
				fmt.Fprintf(&b, "complete -c liaison -n '__liaison_line %s' -a %s -d %s\n", c.name, t, fishQuote(topSummary(cmds, subs, t)))
			}
			for _, t := range tops {
				for _, s := range subs[t] {
					fmt.Fprintf(&b, "complete -c liaison -n '__liaison_line %s %s' -a %s -d %s\n", c.name, t, s.name, fishQuote(s.summary))
				}
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
