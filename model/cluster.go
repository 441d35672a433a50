package model

// Cluster is an isolated set of agents and pipelines within an
// organisation.
type Cluster struct {
	ID              string     `json:"id"`
	GraphQLID       string     `json:"graphql_id"`
	DefaultQueueID  *string    `json:"default_queue_id"`
	Name            string     `json:"name"`
	Description     *string    `json:"description"`
	Emoji           *string    `json:"emoji"`
	Color           *string    `json:"color"`
	URL             string     `json:"url"`
	WebURL          string     `json:"web_url"`
	DefaultQueueURL *string    `json:"default_queue_url"`
	QueuesURL       string     `json:"queues_url"`
	CreatedAt       *Timestamp `json:"created_at"`
	CreatedBy       *User      `json:"created_by"`
}

// ClusterCreate is the body of "Create a cluster". Name is required.
type ClusterCreate struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Emoji       string `json:"emoji,omitempty"`
	Color       string `json:"color,omitempty"`
}

// ClusterUpdate is the body of "Update a cluster": only the fields that
// are set are sent.
type ClusterUpdate struct {
	Name           Field[string] `json:"name,omitzero"`
	Description    Field[string] `json:"description,omitzero"`
	Emoji          Field[string] `json:"emoji,omitzero"`
	Color          Field[string] `json:"color,omitzero"`
	DefaultQueueID Field[string] `json:"default_queue_id,omitzero"`
}

// Value returns what p points to, or the zero value for nil: for reading
// the API's nullable fields.
func Value[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }
