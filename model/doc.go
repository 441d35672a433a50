// Package model holds the plain Go types of the Buildkite domain that
// kiteconsole speaks about — clusters, queues, agent tokens, pipelines and
// users — in their JSON form, together with the validation rules that the
// forms and the sandbox share. It does no I/O.
package model
