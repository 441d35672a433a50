package sshserver

import (
	"strings"
	"testing"

	uv "github.com/charmbracelet/ultraviolet"
)

// A view of 120 × 30 with a colour on every line, as the console draws.
func benchView() string {
	var b strings.Builder
	for i := range 30 {
		b.WriteString("\x1b[1;38;2;200;100;50m")
		b.WriteString(strings.Repeat("cluster-name ", 9))
		b.WriteString("\x1b[0m")
		if i < 29 {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// What the renderer-path guard costs a changed view: compare with
// BenchmarkRendererDraw, the renderer's own drawing of the same view.
func BenchmarkViewParsedLikeTheRenderer(b *testing.B) {
	v := benchView()
	for b.Loop() {
		parseLikeTheRenderer(v)
	}
}

func BenchmarkRendererDraw(b *testing.B) {
	v := benchView()
	buf := uv.NewScreenBuffer(120, 30)
	for b.Loop() {
		uv.NewStyledString(v).Draw(buf, buf.Bounds())
	}
}
