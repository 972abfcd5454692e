// Package config is dsconfig's configuration model: what can be
// configured, how values are checked, and the file that keeps them. Read it
// first; every other package either defines types for it or reads from it.
//
// # The registry
//
// A [Registry] holds the kinds of configuration object ([Kind]: passphrase
// provider, HTTP authorization method, external server, …), their concrete
// types ([Type], the value of --type) and each type's properties
// ([PropertyDef]). The kinds are listed in kinds.go ([Kinds],
// [GlobalTypes]); the types come from the domain packages that use them
// (passphrase, httpauth, mailer, tlsconf). [NewRegistry] refuses a broken
// definition at start-up, so a mistake there fails every test rather than
// one command.
//
// Each property has a [Syntax] (syntax.go, duration.go) that parses a value
// into its canonical form and describes the values it takes, for errors and
// for docs/reference, which is generated from the registry.
//
// # Objects, changes and validation
//
// A [State] holds every [Object] of every kind. Commands change it through
// a [Tx]: [Tx.Create], [Tx.Modify] and [Tx.Delete] apply the --set, --add,
// --remove and --reset arguments ([Mod], mods.go), and the registry
// validates the result as a whole (validate.go): syntax, mandatory
// properties, references between objects and each type's own Check. The
// journal (journal.go) lets batch mode and rollback undo a change.
//
// # The store
//
// A [Store] is the configuration directory: config.yaml (codec.go writes
// it deterministically, so it diffs cleanly) and the encryption-key file
// that seals sensitive values (seal.go). [Store.Update] runs one change
// under a cross-process lock, validates it and replaces the file
// atomically (storefile.go): a crash or a refused change leaves the old
// file. Every file there is kept mode 0600 (perm.go).
//
// A write also leaves a validation record (checked.go): the hash of the
// file it validated and wrote. A load that finds the file it names reads
// it as a raw store (rawstore.go), decoding objects only as they are asked
// for, and a change to it validates only what the change touched and
// writes the rest of the file as it was (pieces.go). Any other file is
// decoded and validated whole.
//
// # Errors
//
// Every error of this package belongs to one class, tested with errors.Is,
// so that the command layer maps it to an exit code without knowing each
// type:
//
//   - [ErrUsage]: a malformed command: an unknown property or type, a
//     property argument without a separator, conflicting modifications;
//   - [ErrRejected]: a well-formed change that the model refuses: a
//     value that does not fit its property, a missing mandatory property,
//     a dangling reference ([Problem]s, collected in one error so the user
//     can fix them all at once), a [NotFoundError] or an object that
//     exists already;
//   - [ErrStore]: a store file that cannot be parsed or does not validate
//     ([StoreError]). A store that cannot be read or written at all is a
//     *StoreError with IO set, which is not a configuration problem and
//     does not match ErrStore.
//
// An error may carry a hint ([Hinted]), printed on its own line after the
// error; [HintOf] is the one way to get it.
//
// # One voice, and the sentences kept from PingDirectory
//
// Messages follow age's tone: a lowercase start (a type's friendly name,
// such as "External Server", keeps its capitals), no period at the end,
// short and plain, user values quoted with %q, and a separate hint for
// what to do next. Hints follow the same rule.
//
// The exception is the sentences that PingDirectory's dsconfig prints,
// because administrators and their scripts search for them, and because the
// help and docs of the PingDirectory family explain them. These keep
// PingDirectory's words and capital letter (the family's templates, as in
// OpenDJ's dsconfig.properties); where its grammar slips it is mended, and
// advice that PingDirectory puts in the sentence moves to the hint:
//
//   - The property "P" is not a recognized property of T (also "… of any
//     type of K", in list-X --property)
//   - The sub-type "T" is not a recognized type of K. It should be one of: …
//   - The property argument "A" does not contain a name/value separator (a
//     property name, a property value). The argument should have the
//     following syntax: property:value
//   - The property modification "M" is incompatible with another
//     modification to the same property
//   - "--reset P:...": the argument "--reset" resets the property to its
//     default value; it cannot be used to set a property to a given value
//   - The "P" property is mandatory and cannot be reset
//   - The "P" property must be specified as it is mandatory
//   - The "P" property must not be modified as it is read-only
//   - The "P" property must not contain more than one value
//   - The value "V" is not a valid value for the "P" property, which must
//     have the following syntax: … (our reason follows in parentheses)
//   - The value "V" for the "P" property does not exist (for a reference,
//     ": there is no K with that name" follows)
//   - There is already another K with the name "N"
//   - The K "N" does not exist
//   - The K "N" could not be created (modified, deleted) because of the
//     following reason: … / reasons: … ; and "… could not be deleted
//     because it is referenced by: …"
//   - The argument "--A" must be specified when this application is used
//     non-interactively (cmd/dsconfig)
//   - A sub-command must be specified (cmd/dsconfig)
//   - The K was created (modified, deleted) successfully (cmd/dsconfig's
//     confirmations)
//
// Where dsconfig adds to one of these sentences, the addition follows a
// colon, a semicolon or a parenthesis and is in the lowercase voice:
// "… does not exist: there is no Passphrase Provider with that name",
// "… non-interactively; it is one of: …", "… syntax: an integer from 1 to
// 65535 (it is above 65535)". A reason after "because of the following
// reason:" keeps its own voice: one of the sentences above starts with a
// capital, any other reason with a lowercase letter.
//
// Nothing else is worded after PingDirectory: a new message uses the
// lowercase voice, unless it is PingDirectory's own sentence for the same
// situation, which is then added to this list.
package config
