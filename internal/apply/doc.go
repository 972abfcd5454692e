// Package apply converges a configuration to a desired one, for
// dsconfig apply-config.
//
// The desired configuration is a batch file as export-config writes it:
// create-X and set-X-prop commands, read by [Read] into a [Desired] state
// without touching any store. [converge] then turns a current state into
// the target that the desired file describes, with the registry's planner
// (the code config-diff uses), and reports what it changed, object by
// object.
//
// The target is the current state with the file's objects in place of
// the current ones of the same name. Objects absent from the file are
// kept, unless prune is set: then those of the kinds the file mentions
// are deleted, but never one that an object left in place still refers
// to; the whole change is refused instead. Built-in objects (JVM-Default,
// Blind Trust) are never pruned, and a set-X-prop of one that the file
// does not create changes its shipped form.
//
// A desired file never holds secrets. A sensitive property in it is
// refused, in clear or sealed form, and sensitive properties are left out
// of the comparison: an object of the store keeps its sealed values, and
// an object whose type needs one (an obscured-value passphrase provider)
// can be kept but not created.
package apply
