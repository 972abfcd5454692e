package main

import "io"

// verboseWriter is where --verbose writes, in send-test-mail and
// get-access-token: with the report for people, on standard error beside
// JSON, so that standard output stays one JSON document.
func verboseWriter(ios *IOStreams, json bool) io.Writer {
	if json {
		return ios.ErrOut
	}
	return ios.Out
}
