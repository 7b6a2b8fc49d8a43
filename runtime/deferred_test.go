package runtime_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/corofy/corofy/runtime"
)

// record returns a func() and a link, func(next func()), that append
// their name to *log when they run, as generated code pushes them.
func record(log *[]string, name string) (runtime.Deferred, runtime.Deferred) {
	plain := func() { *log = append(*log, name) }
	add := func(s string) { *log = append(*log, s) }
	link := func(next func()) { defer add(name + " link"); next() }
	return plain, link
}

func TestRunDeferredOrder(t *testing.T) {
	var log []string
	var defers []runtime.Deferred
	for _, name := range []string{"a", "b", "c"} {
		plain, link := record(&log, name)
		defers = append(defers, plain, link)
	}
	runtime.RunDeferred(&defers)
	want := []string{"c link", "c", "b link", "b", "a link", "a"}
	if !slices.Equal(log, want) {
		t.Errorf("RunDeferred ran %q, want %q (the last pushed first)", log, want)
	}
	if defers != nil {
		t.Errorf("RunDeferred left %d calls in the list, want it emptied", len(defers))
	}
}

// recoverInto is a function that recovers, called with arguments: in Go,
// "defer recoverInto(&err)" stops the panic.
func recoverInto(p *error) {
	if r := recover(); r != nil {
		*p = fmt.Errorf("recovered %v", r)
	}
}

func TestUnwindLinkRecovers(t *testing.T) {
	var err error
	var log []string
	plain, _ := record(&log, "after")
	defers := []runtime.Deferred{
		func(next func()) { defer recoverInto(&err); next() },
		plain,
	}
	if !runtime.Unwind(&defers, "boom") {
		t.Fatal("Unwind(defers, \"boom\") = false, want true: the link's call recovers")
	}
	if err == nil || err.Error() != "recovered boom" {
		t.Errorf("the recovering call set err = %v, want \"recovered boom\"", err)
	}
	if !slices.Equal(log, []string{"after"}) {
		t.Errorf("calls run: %q, want the one pushed after the recovering call first", log)
	}
}

// A call that is not itself the deferred function does not recover:
// recover in a function a closure calls returns nil, as in Go, and so does
// "defer recover()" (here a link deferring the builtin).
func TestUnwindNoRecover(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    runtime.Deferred
	}{
		{"closure calling", func() { var err error; recoverInto(&err) }},
		{"defer recover()", func(next func()) { defer recover(); next() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defers := []runtime.Deferred{tc.d}
			var got any
			func() {
				defer func() { got = recover() }()
				runtime.Unwind(&defers, "boom")
			}()
			if got != "boom" {
				t.Errorf("the panic after Unwind = %v, want boom: %s must not recover", got, tc.name)
			}
		})
	}
}
