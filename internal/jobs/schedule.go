package jobs

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule is a parsed schedule: "@every 6h", "@daily", or a five-field
// cron expression ("0 */6 * * *"), in UTC.
type Schedule struct {
	sched cron.Schedule
	every time.Duration // for @every; 0 otherwise
}

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a schedule and refuses intervals shorter than min
// (a cron expression's shortest gap is its first two runs).
func ParseSchedule(s string, minInterval time.Duration) (Schedule, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "TZ=") || strings.HasPrefix(s, "CRON_TZ=") {
		return Schedule{}, fmt.Errorf("schedule %q: time zones are not supported; schedules run in UTC", s)
	}
	sched, err := parser.Parse(s)
	if err != nil {
		return Schedule{}, fmt.Errorf("schedule %q: want \"@every 6h\", \"@daily\" or a cron expression like \"0 */6 * * *\": %w", s, err)
	}
	out := Schedule{sched: sched}
	if cd, ok := sched.(cron.ConstantDelaySchedule); ok {
		out.every = cd.Delay
	}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	first := out.Next(base)
	if gap := out.Next(first).Sub(first); gap < minInterval {
		return Schedule{}, fmt.Errorf("schedule %q runs every %s; the shortest allowed is %s", s, gap, minInterval)
	}
	return out, nil
}

// Next is the first run strictly after t.
func (s Schedule) Next(t time.Time) time.Time {
	if s.every > 0 {
		// robfig rounds @every down to whole seconds; keep sub-second precision out.
		return t.Add(s.every).Truncate(time.Second)
	}
	return s.sched.Next(t.UTC())
}
