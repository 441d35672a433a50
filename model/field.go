package model

import (
	"bytes"
	"encoding/json"
)

// Field is an optional request property with three states: not set (left
// out of the request, so the server keeps what it has), set to a value, or
// set to null (for the properties where the API gives null a meaning, such
// as a pipeline's cluster_id). Request types tag their Fields `omitzero`, so
// an update sends only what the caller touched.
type Field[T any] struct {
	value T
	set   bool
	null  bool
}

// Set returns a Field holding v.
func Set[T any](v T) Field[T] { return Field[T]{value: v, set: true} }

// Null returns a Field that sends an explicit JSON null.
func Null[T any]() Field[T] { return Field[T]{set: true, null: true} }

// IsZero reports whether the field was left unset; encoding/json's
// omitzero uses it to leave the property out of the request.
func (f Field[T]) IsZero() bool { return !f.set }

// IsSet reports whether the field was set, to a value or to null.
func (f Field[T]) IsSet() bool { return f.set }

// IsNull reports whether the field was set to null.
func (f Field[T]) IsNull() bool { return f.set && f.null }

// Get returns the value and whether the field holds one (set and not null).
func (f Field[T]) Get() (T, bool) { return f.value, f.set && !f.null }

// MarshalJSON writes the value, or null.
func (f Field[T]) MarshalJSON() ([]byte, error) {
	if !f.set || f.null {
		return []byte("null"), nil
	}
	return json.Marshal(f.value)
}

// UnmarshalJSON marks the field as set; a JSON null marks it null.
func (f *Field[T]) UnmarshalJSON(data []byte) error {
	var zero T
	f.value, f.set, f.null = zero, true, false
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		f.null = true
		return nil
	}
	return json.Unmarshal(data, &f.value)
}
