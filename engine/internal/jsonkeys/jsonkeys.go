// Package jsonkeys finds a key given twice in one object of a JSON
// document, which encoding/json reads without a word, keeping the last
// value: in a hand-edited file (a mapping, a cost model) the earlier one
// is then silently not what is read.
package jsonkeys

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Repeated returns where a key is first given twice in one object of
// data, as the path of objects to it and the key quoted
// (`constants: "carrier"`, or `"kind"` at the top), or "" when none is
// (or data is no valid JSON: the decoder's own error says so).
func Repeated(data []byte) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	where, _ := value(dec, nil)
	return where
}

// value reads one JSON value from dec; in an object it checks the keys,
// path naming the objects it lies in.
func value(dec *json.Decoder, path []string) (string, bool) {
	t, err := dec.Token()
	if err != nil {
		return "", false
	}
	switch t {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return "", false
			}
			key, _ := kt.(string)
			if seen[key] {
				q := strconv.Quote(key)
				if len(path) > 0 {
					q = strings.Join(path, ".") + ": " + q
				}
				return q, true
			}
			seen[key] = true
			if where, ok := value(dec, append(path, key)); where != "" || !ok {
				return where, ok
			}
		}
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if where, ok := value(dec, append(path, strconv.Itoa(i))); where != "" || !ok {
				return where, ok
			}
		}
	default:
		return "", true
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return "", false
	}
	return "", true
}
