//go:build (linux || darwin) && go1.26 && !go1.28

package fibers

import "unsafe"

// initContext lays out a fresh fiber stack so that the first swtch into c
// "returns" into fiberStart, which calls fiberEntry(f):
//
//	s.hi            top of the claimed stack (see stackSlot)
//	  ...           untouched gap
//	s.top           top of the usable stack, 16-byte aligned
//	s.top-8         f: fiberEntry's argument; SP here is g.stktopsp
//	s.top-16        PC of fiberStart, popped by swtch's RET; c.sp
//	  ...           frames of the fiber grow down
//	s.lo+stackGuard stackguard0: Go functions grow (fatally) below this
//	s.lo
func initContext(c *context, s stackSlot, f *Fiber) {
	top := s.top()
	*(*uintptr)(unsafe.Add(top, -8)) = uintptr(unsafe.Pointer(f)) // no write barrier: not heap
	*(*uintptr)(unsafe.Add(top, -16)) = fiberStartPC()
	*c = context{
		sp:    uintptr(top) - 16,
		bp:    0, // ends frame-pointer unwinding at the entry frame
		lo:    uintptr(s.base),
		hi:    s.hi(),
		topsp: uintptr(top) - 8,
	}
}
