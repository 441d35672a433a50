// Package component holds the console's building blocks, each a small
// model with its own keys and help: the list host (ListSpec declares a
// list: its columns with their cells, its keys, its empty text; List does
// loading, errors with their age, placeholders, filter, marks, mouse and
// scrolling) and its table, tabs, the form host (FormSpec), and the
// overlays — the note prompt, a confirmation, the token dialog, the
// palette and the help — that the root model opens and draws.
package component
