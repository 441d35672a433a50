package api_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// A signed note stays within the API's bound: a note of the longest
// length gives way to the signature, and an empty note is the signature
// alone.
func TestASignedNoteKeepsWithinTheAPIsBound(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	ctx := context.Background()
	const sig = "alice via kiteconsole"
	c := env.Client.WithNoteSignature(sig)
	cls, err := env.Client.ListClusters(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := env.Client.ListQueues(ctx, cls[0].ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	var running []model.Queue
	for _, q := range qs {
		if !q.DispatchPaused {
			running = append(running, q)
		}
	}
	if len(running) < 2 {
		t.Fatalf("the first cluster has %d running queues", len(running))
	}
	long := strings.Repeat("é", model.MaxTextLength)
	q, err := c.PauseQueue(ctx, cls[0].ID, running[0].ID, long)
	if err != nil {
		t.Fatal(err)
	}
	note := model.Value(q.DispatchPausedNote)
	if n := utf8.RuneCountInString(note); n > model.MaxTextLength || !strings.HasSuffix(note, "… — "+sig) {
		t.Fatalf("a %d-character signed note ending %q", n, note[max(0, len(note)-40):])
	}
	q, err = c.PauseQueue(ctx, cls[0].ID, running[1].ID, " ")
	if err != nil || model.Value(q.DispatchPausedNote) != sig {
		t.Fatalf("an empty note sent as %q (%v)", model.Value(q.DispatchPausedNote), err)
	}
}
