package journeys

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// isoDuration is an ISO 8601 duration of weeks, days, hours, minutes and
// seconds (months and years have no fixed length and are refused).
var isoDuration = regexp.MustCompile(`^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

// maxWait bounds a duration: a year.
const maxWait = 366 * 24 * time.Hour

// parseDuration reads an ISO 8601 duration ("P1D", "PT2H30M", "P2W"),
// positive and at most a year.
func parseDuration(s string) (time.Duration, error) {
	m := isoDuration.FindStringSubmatch(s)
	if m == nil || s == "P" || s[len(s)-1] == 'T' {
		return 0, fmt.Errorf("must be an ISO 8601 duration such as P1D or PT2H30M")
	}
	units := []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second}
	var d time.Duration
	for i, u := range units {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.Atoi(m[i+1])
		if err != nil || n > int(maxWait/u) {
			return 0, fmt.Errorf("must be at most a year")
		}
		d += time.Duration(n) * u
	}
	if d <= 0 || d > maxWait {
		return 0, fmt.Errorf("must be more than nothing and at most a year")
	}
	return d, nil
}

// timeOfDay is "HH:MM" (UTC).
var timeOfDay = regexp.MustCompile(`^([01]\d|2[0-3]):([0-5]\d)$`)

// parseUntil reads a wait's until: a time of day "HH:MM" (UTC) or a
// moment (RFC 3339).
func parseUntil(s string) error {
	if timeOfDay.MatchString(s) {
		return nil
	}
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		return fmt.Errorf("must be a time of day (HH:MM, UTC) or a moment (RFC 3339)")
	}
	return nil
}

// waitEnd is when a wait step s reached at now ends: now plus its
// duration, the next time of day at its until (today's if still to come),
// or its moment (now if past).
func waitEnd(s Step, now time.Time) time.Time {
	if s.Duration != "" {
		d, _ := parseDuration(s.Duration) // checked when the journey was saved
		return now.Add(d)
	}
	if m := timeOfDay.FindStringSubmatch(s.Until); m != nil {
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		u := now.UTC()
		at := time.Date(u.Year(), u.Month(), u.Day(), h, mi, 0, 0, time.UTC)
		if !at.After(u) {
			at = at.AddDate(0, 0, 1)
		}
		return at
	}
	at, _ := time.Parse(time.RFC3339, s.Until)
	if at.Before(now) {
		return now
	}
	return at
}
