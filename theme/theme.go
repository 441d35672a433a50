// Package theme holds the console's lipgloss styles for light and dark
// terminals: colours and text styles, nothing else.
package theme

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles is every style the console draws with.
type Styles struct {
	IsDark bool

	App         lipgloss.Style
	Title       lipgloss.Style
	Badge       lipgloss.Style
	DemoBadge   lipgloss.Style
	ReadOnly    lipgloss.Style
	Crumb       lipgloss.Style
	CrumbSep    lipgloss.Style
	CrumbActive lipgloss.Style
	Muted       lipgloss.Style
	Bold        lipgloss.Style

	TableHeader lipgloss.Style
	Selected    lipgloss.Style
	Match       lipgloss.Style
	Marked      lipgloss.Style

	Running lipgloss.Style
	Paused  lipgloss.Style
	Pending lipgloss.Style
	Warning lipgloss.Style
	Danger  lipgloss.Style

	FlashOK    lipgloss.Style
	FlashError lipgloss.Style
	FlashInfo  lipgloss.Style

	Label  lipgloss.Style
	Value  lipgloss.Style
	Tab    lipgloss.Style
	TabOn  lipgloss.Style
	Dialog lipgloss.Style
	Help   lipgloss.Style
	Key    lipgloss.Style
	KeyOff lipgloss.Style
}

// New builds the styles for a dark or light background.
func New(isDark bool) Styles {
	ld := lipgloss.LightDark(isDark)
	fg := ld(lipgloss.Color("#1F2430"), lipgloss.Color("#E6E6E6"))
	muted := ld(lipgloss.Color("#6B7080"), lipgloss.Color("#8A8F98"))
	accent := ld(lipgloss.Color("#0B6E4F"), lipgloss.Color("#3DDC97"))
	selBG := ld(lipgloss.Color("#DCE6F5"), lipgloss.Color("#2A3550"))
	green := ld(lipgloss.Color("#1A7F37"), lipgloss.Color("#3FB950"))
	amber := ld(lipgloss.Color("#9A6700"), lipgloss.Color("#D29922"))
	red := ld(lipgloss.Color("#CF222E"), lipgloss.Color("#F85149"))
	blue := ld(lipgloss.Color("#0969DA"), lipgloss.Color("#58A6FF"))
	onBadge := lipgloss.Color("#FFFFFF")
	s := lipgloss.NewStyle
	return Styles{
		IsDark:      isDark,
		App:         s().Foreground(fg),
		Title:       s().Bold(true).Foreground(accent),
		Badge:       s().Bold(true).Padding(0, 1).Foreground(onBadge).Background(blue),
		DemoBadge:   s().Bold(true).Padding(0, 1).Foreground(onBadge).Background(lipgloss.Color("#8250DF")),
		ReadOnly:    s().Bold(true).Padding(0, 1).Foreground(onBadge).Background(amber),
		Crumb:       s().Foreground(muted),
		CrumbSep:    s().Foreground(muted),
		CrumbActive: s().Bold(true).Foreground(fg),
		Muted:       s().Foreground(muted),
		Bold:        s().Bold(true),

		TableHeader: s().Bold(true).Foreground(muted),
		Selected:    s().Background(selBG).Bold(true),
		Match:       s().Underline(true).Bold(true).Foreground(accent),
		Marked:      s().Foreground(blue).Bold(true),

		Running: s().Foreground(green),
		Paused:  s().Foreground(amber).Bold(true),
		Pending: s().Foreground(muted).Italic(true),
		Warning: s().Foreground(amber),
		Danger:  s().Foreground(red).Bold(true),

		FlashOK:    s().Foreground(green).Bold(true),
		FlashError: s().Foreground(red).Bold(true),
		FlashInfo:  s().Foreground(blue),

		Label:  s().Foreground(muted).Width(18),
		Value:  s().Foreground(fg),
		Tab:    s().Padding(0, 1).Foreground(muted),
		TabOn:  s().Padding(0, 1).Bold(true).Foreground(fg).Underline(true),
		Dialog: s().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1),
		Help:   s().Foreground(muted),
		Key:    s().Bold(true).Foreground(fg),
		KeyOff: s().Strikethrough(true).Foreground(muted),
	}
}

// Swatch is a block in a cluster's colour; an invalid or empty colour
// draws a muted outline instead.
func (st Styles) Swatch(hex string) string {
	if hex == "" {
		return st.Muted.Render("□")
	}
	return lipgloss.NewStyle().Foreground(lipgloss.Color(hex)).Render("■")
}

// Color is a colour from a hex code, for callers outside this package.
func Color(hex string) color.Color { return lipgloss.Color(hex) }
