package transform

import (
	"go/types"
)

// sizes measures the machine as generated, as it would be without shared
// fields, and as it would be if every local variable were a field (no
// liveness), with gc's layout on amd64, for BENCHMARKS.md.
func (m *machine) sizes() (ms MachineSize) {
	ms.Coroutine = m.name
	defer func() {
		if recover() != nil { // informational only: never fail a run for it
			ms = MachineSize{Coroutine: m.name}
		}
	}()
	size := func(include func(*varInfo) bool) int64 {
		fields := []*types.Var{field("state", types.Typ[types.Int])}
		for _, v := range m.varsInOrder {
			info := m.vars[v]
			if !include(info) {
				continue
			}
			t := v.Type()
			if info.cell {
				t = types.NewPointer(t)
			}
			fields = append(fields, field(info.name, t))
		}
		for _, wp := range m.waits {
			fields = append(fields, field(wp.field, wp.future))
		}
		if m.hasDefer {
			fields = append(fields, field("defers", types.NewSlice(types.NewInterfaceType(nil, nil)))) // []runtime.Deferred)
			if m.result != nil && m.namedResult() == nil {
				fields = append(fields, field("result", m.result))
			}
		}
		return gcSizes.Sizeof(types.NewStruct(fields, nil))
	}
	return MachineSize{
		Coroutine:  m.name,
		Bytes:      size(func(i *varInfo) bool { return i.hoisted && i.field == i.name }),
		NoSharing:  size(func(i *varInfo) bool { return i.hoisted }),
		NoLiveness: size(func(i *varInfo) bool { return len(i.states) > 0 || i.hoisted }),
	}
}

// gcSizes are gc's sizes on amd64: what BENCHMARKS.md reports, and what
// the evaluation order rules of order.go were measured with.
var gcSizes = types.SizesFor("gc", "amd64")

func field(name string, t types.Type) *types.Var {
	return types.NewField(0, nil, name, t, false)
}
