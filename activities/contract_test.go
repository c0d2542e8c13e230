package activities_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/splitpay/splitpay/activities"
	"github.com/splitpay/splitpay/workflows"
)

// The contract in workflows and the methods of *activities.Activities agree, name by name and type by type:
// each activity takes a context and one struct, and returns one struct and an error. Stack-free, so a name or a
// type that drifts fails here rather than on the dev stack.
func TestActivitiesImplementTheContract(t *testing.T) {
	impl := reflect.TypeOf(&activities.Activities{})
	ctxType := reflect.TypeOf((*context.Context)(nil)).Elem()
	errType := reflect.TypeOf((*error)(nil)).Elem()
	named := map[string]bool{}
	for _, c := range workflows.Contract {
		name := c.ActivityName()
		if named[name] {
			t.Errorf("%s: named twice in the contract", name)
		}
		named[name] = true
		m, ok := impl.MethodByName(name)
		if !ok {
			t.Errorf("%s: in the contract, not implemented by *activities.Activities", name)
			continue
		}
		in, out := c.Signature()
		ft := m.Type // the receiver is the first input
		if ft.NumIn() != 3 || ft.In(1) != ctxType || ft.In(2) != reflect.TypeOf(in) {
			t.Errorf("%s: takes %v, the contract says (context.Context, %T)", name, ft, in)
		}
		if ft.NumOut() != 2 || ft.Out(0) != reflect.TypeOf(out) || ft.Out(1) != errType {
			t.Errorf("%s: returns %v, the contract says (%T, error)", name, ft, out)
		}
		for _, v := range []any{in, out} {
			if reflect.TypeOf(v).Kind() != reflect.Struct {
				t.Errorf("%s: %T is not a struct: every activity takes one struct and returns one", name, v)
			}
		}
	}
	for i := 0; i < impl.NumMethod(); i++ {
		if name := impl.Method(i).Name; !named[name] {
			t.Errorf("%s: registered as an activity, missing from workflows.Contract", name)
		}
	}
}
