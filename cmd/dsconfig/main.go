// Command dsconfig provisions bearer-token SMTP authentication in the
// style of PingDirectory's dsconfig, on a local configuration store, and
// tests it by sending mail.
package main

import "os"

func main() {
	os.Exit(Main(Args(os.Args), systemIO(), os.Getenv))
}
