package sendmail

import "os"

// The help of the three commands.
const (
	SendMailHelp = `Reads one RFC 5322 message from standard input and sends it through the
global smtp-server list, in order, or through --server-name, with the same
authentication as send-test-mail: the token cache, one renewal of a rejected
token, and failover to the next server after a connection, TLS or temporary
failure (never once the server has begun to receive the body). Started as
"sendmail" (through a symlink), dsconfig runs send-mail.

It takes sendmail's options: recipients as arguments; -t (recipients from
To, Cc and Bcc, with Bcc removed); -f ADDR (the envelope sender, default the
server's user-name); -F NAME (the name of an added From); -i or -oi (a lone
dot does not end the message); -v (the steps, on standard error). -oX,
-B TYPE, -N, -R, -V, -h, -m, -n, -U and -bm are accepted and ignored.

A Date and a Message-ID are added when missing. An 8-bit body is sent as
it is to a server that offers 8BITMIME, and quoted-printable otherwise;
body lines over 998 octets are always encoded; a header line over 998
octets is refused.

With --queue, a message that could not be sent because of a temporary
failure is kept in queue/ in the configuration directory, and
send-queued-mail retries it. Messages go to standard error; with nothing to
report send-mail is silent. The configuration directory is found as usual,
and is /etc/dsconfig when the usual one does not exist.`

	SendQueuedMailHelp = `Tries once each message in queue/ of the configuration directory, through the
servers send-mail uses. A message is deleted only once a server accepted it
(250 to DATA); one refused for good moves to queue/failed/ with the server's
reply, and is never deleted. Safe to run from cron and concurrently: each
message is locked while it is sent, and a message another run holds is left
to it. Exits 0 when the queue is empty afterwards, 75 when messages stay
queued, and 69 when any was moved to failed/.`

	ListQueuedMailHelp = "Lists the messages in queue/ of the configuration directory, oldest first, then\nthose in queue/failed/ with the reason they failed."
)

// systemDir is the configuration directory of a sendmail run whose
// user has none: a system-wide one, for cron and other users' jobs.
var systemDir = "/etc/dsconfig"

// SystemConfigDir returns systemDir when usual, the directory found the
// usual way (XDG), does not exist and systemDir does, and "" otherwise
// (keep the usual one).
func SystemConfigDir(usual string) string {
	if usual != "" && isDir(usual) {
		return ""
	}
	if isDir(systemDir) {
		return systemDir
	}
	return ""
}

func isDir(d string) bool {
	fi, err := os.Stat(d)
	return err == nil && fi.IsDir()
}
