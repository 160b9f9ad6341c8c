package jobs

import (
	"testing"
	"time"
)

func TestParseSchedule(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 3, 1, 10, 17, 0, 0, time.UTC)
	for _, c := range []struct {
		spec string
		next time.Time
	}{
		{"@every 6h", at.Add(6 * time.Hour)},
		{"@hourly", time.Date(2025, 3, 1, 11, 0, 0, 0, time.UTC)},
		{"@daily", time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"0 */6 * * *", time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)},
		{"30 2 * * 1", time.Date(2025, 3, 3, 2, 30, 0, 0, time.UTC)},
	} {
		s, err := ParseSchedule(c.spec, time.Minute)
		if err != nil {
			t.Errorf("%q: %v", c.spec, err)
			continue
		}
		if got := s.Next(at); !got.Equal(c.next) {
			t.Errorf("%q after %s: %s, want %s", c.spec, at, got, c.next)
		}
	}
	for _, bad := range []string{"", "every 6h", "@every 10s", "* * * * * *", "61 * * * *", "TZ=Europe/Paris 0 * * * *", "@every -1h"} {
		if _, err := ParseSchedule(bad, time.Minute); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := ParseSchedule("@every 2s", time.Second); err != nil {
		t.Errorf("a 2s schedule with a 1s minimum: %v", err)
	}
}
