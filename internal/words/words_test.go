package words

import "testing"

func TestCount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n    int
		noun string
		want string
	}{
		{1, "operation", "1 operation"}, {0, "operation", "0 operations"}, {2, "day", "2 days"},
		{3, "entry", "3 entries"}, {2, "match", "2 matches"}, {2, "address", "2 addresses"}, {2, "key", "2 keys"},
	} {
		if got := Count(tc.n, tc.noun); got != tc.want {
			t.Errorf("Count(%d, %q) = %q, want %q", tc.n, tc.noun, got, tc.want)
		}
	}
}

func TestA(t *testing.T) {
	t.Parallel()
	for phrase, want := range map[string]string{
		"AWS access key id":     "an AWS access key id",
		"JWT":                   "a JWT",
		"SQL error":             "an SQL error",
		"8-character secret":    "an 8-character secret",
		"18-character secret":   "an 18-character secret",
		"12-character secret":   "a 12-character secret",
		"internal address":      "an internal address",
		"stack trace":           "a stack trace",
		"user id":               "a user id",
		"unbounded list":        "an unbounded list",
		"hour":                  "an hour",
		"Python stack trace":    "a Python stack trace",
		"Express stack trace":   "an Express stack trace",
		"one-time token":        "a one-time token",
		"European phone number": "a European phone number",
		"HS256 key":             "an HS256 key",
		"":                      "a ",
	} {
		if got := A(phrase); got != want {
			t.Errorf("A(%q) = %q, want %q", phrase, got, want)
		}
	}
}
