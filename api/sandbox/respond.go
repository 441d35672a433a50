package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

type grantKey struct{}

func withGrant(ctx context.Context, g *grant) context.Context {
	return context.WithValue(ctx, grantKey{}, g)
}

func grantOf(r *http.Request) *grant {
	g, _ := r.Context().Value(grantKey{}).(*grant)
	return g
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeMessage writes the API's error shape: {"message": "..."}.
func writeMessage(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"message": message})
}

// fieldError is one entry of a pipeline validation error's "errors".
type fieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// maxBody bounds a request body; the API's own bodies are far smaller.
const maxBody = 1 << 20

// reply is what a handler answers: it is computed under the server's lock
// and written after the lock is released, so a slow client never holds up
// others.
type reply struct {
	status int
	body   any // nil for no body
	// text, when not nil, is sent as it is (text/plain) instead of body,
	// with header's headers: a job's log.
	text   []byte
	header map[string]string
}

func ok(body any) reply      { return reply{status: http.StatusOK, body: body} }
func created(body any) reply { return reply{status: http.StatusCreated, body: body} }
func noContent() reply       { return reply{status: http.StatusNoContent} }

func message(status int, text string) reply {
	return reply{status: status, body: map[string]string{"message": text}}
}

func notFound() reply { return message(http.StatusNotFound, "Not Found") }

// invalid is the clusters API's 422: "Validation failed: <reason>".
func invalid(reason string) reply {
	return message(http.StatusUnprocessableEntity, "Validation failed: "+reason)
}

// validationFailed is the pipelines API's 422 shape:
// {"message": "Validation Failed", "errors": [...]}.
func validationFailed(errs ...fieldError) reply {
	return reply{status: http.StatusUnprocessableEntity, body: map[string]any{"message": "Validation Failed", "errors": errs}}
}

func (rp reply) write(w http.ResponseWriter) {
	for k, v := range rp.header {
		w.Header().Set(k, v)
	}
	if rp.text != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(rp.text)))
		w.WriteHeader(rp.status)
		_, _ = w.Write(rp.text)
		return
	}
	if rp.body == nil {
		w.WriteHeader(rp.status)
		return
	}
	writeJSON(w, rp.status, rp.body)
}

// decode reads a JSON request body into v; an empty body is an empty
// object. It returns the error reply when the body cannot be read.
func decode(r *http.Request, v any) *reply {
	_, rp := decodeBody(r, v)
	return rp
}

// decodeBody is decode that also returns the body as it was sent.
func decodeBody(r *http.Request, v any) ([]byte, *reply) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		rp := message(http.StatusBadRequest, "Could not read the request body")
		return nil, &rp
	}
	if len(data) > maxBody {
		rp := message(http.StatusRequestEntityTooLarge, "Request body is too large")
		return nil, &rp
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return data, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			reason := "the request body must be a JSON object"
			if typeErr.Field != "" {
				reason = typeErr.Field + " has the wrong type"
			}
			rp := invalid(reason)
			return data, &rp
		}
		rp := message(http.StatusBadRequest, "Problems parsing JSON")
		return data, &rp
	}
	return data, nil
}

// baseURL is the scheme and host the request reached, so that every url
// the sandbox returns points back at itself, whatever port it listens on.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
