//go:build (amd64 || arm64) && (linux || darwin) && go1.26 && !go1.28

package fibers

import (
	"fmt"
	"sync"
	"syscall"
	"unsafe"
)

// Fiber stacks are slots cut from large anonymous mappings (slabs), never one
// mapping per fiber: a mapping plus guard page per fiber hits the kernel's
// mapping limit (vm.max_map_count, 65530) at about 32,700 fibers. There are no
// guard pages: Go's function prologues check g.stackguard0 = lo+stackGuard,
// and the runtime only lets nosplit chains use stackGuard bytes below it, so
// Go code never writes below lo.
//
// Each slot claims more stack than it uses. To the runtime, a fiber's stack is
// [lo, hi) with size = usable + gap; the fiber starts at top = lo+usable and
// never touches the gap (it is mapped MAP_NORESERVE, so it costs no memory):
//
//	lo                      top                 hi
//	| usable (grows down) <-|  gap, untouched    |
//
// The gap defeats the two ways the runtime would treat our memory as its own:
//
//   - Shrinking. The GC shrinks a stack (copies it to a smaller runtime stack
//     and frees the old one: a crash in stackfree) when it uses less than a
//     quarter of its size. hi - SP is always at least gap > usable/3, which is
//     a quarter of the size, so the check never passes.
//   - Growth. A Go function that needs more than the usable stack calls the
//     runtime to double the stack. size is never a power of two, so the runtime
//     stops with "fatal error: stack size not a power of 2" before it copies or
//     frees anything (with a power of two it would have put our memory into its
//     stack cache and handed it to unrelated goroutines).
type stackSlot struct {
	base unsafe.Pointer // lo
	pool *stackPool
}

// top returns the top of the usable stack, where the entry frame goes.
func (s stackSlot) top() unsafe.Pointer { return unsafe.Add(s.base, s.pool.usable) }

// hi returns the top of the stack the runtime is told about.
func (s stackSlot) hi() uintptr { return uintptr(s.base) + s.pool.size }

// stackPool hands out slots of one size. Slots are reused, most recently
// freed first (its pages are likely resident), and never returned to the OS.
type stackPool struct {
	mu     sync.Mutex
	usable uintptr          // usable bytes per slot, whole pages
	size   uintptr          // claimed bytes per slot: usable + gap, not a power of two
	free   []unsafe.Pointer // bases of free slots (not Go memory: the GC ignores them)
	slabs  [][]byte         // every mapping, kept for the life of the process
}

// slabBytes is the size of one mapping; a slab holds slabBytes/size slots.
const slabBytes = 16 << 20

var stackPools struct {
	sync.Mutex
	bySize map[uintptr]*stackPool
}

// stackPoolFor returns the process-wide pool of stacks with at least usable
// bytes of usable stack.
func stackPoolFor(usable uintptr) *stackPool {
	page := uintptr(syscall.Getpagesize())
	usable = (usable + page - 1) &^ (page - 1)
	stackPools.Lock()
	defer stackPools.Unlock()
	if p := stackPools.bySize[usable]; p != nil {
		return p
	}
	gap := (usable/3 + page) &^ (page - 1) // > usable/3
	if size := usable + gap; size&(size-1) == 0 {
		gap += page
	}
	p := &stackPool{usable: usable, size: usable + gap}
	if stackPools.bySize == nil {
		stackPools.bySize = make(map[uintptr]*stackPool)
	}
	stackPools.bySize[usable] = p
	return p
}

// get returns a free slot, mapping a new slab if there is none.
func (p *stackPool) get() stackSlot {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) == 0 {
		p.grow()
	}
	base := p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	return stackSlot{base: base, pool: p}
}

// put returns s to the pool. Its memory stays mapped and resident.
func (p *stackPool) put(s stackSlot) {
	p.mu.Lock()
	p.free = append(p.free, s.base)
	p.mu.Unlock()
}

func (p *stackPool) grow() {
	n := max(slabBytes/p.size, 1)
	mem, err := syscall.Mmap(-1, 0, int(n*p.size), syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		panic(fmt.Sprintf("fibers: cannot map %d bytes of fiber stacks: %v", n*p.size, err))
	}
	p.slabs = append(p.slabs, mem)
	for i := n; i > 0; i-- {
		p.free = append(p.free, unsafe.Pointer(&mem[(i-1)*p.size]))
	}
}
