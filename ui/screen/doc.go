// Package screen holds the console's screens, each a declaration on the
// hosts of package component: the clusters (home), a cluster with its
// Queues, Tokens and Pipelines tabs under its details, a queue, the
// pipelines, a pipeline, and the create and edit forms. A screen's
// requests go through ScreenBase.Run, so their replies come back to it.
// Each screen file ends with its registration (registry.go): its name,
// its palette command, its jumps and its opener; a screen opens another
// by name through the registry, never by calling its constructor.
package screen
