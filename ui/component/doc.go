// Package component holds the console's building blocks, each a small
// model with its own keys and help: the list host (ListSpec declares a
// list: its source, its columns with their cells, its keys, its empty
// text; List loads itself, drops a replaced load's reply, and shows the
// states every list has — loading, put off by the budget, a missing
// scope, an error with its age, a partial read — with the filter, marks,
// mouse and scrolling), its table (every cell a present.Cell of plain
// text and style roles, cleaned and styled by Draw), tabs of self-loading
// panes, the form host (FormSpec), and the overlays — the note prompt, a
// confirmation, the token dialog, the palette and the help — that the
// root model opens and draws.
package component
