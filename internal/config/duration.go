package config

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Duration is a length of time in the dsconfig forms: "1 h", "10s",
// "1w2d", "500 ms", and "unlimited" where allowed. A bare number is taken
// in BaseUnit. The canonical form is largest units first, e.g. "1 h 30 m".
type Duration struct {
	Min, Max       time.Duration
	BaseUnit       string // unit for a bare number; default "s"
	AllowUnlimited bool
}

// unlimited is the canonical value of a duration without limit.
const unlimited = "unlimited"

var durationUnits = []struct {
	names []string
	d     time.Duration
}{
	{[]string{"w", "week", "weeks"}, 7 * 24 * time.Hour},
	{[]string{"d", "day", "days"}, 24 * time.Hour},
	{[]string{"h", "hr", "hour", "hours"}, time.Hour},
	{[]string{"m", "min", "mins", "minute", "minutes"}, time.Minute},
	{[]string{"s", "sec", "secs", "second", "seconds"}, time.Second},
	{[]string{"ms", "msec", "millisecond", "milliseconds"}, time.Millisecond},
}

var durationPartRE = regexp.MustCompile(`^\s*(\d+)\s*([a-zA-Z]*)`)

func (s Duration) Parse(v string) (string, error) {
	if strings.EqualFold(strings.TrimSpace(v), unlimited) || strings.TrimSpace(v) == "-1" {
		if s.AllowUnlimited {
			return unlimited, nil
		}
		return "", errors.New("unlimited is not allowed here")
	}
	d, err := parseDuration(v, s.baseUnit())
	if err != nil {
		return "", err
	}
	if d < s.Min {
		return "", fmt.Errorf("it is shorter than %s", FormatDuration(s.Min))
	}
	if s.Max > 0 && d > s.Max { // Max 0 means no upper bound
		return "", fmt.Errorf("it is longer than %s", FormatDuration(s.Max))
	}
	return FormatDuration(d), nil
}

func (s Duration) baseUnit() string {
	if s.BaseUnit == "" {
		return "s"
	}
	return s.BaseUnit
}

var errDurationTooLarge = errors.New("the duration is too large")

func parseDuration(v, base string) (time.Duration, error) {
	rest := strings.TrimSpace(v)
	if rest == "" {
		return 0, errors.New("it is empty")
	}
	var total time.Duration
	for rest != "" {
		m := durationPartRE.FindStringSubmatch(rest)
		if m == nil {
			return 0, &SyntaxMismatch{"a duration"}
		}
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return 0, errDurationTooLarge
		}
		if after := rest[len(m[0]):]; m[2] == "" && (strings.HasPrefix(after, ".") || strings.HasPrefix(after, ",")) {
			return 0, errors.New("fractions are not allowed; use smaller units, e.g. 1 h 30 m for 1.5 h")
		}
		unit := m[2]
		if unit == "" {
			if m[0] != strings.TrimSpace(v) {
				return 0, errors.New("every number needs a unit")
			}
			unit = base
		}
		d, ok := unitDuration(unit)
		if !ok {
			return 0, fmt.Errorf("the time unit %q is invalid; the valid time units are ms, s, m, h, d, or w", unit)
		}
		// Check before multiplying and adding: an overflowing duration
		// would silently wrap to a different value.
		if n > math.MaxInt64/int64(d) || total > math.MaxInt64-time.Duration(n)*d {
			return 0, errDurationTooLarge
		}
		total += time.Duration(n) * d
		rest = strings.TrimSpace(rest[len(m[0]):])
	}
	return total, nil
}

func unitDuration(unit string) (time.Duration, bool) {
	unit = strings.ToLower(unit)
	for _, u := range durationUnits {
		for _, n := range u.names {
			if n == unit {
				return u.d, true
			}
		}
	}
	return 0, false
}

// parseDurationValue reads a canonical (or any accepted) duration value. It
// returns -1 for "unlimited".
func parseDurationValue(v string) (time.Duration, error) {
	if v == unlimited {
		return -1, nil
	}
	return parseDuration(v, "s")
}

// FormatDuration writes d in the canonical dsconfig form.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0 s"
	}
	var parts []string
	for _, u := range durationUnits {
		if n := d / u.d; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, u.names[0]))
			d -= n * u.d
		}
	}
	return strings.Join(parts, " ")
}

func (s Duration) Describe() string {
	d := "a duration such as 30 s, 5 m, 1 h or 1w2d"
	if s.Max > 0 {
		d += fmt.Sprintf(", from %s to %s", FormatDuration(s.Min), FormatDuration(s.Max))
	} else if s.Min > 0 {
		d += ", at least " + FormatDuration(s.Min)
	}
	if s.AllowUnlimited {
		d += ", or unlimited"
	}
	return d
}
