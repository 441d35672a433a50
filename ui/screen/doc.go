// Package screen holds the console's screens, each a declaration on the
// hosts of package component: the clusters (home), a cluster with its
// Queues, Tokens and Pipelines tabs under its details, a queue, the
// pipelines, a pipeline, and the create and edit forms. A screen's
// requests go through ScreenBase.Run, so their replies come back to it.
package screen
