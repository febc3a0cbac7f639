package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// streamJSON writes v, a struct or a pointer to one, exactly as a
// json.Encoder with SetIndent("", "  ") would, but encodes each element
// of its top-level slices on its own. Encoding a 10,000-container report
// in one piece builds the whole 40 MB document in memory, and the
// encoder's buffer doubling makes the peak several times that.
func streamJSON(w io.Writer, v any) error {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return fmt.Errorf("streamJSON needs a struct, got %s", rv.Kind())
	}

	bw := bufio.NewWriterSize(w, 64<<10)
	sw := &streamWriter{w: bw}
	sw.writeString("{")
	first := true
	rt := rv.Type()
	for i := range rt.NumField() {
		field := rt.Field(i)
		name, omitEmpty, ok := jsonName(field)
		if !ok {
			continue
		}
		value := rv.Field(i)
		if omitEmpty && isEmpty(value) {
			continue
		}
		if !first {
			sw.writeString(",")
		}
		first = false
		sw.writeString("\n  ")
		sw.writeJSON(name, "", "")
		sw.writeString(": ")
		if value.Kind() == reflect.Slice && !value.IsNil() && value.Len() > 0 {
			sw.writeSlice(value)
		} else {
			sw.writeJSON(value.Interface(), "  ", "  ")
		}
	}
	if first {
		sw.writeString("}\n")
	} else {
		sw.writeString("\n}\n")
	}
	if sw.err != nil {
		return sw.err
	}
	return bw.Flush()
}

// streamWriter keeps the first error, so the steps above read in order.
type streamWriter struct {
	w   *bufio.Writer
	err error
}

func (s *streamWriter) writeString(text string) {
	if s.err == nil {
		_, s.err = s.w.WriteString(text)
	}
}

func (s *streamWriter) writeJSON(v any, prefix, indent string) {
	if s.err != nil {
		return
	}
	data, err := json.MarshalIndent(v, prefix, indent)
	if err != nil {
		s.err = err
		return
	}
	_, s.err = s.w.Write(data)
}

// writeSlice writes a non-empty slice one element at a time, indented as
// a field of the top-level object.
func (s *streamWriter) writeSlice(v reflect.Value) {
	s.writeString("[")
	for i := range v.Len() {
		if i > 0 {
			s.writeString(",")
		}
		s.writeString("\n    ")
		s.writeJSON(v.Index(i).Interface(), "    ", "  ")
	}
	s.writeString("\n  ]")
}

// jsonName returns a field's JSON name and whether it has omitempty; ok
// is false for fields encoding/json skips. Embedded structs are not
// supported at the top level, and none of the report's documents has one.
func jsonName(f reflect.StructField) (name string, omitEmpty, ok bool) {
	if !f.IsExported() {
		return "", false, false
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	for _, o := range strings.Split(opts, ",") {
		if o == "omitempty" {
			omitEmpty = true
		}
	}
	return name, omitEmpty, true
}

// isEmpty follows encoding/json's definition of an empty value.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}
