// Reads "a<TAB>b" lines on stdin and prints "<cmp> <a valid> <b valid>" per line, using
// golang.org/x/mod/semver (copied from the Go toolchain's vendor tree at build time).
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"ref/semver"
)

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for sc.Scan() {
		p := strings.SplitN(sc.Text(), "\t", 2)
		if len(p) != 2 {
			fmt.Fprintln(w, "E 0 0")
			continue
		}
		va, vb := semver.IsValid(p[0]), semver.IsValid(p[1])
		if !va || !vb {
			fmt.Fprintf(w, "E %d %d\n", b2i(va), b2i(vb))
			continue
		}
		fmt.Fprintf(w, "%d 1 1\n", semver.Compare(p[0], p[1]))
	}
}
