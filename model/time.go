package model

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Timestamp is a time as the Buildkite API writes it. Most endpoints use
// RFC 3339 ("2023-05-03T04:17:55.867Z"), but some pipeline replies use
// "2013-09-03 13:24:38 UTC"; both are read, and RFC 3339 with milliseconds
// in UTC is written.
type Timestamp struct {
	time.Time
}

// TimestampLayout is the layout kiteconsole writes.
const TimestampLayout = "2006-01-02T15:04:05.000Z07:00"

// legacyLayout is the older layout some pipeline replies still use.
const legacyLayout = "2006-01-02 15:04:05 MST"

// NewTimestamp returns a pointer to a Timestamp of t, for the API's
// nullable time fields.
func NewTimestamp(t time.Time) *Timestamp { return &Timestamp{t} }

// ParseTimestamp reads a time in either of the API's layouts.
func ParseTimestamp(s string) (Timestamp, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return Timestamp{t}, nil
	}
	if t, err := time.Parse(legacyLayout, s); err == nil {
		return Timestamp{t}, nil
	}
	return Timestamp{}, fmt.Errorf("%q is not a time in RFC 3339 (2025-01-01T00:00:00Z) form", s)
}

// MarshalJSON writes RFC 3339 in UTC with milliseconds.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format(TimestampLayout) + `"`), nil
}

// UnmarshalJSON reads either layout; null leaves the zero time.
func (t *Timestamp) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		*t = Timestamp{}
		return nil
	}
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return fmt.Errorf("time must be a JSON string, got %.40s", data)
	}
	parsed, err := ParseTimestamp(string(data[1 : len(data)-1]))
	if err != nil {
		return err
	}
	*t = parsed
	return nil
}
