package model

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits that the forms and the sandbox share.
const (
	MaxSlugLength     = 100
	MaxQueueKeyLength = 100
	MaxTextLength     = 1000
)

var hexColor = regexp.MustCompile(`^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$`)

// NormalizeColor gives a colour typed without its '#' one: "ff0000" is
// "#ff0000". Anything else comes back as it was, spaces trimmed, for
// ValidateColor to judge.
func NormalizeColor(s string) string {
	s = strings.TrimSpace(s)
	if s != "" && !strings.HasPrefix(s, "#") && hexColor.MatchString("#"+s) {
		return "#" + s
	}
	return s
}

// ValidateColor checks a cluster colour: a hex code such as "#FFE0F1".
// An empty colour is allowed (the cluster has none).
func ValidateColor(s string) error {
	if s == "" || hexColor.MatchString(s) {
		return nil
	}
	return fmt.Errorf("colour must be a hex code such as #FFE0F1")
}

var queueKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// ValidateQueueKey checks a queue key: required, letters, digits, hyphens
// and underscores only (it is what agents name in their tags).
func ValidateQueueKey(s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return errors.New("key is required")
	case len(s) > MaxQueueKeyLength:
		return fmt.Errorf("key must be at most %d characters", MaxQueueKeyLength)
	case !queueKey.MatchString(s):
		return errors.New("key may contain only letters, digits, hyphens and underscores")
	}
	return nil
}

// ValidateCIDRList checks a space-separated list of IPv4 CIDR blocks such
// as "202.144.0.0/24 10.0.0.0/8". An empty list is allowed.
func ValidateCIDRList(s string) error {
	for _, part := range strings.Fields(s) {
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return fmt.Errorf("%q is not a CIDR block such as 202.144.0.0/24", clip(part, 40))
		}
		if !p.Addr().Is4() {
			return fmt.Errorf("%q is not an IPv4 CIDR block", clip(part, 40))
		}
	}
	return nil
}

// NormalizeCIDRList folds runs of white space in a CIDR list to one space.
func NormalizeCIDRList(s string) string { return strings.Join(strings.Fields(s), " ") }

var spanPattern = regexp.MustCompile(`^(\d{1,5})([hdw])$`)

// ParseExpiry reads a new token's expiry: an ISO 8601 / RFC 3339 time
// ("2026-01-01T00:00:00Z"), a date ("2026-01-01", midnight UTC), or a span
// from now ("12h", "90d", "2w"). The result must be at least
// MinTokenLifetime after now (ValidateTokenExpiry). The examples in its
// messages are dates after now, so a person can copy them.
func ParseExpiry(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("expiry is empty")
	}
	var t time.Time
	if m := spanPattern.FindStringSubmatch(strings.ToLower(s)); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit := map[string]time.Duration{"h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
		t = now.Add(time.Duration(n) * unit)
	} else if d, err := time.Parse("2006-01-02", s); err == nil {
		t = d
	} else if ts, err := ParseTimestamp(s); err == nil {
		t = ts.Time
	} else {
		example := now.Add(7 * 24 * time.Hour).UTC()
		return time.Time{}, fmt.Errorf("%q is not a time: use %s, %s or a span such as 90d",
			clip(s, 40), example.Format("2006-01-02"), example.Format("2006-01-02T15:04:05Z"))
	}
	if err := ValidateTokenExpiry(t, now); err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// ValidateFutureTime checks an ISO 8601 time that must be in the future.
func ValidateFutureTime(s string, now time.Time) error {
	ts, err := ParseTimestamp(s)
	if err != nil {
		return err
	}
	if !ts.After(now) {
		return errors.New("time must be in the future")
	}
	return nil
}

// SlugPattern is the spec's regular expression for a pipeline slug.
var SlugPattern = regexp.MustCompile(`\A[a-zA-Z0-9]+[a-zA-Z0-9\-]*\z`)

// DeriveSlug turns a pipeline name into its slug as the spec describes:
// every run of spaces becomes one hyphen, upper case becomes lower case,
// and the result must match SlugPattern and be at most 100 characters (a
// longer one is an error, not cut short: two long names must not quietly
// share a slug). Characters the pattern does not allow are dropped, and
// leading hyphens with them, since a slug must start with a letter or
// digit.
func DeriveSlug(name string) (string, error) {
	var b strings.Builder
	inSpace := false
	for _, r := range name {
		if unicode.IsSpace(r) {
			if !inSpace {
				b.WriteByte('-')
			}
			inSpace = true
			continue
		}
		inSpace = false
		r = unicode.ToLower(r)
		if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			b.WriteRune(r)
		}
	}
	slug := strings.TrimLeft(b.String(), "-")
	if len(slug) > MaxSlugLength {
		return "", fmt.Errorf("name makes a slug of %d characters; a slug may have at most %d", len(slug), MaxSlugLength)
	}
	// What is left is letters, digits and hyphens, none first: SlugPattern
	// matches it unless it is empty. (The expression is not run: a slug is
	// derived for every pipeline of every page read.)
	if slug == "" {
		return "", errors.New("name must contain a letter or digit to make a slug from")
	}
	return slug, nil
}

// ValidatePipelineName checks a pipeline name: required, at most
// MaxTextLength characters, and one a slug can be derived from.
func ValidatePipelineName(name string) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("name is required")
	}
	if err := ValidateText("name", name, true); err != nil {
		return err
	}
	_, err := DeriveSlug(name)
	return err
}

// ValidateText checks a free-text field: not blank when required, not
// longer than MaxTextLength, and free of control characters (other than
// new lines where multiline is allowed, which it is not here).
func ValidateText(field, s string, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return fmt.Errorf("%s is required", field)
	}
	if utf8.RuneCountInString(s) > MaxTextLength {
		return fmt.Errorf("%s must be at most %d characters", field, MaxTextLength)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8", field)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("%s must not contain control characters", field)
		}
	}
	return nil
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
