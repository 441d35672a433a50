package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"charm.land/huh/v2"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kiteconsole/kiteconsole/termsafe"
)

// A glob is easy to get wider than meant: `queue pause '*/*'` paused
// every queue of the organisation and `agent stop '*' --force` canceled
// every running job, with no question. A change that names several
// targets is asked about first, as gh asks before what cannot be undone:
// on a terminal the person sees exactly what will be touched and answers
// (default No); with no terminal to ask (a script, a pipe) it is refused
// unless --yes says the caller means it. One target is not asked about:
// it was named, not matched. --dry-run and --read-only change nothing and
// are not asked about either.

// errNotConfirmed is a No to the question: exit 2, as gh's, without the
// usage hint (nothing was typed wrong).
var errNotConfirmed = errors.New("not confirmed: nothing was changed")

// severalHelp is what --help says of it.
const severalHelp = "Several targets are asked about first: on a terminal the list, then a question (default No);\n" +
	"with no terminal to ask, --yes is needed, and without it nothing is changed (exit 2)."

// addYesFlag adds --yes to a command that changes several targets.
func addYesFlag(f *pflag.FlagSet, yes *bool) {
	f.BoolVarP(yes, "yes", "y", false, "do not ask before changing several targets (needed without a terminal)")
}

// severalTargets is a change about to be made to several targets.
type severalTargets struct {
	// doing is the change as the question says it: "pause", "force-stop".
	doing string
	// one and many name a target: "queue", "queues".
	one, many string
	// named is how many targets the arguments named; touch are those a
	// request will be sent for (the others are already in the asked
	// state), as the results will name them.
	named int
	touch []string
	// already is the state the others are in: "already paused".
	already string
	// consequence is what else happens, said before the question.
	consequence string
}

// confirmSeveral asks before a change to several targets, or refuses it:
// nil means go ahead. skip is true for --yes, --dry-run and a read-only
// session.
func confirmSeveral(cmd *cobra.Command, stderr io.Writer, skip bool, c severalTargets) error {
	if skip || c.named <= 1 {
		return nil
	}
	in := cmd.InOrStdin()
	if !isTerminal(stderr) || !isTerminalReader(in) {
		return &exitError{code: ExitUsage, err: fmt.Errorf("the arguments name %s; changing several needs --yes when there is no terminal to ask. "+
			"Nothing was changed (--dry-run says what would change).%s", plural(c.named, c.one, c.many), targetList("It would "+c.doing+":", c.touch))}
	}
	if len(c.touch) == 0 {
		return nil // every one is in the asked state already: nothing to ask about
	}
	var b strings.Builder
	fmt.Fprintf(&b, "This will %s %s:\n", c.doing, plural(len(c.touch), c.one, c.many))
	for _, t := range c.touch {
		b.WriteString("  " + termsafe.Text(t) + "\n")
	}
	if left := c.named - len(c.touch); left > 0 {
		if left == 1 {
			fmt.Fprintf(&b, "(1 more %s is %s: left as it is.)\n", c.one, c.already)
		} else {
			fmt.Fprintf(&b, "(%d more %s are %s: left as they are.)\n", left, c.many, c.already)
		}
	}
	if c.consequence != "" {
		b.WriteString(c.consequence + "\n")
	}
	if _, err := io.WriteString(stderr, b.String()); err != nil {
		return err
	}
	title := fmt.Sprintf("%s %s?", strings.ToUpper(c.doing[:1])+c.doing[1:], map[bool]string{true: "this " + c.one, false: fmt.Sprintf("these %d %s", len(c.touch), c.many)}[len(c.touch) == 1])
	// A line to answer ("[y/N]", enter for No), as gh and apt ask, not a
	// full-screen form: the terminal stays as it is, the list above stays
	// in view, and a screen reader reads it. Ctrl-C interrupts the
	// program (its context), not the read: the answer is waited for on
	// the side.
	answered := make(chan bool, 1)
	go func() {
		ok := false
		_ = huh.NewForm(huh.NewGroup(huh.NewConfirm().Title(title).Affirmative("Yes").Negative("No").Value(&ok))).
			WithAccessible(true).WithInput(in).WithOutput(stderr).RunWithContext(cmd.Context())
		answered <- ok
	}()
	select {
	case <-cmd.Context().Done():
		return context.Canceled
	case ok := <-answered:
		if !ok {
			return &exitError{code: ExitUsage, err: errNotConfirmed}
		}
	}
	return nil
}

// targetList is the targets a refusal names, at most maxCandidates.
func targetList(header string, targets []string) string {
	if len(targets) == 0 {
		return " Each is in the asked state already."
	}
	return candidateList(header, targets)
}

// isTerminalReader reports whether r is a terminal a person can answer
// on.
func isTerminalReader(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}
