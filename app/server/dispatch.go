package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
)

var errorType = reflect.TypeOf((*error)(nil)).Elem()

// method is one callable method of the bound object.
type method struct {
	name   string
	fn     reflect.Value
	params []reflect.Type
	result bool // returns (T, error) rather than error
}

// Dispatcher calls the exported methods of one object by name with JSON
// arguments: the same methods Wails binds for the desktop window.
type Dispatcher struct {
	methods map[string]method
}

// NewDispatcher indexes obj's exported methods that return error or
// (T, error). Others are not callable.
func NewDispatcher(obj any) *Dispatcher {
	d := &Dispatcher{methods: map[string]method{}}
	v := reflect.ValueOf(obj)
	t := v.Type()
	for i := 0; i < t.NumMethod(); i++ {
		m := t.Method(i)
		ft := m.Func.Type()
		nout := ft.NumOut()
		if nout < 1 || nout > 2 || ft.Out(nout-1) != errorType {
			continue
		}
		params := make([]reflect.Type, 0, ft.NumIn()-1)
		for j := 1; j < ft.NumIn(); j++ {
			params = append(params, ft.In(j))
		}
		d.methods[m.Name] = method{name: m.Name, fn: v.Method(i), params: params, result: nout == 2}
	}
	return d
}

// Methods lists the callable method names.
func (d *Dispatcher) Methods() []string {
	out := make([]string, 0, len(d.methods))
	for n := range d.methods {
		out = append(out, n)
	}
	return out
}

// ErrUnknownMethod is returned for a name the object does not have.
type ErrUnknownMethod struct{ Name string }

func (e ErrUnknownMethod) Error() string { return fmt.Sprintf("unknown method %q", e.Name) }

// ErrBadArguments is returned when the arguments do not decode.
type ErrBadArguments struct{ Reason string }

func (e ErrBadArguments) Error() string { return "bad arguments: " + e.Reason }

// Call decodes body (a JSON array of arguments; empty means none) into the
// parameters of method name, calls it and returns its result. The body is
// checked first (checkBody): a string that is not text, or a body nested
// or sized beyond the limits, is refused with *ErrBadText before anything
// is decoded or called.
func (d *Dispatcher) Call(name string, body []byte) (any, error, error) {
	m, ok := d.methods[name]
	if !ok {
		return nil, nil, ErrUnknownMethod{name}
	}
	if err := checkBody(body); err != nil {
		return nil, nil, err
	}
	var raw []json.RawMessage
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &raw); err != nil {
			return nil, nil, ErrBadArguments{"the body must be a JSON array of arguments: " + err.Error()}
		}
	}
	if len(raw) != len(m.params) {
		return nil, nil, ErrBadArguments{fmt.Sprintf("%s takes %d arguments, got %d", name, len(m.params), len(raw))}
	}
	args := make([]reflect.Value, len(raw))
	for i, r := range raw {
		p := reflect.New(m.params[i])
		dec := json.NewDecoder(bytes.NewReader(r))
		dec.DisallowUnknownFields()
		if err := dec.Decode(p.Interface()); err != nil {
			return nil, nil, ErrBadArguments{fmt.Sprintf("argument %d: %v", i+1, err)}
		}
		args[i] = p.Elem()
	}
	out := m.fn.Call(args)
	errV := out[len(out)-1]
	var callErr error
	if !errV.IsNil() {
		callErr = errV.Interface().(error)
	}
	if m.result {
		return out[0].Interface(), callErr, nil
	}
	return nil, callErr, nil
}
