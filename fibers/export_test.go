package fibers

// For the external tests (package fibers_test): where the Asm backend was
// verified, from the one list in verified.go.
var (
	// AsmVerified reports whether the Asm backend was verified for the
	// running Go version, system and architecture.
	AsmVerified = asmVerifiedHere
	// AsmVerifiedText describes where it was verified, for messages.
	AsmVerifiedText = asmVerifiedText
)
