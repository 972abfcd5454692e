// Package report writes what the commands that test a configuration
// show: get-access-token's token, the steps of an SMTP session
// (send-test-mail, send-mail -v, check-config --online), check-config's
// findings and test-passphrase-provider's result, as text for people and
// scripts and as the JSON documents that docs/json.md describes.
//
// Nothing here decides anything: the commands get, send and check, and
// hand the outcome over to be written.
package report
