// Package cronspec parses the cron expressions of schedule-triggered
// workflows with github.com/robfig/cron/v3 and computes their next run.
//
// Accepted: the standard five fields (minute hour day-of-month month
// day-of-week, with ranges, lists, steps and month/day names) and the
// descriptors @yearly, @annually, @monthly, @weekly, @daily, @midnight,
// @hourly and "@every <duration>". Schedules are always evaluated in UTC,
// so time-zone prefixes (TZ=, CRON_TZ=) are rejected rather than honoured.
package cronspec

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// MaxLength matches the API's limit on a trigger's cron expression.
const MaxLength = 200

// MinEvery is the shortest accepted "@every" interval: five-field specs
// cannot fire more often than once a minute, and neither may descriptors.
const MinEvery = time.Minute

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Schedule is a parsed cron expression.
type Schedule struct {
	spec  string
	sched cron.Schedule
}

// Parse parses spec. Errors quote the spec and say what is wrong with it.
func Parse(spec string) (Schedule, error) {
	s := strings.TrimSpace(spec)
	// If statements, not switch cases: Go's coverage profile has no counter for case
	// expressions, so mutation testing would leave these checks untested.
	if s == "" {
		return Schedule{}, fmt.Errorf("cron expression is empty; use five fields (minute hour day-of-month month day-of-week) or a descriptor such as @hourly")
	}
	if len(s) > MaxLength {
		return Schedule{}, fmt.Errorf("cron expression is longer than %d characters", MaxLength)
	}
	if strings.HasPrefix(s, "TZ=") || strings.HasPrefix(s, "CRON_TZ=") {
		// Also avoids a panic in cron v3.0.1 on "TZ=x" without a space.
		return Schedule{}, fmt.Errorf("invalid cron expression %q: time zones are not supported, schedules run in UTC", spec)
	}
	sched, err := parser.Parse(s)
	if err != nil {
		return Schedule{}, fmt.Errorf("invalid cron expression %q: %w", spec, err)
	}
	if every, ok := sched.(cron.ConstantDelaySchedule); ok && every.Delay < MinEvery {
		// cron rounds shorter and negative delays up to a second.
		return Schedule{}, fmt.Errorf("invalid cron expression %q: the interval must be at least %s", spec, MinEvery)
	}
	if sched.Next(time.Now().UTC()).IsZero() {
		// cron gives up after searching five years ahead, as for "0 0 30 2 *".
		return Schedule{}, fmt.Errorf("invalid cron expression %q: it never fires", spec)
	}
	return Schedule{spec: s, sched: sched}, nil
}

// Next returns the first activation strictly after after, in UTC. For
// "@every" schedules that is after plus the interval (whole seconds).
// The zero Schedule never fires and returns the zero time.
func (s Schedule) Next(after time.Time) time.Time {
	if s.sched == nil {
		return time.Time{}
	}
	return s.sched.Next(after.UTC())
}

// String returns the expression as parsed (trimmed).
func (s Schedule) String() string { return s.spec }
