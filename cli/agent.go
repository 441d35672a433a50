package cli

import (
	"io"

	"github.com/spf13/cobra"
)

// newAgentCommand is filled in once the agents API lands (issue 18).
func newAgentCommand(stdout, stderr io.Writer, getenv func(string) string) *cobra.Command {
	return &cobra.Command{Use: "agent", Short: "List, pause, resume and stop agents", Hidden: true, Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
}
