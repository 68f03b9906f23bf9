package cronspec

import (
	"strings"
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	// Friday 2025-01-10 08:30:15 UTC.
	after := time.Date(2025, 1, 10, 8, 30, 15, 500, time.UTC)
	cases := []struct {
		spec string
		want time.Time
	}{
		{spec: "* * * * *", want: time.Date(2025, 1, 10, 8, 31, 0, 0, time.UTC)},
		{spec: "*/15 * * * *", want: time.Date(2025, 1, 10, 8, 45, 0, 0, time.UTC)},
		{spec: "0 9 * * 1-5", want: time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC)},
		{spec: "0 8 * * MON-FRI", want: time.Date(2025, 1, 13, 8, 0, 0, 0, time.UTC)},
		{spec: "30 2 1 * *", want: time.Date(2025, 2, 1, 2, 30, 0, 0, time.UTC)},
		{spec: "0 0 1 JAN *", want: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{spec: "0 0 29 2 *", want: time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC)},
		{spec: "  0 12 * * *  ", want: time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)},
		{spec: "@hourly", want: time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC)},
		{spec: "@daily", want: time.Date(2025, 1, 11, 0, 0, 0, 0, time.UTC)},
		{spec: "@midnight", want: time.Date(2025, 1, 11, 0, 0, 0, 0, time.UTC)},
		{spec: "@weekly", want: time.Date(2025, 1, 12, 0, 0, 0, 0, time.UTC)},
		{spec: "@monthly", want: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)},
		{spec: "@yearly", want: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{spec: "@annually", want: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{spec: "@every 5m", want: time.Date(2025, 1, 10, 8, 35, 15, 0, time.UTC)},
		{spec: "@every 1h30m", want: time.Date(2025, 1, 10, 10, 0, 15, 0, time.UTC)},
	}
	for _, tc := range cases {
		t.Run(tc.spec, func(t *testing.T) {
			s, err := Parse(tc.spec)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.spec, err)
			}
			got := s.Next(after)
			if !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Errorf("Next(%s) = %s, want %s", after, got, tc.want)
			}
		})
	}
}

func TestNextIsUTCWhateverTheInputZone(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	cases := []struct {
		name  string
		after time.Time
		want  time.Time
	}{
		// 08:30 in Tokyo is 23:30 the day before in UTC.
		{name: "ahead of UTC", after: time.Date(2025, 1, 10, 8, 30, 0, 0, tokyo), want: time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC)},
		{name: "UTC", after: time.Date(2025, 1, 10, 8, 30, 0, 0, time.UTC), want: time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC)},
	}
	s, err := Parse("0 9 * * *")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := s.Next(tc.after)
			if !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Errorf("Next(%s) = %s, want %s", tc.after, got, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name    string
		spec    string
		wantErr []string
	}{
		{name: "empty", spec: " ", wantErr: []string{"empty", "five fields"}},
		{name: "too few fields", spec: "* * *", wantErr: []string{`"* * *"`, "expected exactly 5 fields"}},
		{name: "seconds field", spec: "0 * * * * *", wantErr: []string{`"0 * * * * *"`, "expected exactly 5 fields"}},
		{name: "minute out of range", spec: "61 * * * *", wantErr: []string{`"61 * * * *"`, "above maximum"}},
		{name: "bad name", spec: "0 0 * * FUNDAY", wantErr: []string{"FUNDAY"}},
		{name: "unknown descriptor", spec: "@fortnightly", wantErr: []string{`"@fortnightly"`, "unrecognized descriptor"}},
		{name: "bad every", spec: "@every soon", wantErr: []string{`"@every soon"`}},
		{name: "every too short", spec: "@every 30s", wantErr: []string{"at least 1m0s"}},
		{name: "every negative", spec: "@every -5m", wantErr: []string{"at least"}},
		{name: "time zone", spec: "TZ=Europe/Berlin 0 9 * * *", wantErr: []string{"UTC"}},
		{name: "time zone without fields", spec: "CRON_TZ=UTC", wantErr: []string{"UTC"}},
		{name: "never fires", spec: "0 0 30 2 *", wantErr: []string{`"0 0 30 2 *"`, "never fires"}},
		{name: "too long", spec: strings.Repeat("1,", 101) + "1 * * * *", wantErr: []string{"longer than 200"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.spec)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want an error", tc.spec)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// The limits at their edges: the last value accepted.
func TestParseLimits(t *testing.T) {
	cases := []struct {
		name string
		spec string
	}{
		{"the longest spec", strings.Repeat("1,", 95) + "10 * * * *"},
		{"the shortest interval", "@every 1m"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(tc.spec); err != nil {
				t.Fatalf("Parse(%q) (%d characters): %v", tc.spec, len(tc.spec), err)
			}
		})
	}
}

func TestZeroScheduleNeverFires(t *testing.T) {
	var s Schedule
	if got := s.Next(time.Now()); !got.IsZero() {
		t.Errorf("zero Schedule Next = %s, want the zero time", got)
	}
}

func TestString(t *testing.T) {
	s, err := Parse(" @every 5m ")
	if err != nil {
		t.Fatal(err)
	}
	if s.String() != "@every 5m" {
		t.Errorf("String() = %q", s.String())
	}
}
