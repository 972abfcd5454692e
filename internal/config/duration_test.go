package config

import (
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	s := Duration{Min: time.Second, AllowUnlimited: true}
	runSyntax(t, s, []syntaxCase{
		{"1 h", "1 h"}, {"10s", "10 s"}, {"1w2d", "1 w 2 d"}, {"90 s", "1 m 30 s"}, {"1 hour", "1 h"},
		{"2 weeks", "2 w"}, {"30 seconds", "30 s"}, {"5 min", "5 m"}, {"1500 ms", "1 s 500 ms"},
		{"60", "1 m"}, {"1H", "1 h"}, {"unlimited", unlimited}, {"-1", unlimited}, {"1 s", "1 s"},
		{"500 ms", ""}, {"0 s", ""}, {"", ""}, {"1 fortnight", ""}, {"1 h 30", ""}, {"h", ""}, {"-5 s", ""},
		{"1.5 h", ""}, {"99999999999999 w", ""},
		// n*unit and the sum must not wrap around to another value.
		{"1099511627776 w", ""}, {"15251 w", ""}, {"15250 w 1 d", "15250 w 1 d"}, {"15250 w 1000 d", ""},
		{"15250 w 15250 w 15250 w", ""}, {"9223372036854775807 ms", ""}, {"9223372036854775808", ""},
	})
	runSyntax(t, Duration{Max: time.Hour}, []syntaxCase{
		{"0 s", "0 s"}, {"1 h", "1 h"}, {"61 m", ""}, {"unlimited", ""},
	})
	runSyntax(t, Duration{BaseUnit: "ms"}, []syntaxCase{{"250", "250 ms"}})
}

func TestFormatParseDurationRoundTrip(t *testing.T) {
	for _, d := range []time.Duration{0, time.Millisecond, 59 * time.Second, 25 * time.Hour, 8 * 24 * time.Hour, 3723004 * time.Millisecond} {
		got, err := parseDurationValue(FormatDuration(d))
		if err != nil || got != d {
			t.Errorf("parseDurationValue(FormatDuration(%v)) = %v, %v", d, got, err)
		}
	}
	if d, _ := parseDurationValue(unlimited); d != -1 {
		t.Errorf("parseDurationValue(unlimited) = %v, want -1", d)
	}
}
