package indico

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// ErrShape is wrapped by Parse's error when the export's JSON has fields of
// another type than Indico's serializers write (a newer Indico, a proxy's
// rewrite): "contribution.track: want a string, got an object". Without
// it, such a change looks like an empty event or a filter that matches
// nothing.
var ErrShape = errors.New("unexpected export shape")

// shapeError says which field of what (event, contribution) has another
// type than expected, from json's *UnmarshalTypeError; other errors come
// back as they are.
func shapeError(what string, err error) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err
	}
	field := what
	if te.Field != "" {
		field += "." + te.Field
	}
	return fmt.Errorf("%w: %s: want %s, got %s", ErrShape, field, jsonKind(te.Type), article(te.Value))
}

// jsonKind names the JSON value a Go type decodes from.
func jsonKind(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a " + t.String()
}

// article puts "a"/"an" before the JSON type names json reports
// ("object", "array", "string", "number", "bool").
func article(v string) string {
	switch v {
	case "array":
		return "a list"
	case "object":
		return "an object"
	case "bool":
		return "a boolean"
	case "":
		return "another type"
	}
	if strings.HasPrefix(v, "number") {
		return "a number" // "number 1.5", "number -1"
	}
	return "a " + v
}
