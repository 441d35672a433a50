package pipelineindex

// SetMaxEntries lowers MaxEntries for one test.
func SetMaxEntries(t interface{ Cleanup(func()) }, n int) {
	old := maxEntries
	maxEntries = n
	t.Cleanup(func() { maxEntries = old })
}

// MaxEntriesNow is the bound in force.
func MaxEntriesNow() int { return maxEntries }

// SetMaxFileSize lowers MaxFileSize for one test.
func SetMaxFileSize(t interface{ Cleanup(func()) }, n int64) {
	old := maxFileSize
	maxFileSize = n
	t.Cleanup(func() { maxFileSize = old })
}
