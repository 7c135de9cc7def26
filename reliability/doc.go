// Package reliability is netdigest's fault and abuse suite: hostile HTTP
// servers, malformed corpora, XML entity tricks, untrusted HTML through every
// output, kill -9 of the real binary mid-cycle, corrupt stores, a full disk
// and load. The tests live in this package's _test files and drive the real
// fetch.Client, pipeline.Runner, store and the built binary.
//
// The non-test files hold what the tests share and what is worth testing on
// its own: the checker that decides whether HTML could run script
// (UnsafeHTML), the list of well-known XSS vectors (XSSVectors), and the
// report that docs/RELIABILITY.md is generated from and checked against
// (Report), so that the document cannot drift from what the suite observed.
package reliability
