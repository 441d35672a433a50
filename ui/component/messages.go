package component

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kiteconsole/kiteconsole/ui/common"
)

// Message is one flash message as the footer showed it, kept whole: the
// footer has one line and cuts a long error, the history (:messages)
// shows it all, wrapped.
type Message struct {
	At   time.Time
	Kind common.FlashKind
	Text string
}

// MessagesKept is how many of the last messages the history keeps.
const MessagesKept = 50

// messagesOverlay shows the last messages, newest first, wrapped to the
// width of the area; j/k (or ↑/↓) scroll, esc closes.
type messagesOverlay struct {
	c      *common.Common
	msgs   []Message
	offset int
	// lines is the number of lines the last View drew, for scrolling.
	lines int

	up, down, closes key.Binding
}

// NewMessagesOverlay shows msgs, oldest first as kept.
func NewMessagesOverlay(c *common.Common, msgs []Message) Overlay {
	return &messagesOverlay{c: c, msgs: msgs,
		up:     binding("↑/k", "up", "up", "k"),
		down:   binding("↓/j", "down", "down", "j"),
		closes: binding("esc", "closes", "esc", "q", "enter"),
	}
}

func (m *messagesOverlay) help() []key.Binding { return []key.Binding{m.up, m.down, m.closes} }
func (m *messagesOverlay) Place() placement    { return PlaceArea }
func (m *messagesOverlay) Typing() bool        { return false }

func (m *messagesOverlay) Update(msg tea.Msg) (tea.Cmd, bool) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, false
	}
	switch {
	case key.Matches(k, m.closes):
		return nil, true
	case key.Matches(k, m.up):
		m.offset = max(0, m.offset-1)
	case key.Matches(k, m.down):
		m.offset = min(m.offset+1, max(0, m.lines-1))
	}
	return nil, false
}

func (m *messagesOverlay) View(width, height int) string {
	st := m.c.Styles
	head := []string{st.Title.Render("Messages") + st.Muted.Render(fmt.Sprintf("  the last %d, newest first", len(m.msgs)))}
	var body []string
	if len(m.msgs) == 0 {
		body = append(body, st.Muted.Render("no messages yet"))
	}
	wrap := lipgloss.NewStyle().Width(max(10, width-13))
	for i := len(m.msgs) - 1; i >= 0; i-- {
		msg := m.msgs[i]
		mark := st.FlashInfo.Render("•")
		switch msg.Kind {
		case common.FlashOK:
			mark = st.FlashOK.Render("✓")
		case common.FlashError:
			mark = st.FlashError.Render("✗")
		}
		text := strings.Split(wrap.Render(msg.Text), "\n")
		for j, line := range text {
			prefix := strings.Repeat(" ", 11)
			if j == 0 {
				prefix = st.Muted.Render(msg.At.Format("15:04:05")) + " " + mark + " "
			}
			body = append(body, prefix+strings.TrimRight(line, " "))
		}
	}
	m.lines = len(body)
	room := max(1, height-len(head)-2)
	m.offset = min(m.offset, max(0, len(body)-room))
	end := min(len(body), m.offset+room)
	shown := body[m.offset:end]
	foot := st.Muted.Render(hint(m.help()))
	if more := len(body) - end; more > 0 {
		foot = st.Muted.Render(fmt.Sprintf("↓ %d more lines · ", more)) + foot
	}
	return " " + strings.Join(append(append(head, shown...), "", foot), "\n ")
}
