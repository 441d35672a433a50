package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kiteconsole/kiteconsole/api"
)

// The man page is written here rather than by fang's hidden `man`
// command (mango): that one put the command's whole description in the
// page's centre header, which man overprints with the title at 80
// columns ("KATterminal(console for …"), made every line of a help text a
// paragraph of its own, repeated every global flag under every command
// (608 lines), had no EXIT STATUS, and was hidden from --help.

// exitStatus is the exit codes as the man page's EXIT STATUS gives them
// (exitCodesHelp is the same, wrapped for --help).
var exitStatus = [][2]string{
	{"0", "Every target is in the asked state (pausing a paused queue included)."},
	{"1", "Something failed; the API's message is printed for each target."},
	{"2", "Usage: an unknown flag, command or argument, a name that is unknown or ambiguous, or several targets " +
		"not confirmed (no terminal to ask and no --yes, or answered no). Nothing was changed."},
	{"3", "Refused: --read-only, or the API token lacks the scope the change needs (the scope is named)."},
	{"130", "Interrupted (Ctrl-C); the results so far are printed."},
}

// manDate is the date on the page; tests fix it.
var manDate = time.Now

func newManCommand(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "man",
		Short: "Print the manual page, for man(1)",
		Long: "Prints kiteconsole's manual page, in roff, for man(1):\n\n" +
			"  kiteconsole man > ~/.local/share/man/man1/kiteconsole.1\n  man kiteconsole",
		Args:                  noArgs,
		DisableFlagsInUseLine: true,
		ValidArgsFunction:     cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := io.WriteString(stdout, manPage(cmd.Root()))
			return err
		},
	}
}

// manPage is root's manual page: the root's description and options, then
// each command with only the options of its own (those every command
// shares are said once, under OPTIONS), then EXIT STATUS, ENVIRONMENT,
// FILES and EXAMPLES.
func manPage(root *cobra.Command) string {
	var m roffWriter
	name := root.Name()
	m.line(fmt.Sprintf(".TH %s 1 %s %s %s", strings.ToUpper(name), roffQuote(manDate().Format(time.DateOnly)),
		roffQuote(name+" "+api.Version), roffQuote("User Commands")))
	m.section("NAME")
	m.line(roffEscape(name) + ` \- ` + roffEscape(lowerFirst(root.Short)))
	m.section("SYNOPSIS")
	m.line(`.B ` + name)
	m.line(`[\fIoptions\fR]`)
	m.line(".br")
	m.line(`.B ` + name)
	m.line(`\fIcommand\fR [\fIoptions\fR] [\fIarguments\fR]`)
	m.section("DESCRIPTION")
	m.text(withoutExitCodes(root.Long))
	m.section("OPTIONS")
	m.paragraph("The console's options. Each command that reaches the API takes the same " +
		"--org, --endpoint, --config, --parallel, --request-timeout, --demo and --audit-log (and --read-only, each that changes something); they are not repeated under it.")
	shared := root.Flags()
	m.flags(shared, nil)
	m.section("NAMES AND TARGETS")
	for _, h := range sharedHelp {
		m.text(h)
	}
	m.section("COMMANDS")
	for _, c := range manCommands(root) {
		m.line(".SS " + roffQuote(strings.TrimPrefix(c.CommandPath(), name+" ")+useArgs(c)))
		long := withoutExitCodes(c.Long)
		if !strings.HasPrefix(long, c.Short) {
			m.paragraph(c.Short + ".")
		}
		if long != "" {
			m.text(long)
		}
		m.flags(c.LocalFlags(), shared)
		if c.Example != "" {
			m.line(".PP")
			m.line("Examples:")
			m.preformatted(c.Example)
		}
	}
	m.section("EXIT STATUS")
	for _, s := range exitStatus {
		m.line(".TP")
		m.line(`.B ` + s[0])
		m.line(roffEscape(s[1]))
	}
	m.section("ENVIRONMENT")
	for _, e := range [][2]string{
		{EnvToken, "The API access token (a flag never takes it: a command line is seen by every user of the machine)."},
		{EnvOrg, "The organisation's slug, when --org is not given."},
		{EnvEndpoint, "The REST API's endpoint, when --endpoint is not given."},
		{"COLUMNS", "The width a table is fitted to, over the terminal's own."},
		{"XDG_CONFIG_HOME, XDG_STATE_HOME, XDG_CACHE_HOME", "Where the configuration, the audit log and the completion cache are."},
	} {
		m.line(".TP")
		m.line(`.B ` + roffEscape(e[0]))
		m.line(roffEscape(e[1]))
	}
	m.section("FILES")
	for _, f := range [][2]string{
		{"$XDG_CONFIG_HOME/kiteconsole/config.yaml", "The configuration: organisations, token commands, read_only, refresh, timeout, parallel."},
		{"$XDG_STATE_HOME/kiteconsole/audit.log", "Every change and every refusal, one JSON line each."},
		{"$XDG_CACHE_HOME/kiteconsole/", "Shell completion's names of clusters and queues, kept for a minute."},
	} {
		m.line(".TP")
		m.line(`.I ` + roffEscape(f[0]))
		m.line(roffEscape(f[1]))
	}
	if root.Example != "" {
		m.section("EXAMPLES")
		m.preformatted(root.Example)
	}
	m.section("SEE ALSO")
	m.line(`\fBbk\fR(1), the Buildkite CLI; the README of kiteconsole.`)
	return m.String()
}

// manCommands is every command below root a person runs, depth first, in
// the order --help lists them: groups (queue, agent) and help are not,
// their subcommands are.
func manCommands(root *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if !sub.IsAvailableCommand() || sub.Name() == "help" {
				continue
			}
			if sub.HasAvailableSubCommands() && sub.Name() != "completion" {
				walk(sub)
				continue
			}
			out = append(out, sub)
		}
	}
	walk(root)
	return out
}

// useArgs is what a command's use line takes after its name: "CLUSTER/QUEUE...".
func useArgs(c *cobra.Command) string {
	if _, args, ok := strings.Cut(c.Use, " "); ok {
		return " " + args
	}
	if c.Name() == "completion" {
		return " bash|zsh|fish|powershell"
	}
	return ""
}

// sharedHelp are the paragraphs several commands' --help repeat; the
// man page says each once, under NAMES AND TARGETS.
var sharedHelp = []string{queueNamesHelp, agentNamesHelp, severalHelp}

// withoutExitCodes is a help text without its exit codes (EXIT STATUS
// says them once) and the paragraphs NAMES AND TARGETS says.
func withoutExitCodes(s string) string {
	s = strings.ReplaceAll(s, exitCodesHelp, "")
	for _, h := range sharedHelp {
		s = strings.ReplaceAll(s, h, "")
	}
	return strings.TrimSpace(s)
}

// lowerFirst is a sentence's start in lower case, for after a dash: "A
// terminal console" becomes "a terminal console"; an acronym stays.
func lowerFirst(s string) string {
	if len(s) > 1 && (s[1] == ' ' || s[1] >= 'a' && s[1] <= 'z') {
		return strings.ToLower(s[:1]) + s[1:]
	}
	return s
}

// roffWriter writes roff, each request on a line of its own.
type roffWriter struct{ b strings.Builder }

func (m *roffWriter) line(s string) { m.b.WriteString(s + "\n") }

func (m *roffWriter) section(name string) { m.line(".SH " + roffQuote(name)) }

// paragraph is one paragraph of running text: man fills it to the width.
func (m *roffWriter) paragraph(s string) {
	m.line(".PP")
	m.line(roffEscape(s))
}

// text is a help text: blocks between blank lines; a block whose lines
// are indented (a table, commands to copy) is kept as it is, any other
// is one paragraph, its lines joined, since --help wraps them by hand.
func (m *roffWriter) text(s string) {
	for _, block := range strings.Split(strings.TrimSpace(s), "\n\n") {
		lines := strings.Split(block, "\n")
		if slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, " ") }) {
			head := lines[0]
			if !strings.HasPrefix(head, " ") {
				m.paragraph(head)
				lines = lines[1:]
			}
			m.preformatted(strings.Join(lines, "\n"))
			continue
		}
		m.paragraph(strings.Join(lines, " "))
	}
}

// preformatted is lines kept as they are, indented.
func (m *roffWriter) preformatted(s string) {
	m.line(".PP")
	m.line(".RS 4")
	m.line(".nf")
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		m.line(roffEscape(strings.TrimPrefix(l, "  ")))
	}
	m.line(".fi")
	m.line(".RE")
}

// flags lists a command's flags but those shared with the root (the same
// flag with the same meaning), and never help.
func (m *roffWriter) flags(fs *pflag.FlagSet, shared *pflag.FlagSet) {
	first := true
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Name == "help" {
			return
		}
		if shared != nil {
			if s := shared.Lookup(f.Name); s != nil && s.Usage == f.Usage {
				return
			}
		}
		if first && shared != nil {
			m.line(".PP")
			m.line("Options:")
		}
		first = false
		tag := `\fB\-\-` + roffEscape(f.Name) + `\fR`
		if f.Shorthand != "" {
			tag = `\fB\-` + roffEscape(f.Shorthand) + `\fR, ` + tag
		}
		if f.Value.Type() != "bool" {
			tag += ` \fI` + roffEscape(f.Value.Type()) + `\fR`
		}
		usage := f.Usage
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" && f.DefValue != "0" && f.DefValue != "0s" {
			usage += " (default " + f.DefValue + ")"
		}
		m.line(".TP")
		m.line(tag)
		m.line(roffEscape(usage))
	})
}

func (m *roffWriter) String() string { return m.b.String() }

// roffEscape makes text safe as roff: a backslash is printed as one, a
// line cannot start a request (with a dot or an apostrophe), a hyphen is
// a minus, as in an option's name that is copied, and a character beyond
// ASCII is named.
func roffEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	var b strings.Builder
	for i, l := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			b.WriteString(`\&`)
		}
		// Beyond ASCII by name ("…" is \[u2026]): groff reads its input
		// as Latin-1 unless man runs it through preconv.
		for _, r := range l {
			if r < 128 {
				b.WriteRune(r)
			} else {
				fmt.Fprintf(&b, `\[u%04X]`, r)
			}
		}
	}
	return b.String()
}

// roffQuote is an argument of a request, quoted.
func roffQuote(s string) string {
	return `"` + strings.ReplaceAll(roffEscape(s), `"`, `\(dq`) + `"`
}
