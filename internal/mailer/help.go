package mailer

// SendTestMailHelp is the help of dsconfig send-test-mail.
const SendTestMailHelp = `Sends a test message through an SMTP external server and reports every step
with its timing: config, token (cached or new, and when it expires), connect,
TLS (version and certificate), EHLO (the AUTH mechanisms offered), AUTH, MAIL,
RCPT, DATA and the server's final reply.

Without --server-name the servers of the global configuration's smtp-server
property are tried in order until one succeeds, and each attempt is reported;
when one succeeds after others failed, a warning names the failed servers
(and the JSON lists them under failed-servers). --all-servers sends through
every server of the list instead, and fails if any of them fails.

With a token-acquisition-method, dsconfig authenticates as user-name with
OAUTHBEARER when the server offers it, else XOAUTH2 (all Exchange Online
offers); --mechanism forces one. When the server rejects the token (535, or
an error challenge), the token is discarded and the send is retried once,
with a fresh token, on a new connection. A password (password or
passphrase-provider) is sent with PLAIN or LOGIN. Credentials are never sent
without TLS except to a loopback address.

--verbose adds the SMTP transcript with the AUTH data and any token or
password masked, and a trace of any token request (see get-access-token
--verbose). --quit-after STAGE stops after connect, tls, ehlo, auth, mail
or rcpt without sending, like swaks.`
