package model

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The decoders read what a remote server sends; the validators read what
// a person types. Neither may panic, and each keeps its promise on any
// input. Seed corpora live in testdata/fuzz (the spec's own examples
// among them); run one with: go test ./model -fuzz FuzzDecodePipeline

// roundTrip checks that decoding, encoding and decoding again is stable.
func roundTrip[T any](t *testing.T, data []byte) {
	var first T
	if json.Unmarshal(data, &first) != nil {
		return
	}
	enc1, err := json.Marshal(first)
	if err != nil {
		t.Fatalf("re-encoding failed: %v", err)
	}
	var second T
	if err := json.Unmarshal(enc1, &second); err != nil {
		t.Fatalf("our own encoding does not decode: %v\n%s", err, enc1)
	}
	enc2, _ := json.Marshal(second)
	if !bytes.Equal(enc1, enc2) {
		t.Fatalf("unstable round trip:\n%s\n%s", enc1, enc2)
	}
}

func FuzzDecodeCluster(f *testing.F) {
	f.Add([]byte(`{"id":"x","name":"Open Source","default_queue_id":null,"created_at":"2023-05-03T04:17:55.867Z"}`))
	f.Fuzz(func(t *testing.T, data []byte) { roundTrip[Cluster](t, data) })
}

func FuzzDecodeQueue(f *testing.F) {
	f.Add([]byte(`{"id":"q","key":"default","dispatch_paused":true,"dispatch_paused_note":"n","hosted":true,"hosted_agents":{"instance_shape":{"cpu":2}}}`))
	f.Fuzz(func(t *testing.T, data []byte) { roundTrip[Queue](t, data) })
}

func FuzzDecodeToken(f *testing.F) {
	f.Add([]byte(`{"id":"t","description":"Windows agents","allowed_ip_addresses":"202.144.0.0/24","expires_at":"2026-01-01T00:00:00Z","token":"secret"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip[Token](t, data)
		var tok Token
		if json.Unmarshal(data, &tok) == nil && tok.Token != "" && strings.Contains(tok.String(), tok.Token) && !strings.Contains(tok.ID+" "+tok.Description, tok.Token) {
			t.Fatal("String() shows the token's value")
		}
	})
}

func FuzzDecodePipeline(f *testing.F) {
	f.Add([]byte(`{"name":"My Pipeline","slug":"my-pipeline","created_at":"2013-09-03 13:24:38 UTC","steps":[{"type":"waiter"}],"env":{"A":"b"}}`))
	f.Fuzz(func(t *testing.T, data []byte) { roundTrip[Pipeline](t, data) })
}

func FuzzDecodeUser(f *testing.F) {
	f.Add([]byte(`{"id":"u","name":"Sam Kim","email":"sam@example.com","created_at":"2013-08-29T10:10:03.000Z"}`))
	f.Fuzz(func(t *testing.T, data []byte) { roundTrip[User](t, data) })
}

func FuzzDecodeRequests(f *testing.F) {
	f.Add([]byte(`{"name":"n","cluster_id":null,"tags":[":a:"],"provider_settings":{"trigger_mode":"code"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip[PipelineUpdate](t, data)
		roundTrip[PipelineCreate](t, data)
		roundTrip[ClusterUpdate](t, data)
		roundTrip[QueueCreate](t, data)
		roundTrip[TokenUpdate](t, data)
	})
}

func FuzzParseTimestamp(f *testing.F) {
	f.Add("2023-05-03T04:17:55.867Z")
	f.Add("2013-09-03 13:24:38 UTC")
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ParseTimestamp(s)
		if err != nil {
			return
		}
		out, _ := json.Marshal(ts)
		var back Timestamp
		if err := json.Unmarshal(out, &back); err != nil {
			// Years past 9999 or before 0 cannot be written in RFC 3339.
			if ts.Year() > 9999 || ts.Year() < 0 {
				return
			}
			t.Fatalf("%q → %s does not read back: %v", s, out, err)
		}
		if !back.Equal(ts.Truncate(time.Millisecond)) {
			t.Fatalf("%q → %s → %v", s, out, back)
		}
	})
}

func FuzzValidateColor(f *testing.F) {
	f.Add("#FFE0F1")
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateColor(s) == nil && s != "" && (s[0] != '#' || (len(s) != 4 && len(s) != 7)) {
			t.Fatalf("accepted %q", s)
		}
	})
}

func FuzzValidateQueueKey(f *testing.F) {
	f.Add("default")
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateQueueKey(s) == nil && (s == "" || strings.ContainsAny(s, " \t\n/:") || len(s) > MaxQueueKeyLength) {
			t.Fatalf("accepted %q", s)
		}
	})
}

func FuzzValidateCIDRList(f *testing.F) {
	f.Add("202.144.0.0/24 10.0.0.0/8")
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateCIDRList(s) != nil {
			return
		}
		for _, part := range strings.Fields(s) {
			p, err := netip.ParsePrefix(part)
			if err != nil || !p.Addr().Is4() {
				t.Fatalf("accepted %q in %q", part, s)
			}
		}
		if again := NormalizeCIDRList(NormalizeCIDRList(s)); again != NormalizeCIDRList(s) {
			t.Fatalf("normalising %q is not stable", s)
		}
	})
}

func FuzzParseExpiry(f *testing.F) {
	f.Add("90d")
	f.Add("2027-01-01")
	f.Add("2027-01-01T00:00:00Z")
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseExpiry(s, now)
		if err == nil && !got.After(now) {
			t.Fatalf("%q gave %v, not in the future", s, got)
		}
		if err2 := ValidateFutureTime(s, now); err2 == nil {
			if _, err := ParseTimestamp(s); err != nil {
				t.Fatalf("ValidateFutureTime accepted %q that does not parse", s)
			}
		}
	})
}

func FuzzDeriveSlug(f *testing.F) {
	f.Add("Hello    There Friend")
	f.Add("My Pipeline X")
	f.Add("-- -é-")
	f.Add("\u212a") // the Kelvin sign, whose lower case is k
	f.Fuzz(func(t *testing.T, name string) {
		slug, err := DeriveSlug(name)
		if err != nil {
			if ValidatePipelineName(name) == nil {
				t.Fatalf("name %q valid but no slug", name)
			}
			return
		}
		if !SlugPattern.MatchString(slug) || len(slug) > MaxSlugLength || !utf8.ValidString(slug) {
			t.Fatalf("%q → bad slug %q", name, slug)
		}
		if again, err := DeriveSlug(slug); err != nil || again != slug {
			t.Fatalf("slug %q of %q is not its own slug (%q, %v)", slug, name, again, err)
		}
	})
}

func FuzzValidateText(f *testing.F) {
	f.Add("Deploy 🚀")
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateText("field", s, true) == nil {
			if strings.TrimSpace(s) == "" || !utf8.ValidString(s) || strings.ContainsAny(s, "\x1b\x00\r\n\t") {
				t.Fatalf("accepted %q", s)
			}
		}
	})
}
