// Command gofixture is a tiny program built as a Bulwark test fixture.
package main

import (
	"os"

	"example.com/bulwark/greet"
	"github.com/pkg/errors"
)

func main() {
	err := errors.Wrap(errors.New(greet.Hello()), "fixture")
	os.Stdout.WriteString(err.Error() + "\n")
}
