// notecheck verifies a C2SP signed note with the Go reference implementation
// (golang.org/x/mod/sumdb/note, Debian's golang-golang-x-mod-dev), so the registry's audit
// checkpoints are checked by a tool it did not write.
//
// Usage: notecheck VERIFIER_KEY < note; prints the note's text and exits 0 if the signature
// verifies, else prints the error and exits 1.
package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/mod/sumdb/note"
)

func main() {
	verifier, err := note.NewVerifier(os.Args[1])
	if err != nil {
		fmt.Println("bad verifier key:", err)
		os.Exit(1)
	}
	msg, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fmt.Println("not verified:", err)
		os.Exit(1)
	}
	fmt.Print(n.Text)
}
