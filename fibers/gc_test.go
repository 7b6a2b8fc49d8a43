package fibers_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"weak"

	"github.com/corofy/corofy/fibers"
)

// The GC-safety tests hold heap objects across yields the way the contract
// says (fibers.Keep) and check, after every resume, that each object is
// still there: its weak pointer still resolves (cleared deterministically by
// a completed GC if the object was found unreachable), its finalizer has not
// run, and its payload is intact. TestContractBroken proves, in a child
// process, that the same probes do fire when the contract is broken.

// payload is a heap object with a recognizable pattern and a pointer, so
// that corruption or a premature free shows.
type payload struct {
	id    int
	words [6]uint64
	next  *payload
}

// probes records, per payload id, whether the object is in use and whether
// it was finalized while in use. Globals, so never on a fiber stack.
var probes struct {
	mu       sync.Mutex
	weak     map[int]weak.Pointer[payload]
	inUse    map[int]bool
	violated atomic.Int64
	nextID   atomic.Int64
}

func newPayload(next *payload) *payload {
	id := int(probes.nextID.Add(1))
	p := &payload{id: id, next: next}
	for i := range p.words {
		p.words[i] = uint64(id)*0x9e3779b97f4a7c15 + uint64(i)
	}
	probes.mu.Lock()
	if probes.weak == nil {
		probes.weak, probes.inUse = map[int]weak.Pointer[payload]{}, map[int]bool{}
	}
	probes.weak[id] = weak.Make(p)
	probes.inUse[id] = true
	probes.mu.Unlock()
	runtime.SetFinalizer(p, func(p *payload) {
		probes.mu.Lock()
		if probes.inUse[p.id] {
			probes.violated.Add(1)
		}
		delete(probes.weak, p.id)
		delete(probes.inUse, p.id)
		probes.mu.Unlock()
	})
	return p
}

// check returns an error if any object of the list at p was freed or
// corrupted.
func check(p *payload) error {
	for ; p != nil; p = p.next {
		for i, w := range p.words {
			if w != uint64(p.id)*0x9e3779b97f4a7c15+uint64(i) {
				return fmt.Errorf("payload %d corrupted: word %d = %#x", p.id, i, w)
			}
		}
		probes.mu.Lock()
		wp, ok := probes.weak[p.id]
		probes.mu.Unlock()
		if !ok || wp.Value() != p {
			return fmt.Errorf("payload %d was collected while in use", p.id)
		}
	}
	if n := probes.violated.Load(); n > 0 {
		return fmt.Errorf("%d payloads finalized while in use", n)
	}
	return nil
}

// release marks the objects of the list at p as no longer in use.
func release(p *payload) {
	probes.mu.Lock()
	for ; p != nil; p = p.next {
		probes.inUse[p.id] = false
	}
	probes.mu.Unlock()
}

// spin computes without calls, so that asynchronous preemption (and with it
// stack scans) can land in the middle of fiber code.
//
//go:noinline
func spin(n int) int {
	x := n
	for i := range n {
		x = x*31 + i
	}
	return x
}

// gcWorkload spawns fibers that keep lists of payloads across yields under
// the contract and returns the first error a fiber saw.
func gcWorkload(rt *fibers.Runtime, nFibers, rounds int) error {
	var firstErr error
	for range nFibers {
		rt.Spawn(func(f *fibers.Fiber) {
			var list *payload
			name := fibers.Keep(f, fmt.Sprintf("fiber-%d", f.ID())) // a heap string
			for r := range rounds {
				list = fibers.Keep(f, newPayload(list))
				_ = make([]byte, 512) // churn, so GOGC=1 collects often
				spin(2000)
				f.Yield()
				if err := check(list); err != nil && firstErr == nil {
					firstErr = fmt.Errorf("fiber %d round %d: %v", f.ID(), r, err)
				}
				if name != fmt.Sprintf("fiber-%d", f.ID()) && firstErr == nil {
					firstErr = fmt.Errorf("fiber %d: kept string corrupted: %q", f.ID(), name)
				}
				if r%8 == 7 { // drop the list, keep only what is used next
					release(list)
					list = nil
					f.Release()
					f.Keep(name)
				}
			}
			release(list)
		})
	}
	rt.Run()
	return firstErr
}

func TestGCSafety(t *testing.T) {
	t.Run("stress", func(t *testing.T) {
		// A full GC at every switch: each suspended fiber sees about 100.
		forEachBackend(t, fibers.Config{StressGC: true}, func(t *testing.T, rt *fibers.Runtime) {
			if err := gcWorkload(rt, 6, 16); err != nil {
				t.Fatal(err)
			}
		})
	})
	t.Run("concurrent", func(t *testing.T) {
		// Another goroutine forces GCs while the fibers run.
		forEachBackend(t, fibers.Config{}, func(t *testing.T, rt *fibers.Runtime) {
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
						runtime.GC()
					}
				}
			}()
			err := gcWorkload(rt, 200, 64)
			close(stop)
			wg.Wait()
			if err != nil {
				t.Fatal(err)
			}
		})
	})
}

// TestGCSafetyEnvironments reruns TestGCSafety in child processes under the
// runtime settings that stress the collector differently: a tiny heap goal,
// the checkmark verifier (a second, stop-the-world mark that must find
// nothing the concurrent mark missed), freed memory clobbered, and async
// preemption off (stack scans only at synchronous safe points).
func TestGCSafetyEnvironments(t *testing.T) {
	if testing.Short() {
		t.Skip("child processes; run without -short")
	}
	for _, env := range []string{
		"GOGC=1",
		"GODEBUG=gccheckmark=1",
		"GODEBUG=clobberfree=1",
		"GODEBUG=asyncpreemptoff=1",
	} {
		t.Run(env, func(t *testing.T) {
			out, code := runChild(t, "", []string{env}, "-test.run=^TestGCSafety$", "-test.count=2", "-test.v")
			if code != 0 || !strings.Contains(out, "--- PASS: TestGCSafety ") {
				t.Fatalf("TestGCSafety with %s: exit %d\n%s", env, code, out)
			}
		})
	}
}

// TestContractBroken shows that the GC-safety tests can fail: a fiber that
// holds a heap object only on its own stack across a Yield, while another
// fiber collects, loses it on the Asm backend (the child reports it or
// crashes). The same program keeping the object with Keep, or on the Pull
// backend, keeps it.
func TestContractBroken(t *testing.T) {
	for _, tc := range []struct {
		mode      string
		env       string
		wantCrash bool
	}{
		{"contract:asm:broken", "", true},
		{"contract:asm:broken-noprobe", "GODEBUG=clobberfree=1", true},
		{"contract:asm:keep", "GODEBUG=clobberfree=1", false},
		{"contract:pull:broken", "GODEBUG=clobberfree=1", false},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			if strings.HasPrefix(tc.mode, "contract:asm:") {
				requireAsm(t, "the contract binds only the asm backend; contract:pull:broken still runs")
			}
			out, code := runChild(t, tc.mode, []string{tc.env})
			survived := code == 0 && strings.Contains(out, "SURVIVED")
			if tc.wantCrash && survived {
				t.Fatalf("child %s (%s) kept an object only its suspended fiber referenced; the hazard did not show, so the GC-safety tests could not fail:\n%s", tc.mode, tc.env, out)
			}
			if tc.wantCrash && !regexpHazard(out) {
				t.Fatalf("child %s exited %d without a recognizable hazard report or crash:\n%s", tc.mode, code, out)
			}
			if !tc.wantCrash && !survived {
				t.Fatalf("child %s (%s) exit %d, want SURVIVED:\n%s", tc.mode, tc.env, code, out)
			}
			t.Logf("child %s: exit %d: %s", tc.mode, code, firstLine(out))
		})
	}
}

func regexpHazard(out string) bool {
	for _, s := range []string{"HAZARD", "fatal error", "unexpected fault address", "SIGSEGV"} {
		if strings.Contains(out, s) {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// escapeSink and garbageSink force values to the heap without keeping them.
var (
	escapeSink  *payload
	garbageSink []payload
)

// contractChild is the child side of TestContractBroken. mode is
// "asm:broken", "asm:broken-noprobe", "asm:keep" or "pull:broken".
func contractChild(mode string) {
	backendName, variant, _ := strings.Cut(mode, ":")
	var b fibers.Backend
	if err := b.Set(backendName); err != nil {
		panic(err)
	}
	rt, err := fibers.New(fibers.Config{Backend: b})
	if err != nil {
		panic(err)
	}
	rt.Spawn(func(f *fibers.Fiber) {
		var p *payload
		if variant == "broken-noprobe" {
			// No weak pointer, no finalizer: only the payload pattern.
			p = &payload{id: 7}
			for i := range p.words {
				p.words[i] = uint64(p.id)*0x9e3779b97f4a7c15 + uint64(i)
			}
			escapeSink, escapeSink = p, nil
		} else {
			p = newPayload(nil)
		}
		if variant == "keep" {
			f.Keep(p)
		}
		f.Yield() // the other fiber collects now; p is only on this stack
		for i, w := range p.words {
			if w != uint64(p.id)*0x9e3779b97f4a7c15+uint64(i) {
				fmt.Printf("HAZARD: payload corrupted after resume: word %d = %#x\n", i, w)
				os.Exit(3)
			}
		}
		if variant != "broken-noprobe" {
			if err := check(p); err != nil {
				fmt.Printf("HAZARD: %v\n", err)
				os.Exit(3)
			}
		}
		fmt.Println("SURVIVED")
	})
	rt.Spawn(func(f *fibers.Fiber) {
		runtime.GC()
		runtime.GC()
		garbageSink = make([]payload, 1000) // reuse freed memory (on the heap: a
		garbageSink = nil                   // non-escaping make may be 64 KB of stack)
		f.Yield()
	})
	rt.Run()
}
