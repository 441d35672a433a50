//go:build race

package ui

// raceDetector is set when the tests run under the race detector, which
// slows everything several times: wall-clock bounds meant for a normal
// build are reported there, not asserted.
const raceDetector = true
