package passphrase

// TestProviderHelp is the help of dsconfig test-passphrase-provider.
const TestProviderHelp = `Resolves a passphrase provider the way send-test-mail and token requests
do, and reports whether it worked, without showing the secret.

On success it prints the secret's length in characters and its fingerprint:
the first 8 hex digits of the secret's SHA-256. The fingerprint is not the
secret; it lets you check that two hosts, or a provider before and after a
change, hold the same value. On failure it says why (environment variable
not set, file missing or unreadable, command failed, encryption key file
missing) and exits with code 3.`
