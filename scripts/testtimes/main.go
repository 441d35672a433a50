// Command testtimes reads `go test -json` output on its standard input and
// prints where the time went: each package's wall time, then the slowest
// top-level tests. It is how docs/TESTING.md's tables are made:
//
//	go test -race -json -count=1 ./... > /tmp/tests.json
//	go run ./scripts/testtimes -top 25 < /tmp/tests.json
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

// event is the part of a test2json event this needs.
type event struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
}

type timing struct {
	pkg, test, result string
	seconds           float64
}

func main() {
	top := flag.Int("top", 20, "how many of the slowest tests to list")
	flag.Parse()
	var packages, tests []timing
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	for in.Scan() {
		var e event
		if json.Unmarshal(in.Bytes(), &e) != nil || (e.Action != "pass" && e.Action != "fail") {
			continue
		}
		t := timing{pkg: shortName(e.Package), test: e.Test, result: e.Action, seconds: e.Elapsed}
		switch {
		case e.Test == "":
			packages = append(packages, t)
		case !strings.Contains(e.Test, "/"):
			tests = append(tests, t)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "testtimes:", err)
		os.Exit(1)
	}
	sort.Slice(packages, func(i, j int) bool { return packages[i].seconds > packages[j].seconds })
	sort.Slice(tests, func(i, j int) bool { return tests[i].seconds > tests[j].seconds })
	fmt.Println("| package | seconds | result |\n| --- | ---: | --- |")
	for _, p := range packages {
		fmt.Printf("| %s | %.1f | %s |\n", p.pkg, p.seconds, p.result)
	}
	fmt.Println("\n| test | seconds | result |\n| --- | ---: | --- |")
	for _, t := range tests[:min(*top, len(tests))] {
		fmt.Printf("| %s.%s | %.1f | %s |\n", t.pkg, t.test, t.seconds, t.result)
	}
}

// shortName is a package's path inside the module.
func shortName(pkg string) string {
	if _, rest, ok := strings.Cut(pkg, "/kiteconsole/kiteconsole/"); ok {
		return rest
	}
	return pkg
}
