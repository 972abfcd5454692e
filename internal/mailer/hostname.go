package mailer

import (
	"os"
	"strings"
)

// Hostname is this host's name if it is a usable EHLO argument, else
// "localhost": the name a command says EHLO with.
func Hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" || strings.ContainsAny(h, " \r\n") {
		return "localhost"
	}
	return h
}
