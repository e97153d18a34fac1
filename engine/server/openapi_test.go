package server

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// apiDoc is the embedded OpenAPI document, decoded once.
var apiDoc = func() map[string]any {
	var d map[string]any
	if err := json.Unmarshal(openAPIDoc, &d); err != nil {
		panic(err)
	}
	return d
}()

// checkResponse checks a real response against the OpenAPI document: the
// path and method are documented, the status code is one of the
// operation's responses, and a JSON body matches its schema (types,
// required fields, enums, array items and their counts; $ref followed).
func checkResponse(t *testing.T, method, pathKey string, code int, contentType string, body []byte) {
	t.Helper()
	if err := conforms(method, pathKey, code, contentType, body); err != nil {
		t.Errorf("%s %s → %d does not conform to openapi.json: %v\nbody: %.400s", method, pathKey, code, err, body)
	}
}

func conforms(method, pathKey string, code int, contentType string, body []byte) error {
	paths := apiDoc["paths"].(map[string]any)
	item, ok := paths[pathKey].(map[string]any)
	if !ok {
		return fmt.Errorf("path %s is not documented", pathKey)
	}
	op, ok := item[strings.ToLower(method)].(map[string]any)
	if !ok {
		return fmt.Errorf("method %s is not documented", method)
	}
	resp, ok := op["responses"].(map[string]any)[strconv.Itoa(code)].(map[string]any)
	if !ok {
		return fmt.Errorf("status %d is not documented", code)
	}
	content, _ := resp["content"].(map[string]any)
	if content == nil {
		return nil
	}
	ct := strings.TrimSpace(strings.Split(contentType, ";")[0])
	media, ok := content[ct].(map[string]any)
	if !ok {
		return fmt.Errorf("content type %q is not documented", ct)
	}
	schema, _ := media["schema"].(map[string]any)
	if !strings.Contains(ct, "json") || schema == nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("body is not JSON: %v", err)
	}
	return validate(schema, v, "$")
}

// validate checks v against the subset of JSON Schema the document uses.
func validate(schema map[string]any, v any, at string) error {
	if ref, ok := schema["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		s, ok := apiDoc["components"].(map[string]any)["schemas"].(map[string]any)[name].(map[string]any)
		if !ok {
			return fmt.Errorf("%s: unresolved %s", at, ref)
		}
		return validate(s, v, at)
	}
	if c, ok := schema["const"]; ok && v != c {
		return fmt.Errorf("%s: %v, want %v", at, v, c)
	}
	if e, ok := schema["enum"].([]any); ok && !slices.Contains(e, v) {
		return fmt.Errorf("%s: %v is not one of %v", at, v, e)
	}
	if tp, ok := schema["type"]; ok {
		var types []string
		switch tp := tp.(type) {
		case string:
			types = []string{tp}
		case []any:
			for _, x := range tp {
				types = append(types, x.(string))
			}
		}
		if !slices.ContainsFunc(types, func(t string) bool { return isType(t, v) }) {
			return fmt.Errorf("%s: %T %v is not %v", at, v, v, types)
		}
	}
	if obj, ok := v.(map[string]any); ok {
		if req, ok := schema["required"].([]any); ok {
			for _, r := range req {
				if _, ok := obj[r.(string)]; !ok {
					return fmt.Errorf("%s: required %q missing", at, r)
				}
			}
		}
		if props, ok := schema["properties"].(map[string]any); ok {
			for k, ps := range props {
				if x, ok := obj[k]; ok {
					if err := validate(ps.(map[string]any), x, at+"."+k); err != nil {
						return err
					}
				}
			}
		}
	}
	if arr, ok := v.([]any); ok {
		if n, ok := schema["minItems"].(float64); ok && float64(len(arr)) < n {
			return fmt.Errorf("%s: %d items, want at least %v", at, len(arr), n)
		}
		if n, ok := schema["maxItems"].(float64); ok && float64(len(arr)) > n {
			return fmt.Errorf("%s: %d items, want at most %v", at, len(arr), n)
		}
		if items, ok := schema["items"].(map[string]any); ok {
			for i, x := range arr {
				if err := validate(items, x, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func isType(t string, v any) bool {
	switch t {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == math.Trunc(f)
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "null":
		return v == nil
	}
	return false
}

// The checker itself must fail on what does not conform.
func TestCheckerRejects(t *testing.T) {
	cases := []struct {
		method, path string
		code         int
		body         string
	}{
		{"GET", "/api/v1/nowhere", 200, `{}`},
		{"GET", "/api/v1/submissions/{id}", 418, `{}`},
		{"GET", "/api/v1/submissions/{id}", 200, `{"id": 1}`},
		{"GET", "/api/v1/submissions/{id}", 404, `{"message": "x"}`},
		{"POST", "/api/v1/submissions", 202, `{"id": 1.5, "status": "queued"}`},
		{"POST", "/api/v1/submissions", 202, `{"id": 1, "status": "done"}`},
		{"GET", "/api/v1/releases", 200, `{"releases": [{"number": 1}]}`},
		{"GET", "/api/v1/releases/{period}/provinces/{code}/hexes", 200, `{"release": 1, "period": "2024-10", "province": "12", "hexes": [{"cell": "x", "lon": 1, "lat": 2, "province": "12", "best": "covered", "states": [], "boundary": [[1, 2], [1, 3], [2, 3]]}]}`},
		{"GET", "/api/v1/releases/{period}/provinces/{code}/hexes", 200, `{"release": 1, "period": "2024-10", "province": "12", "hexes": [{"cell": "x", "lon": 1, "lat": 2, "province": "12", "best": "covered", "states": [], "boundary": [[1, 2, 0], [1, 3], [2, 3], [2, 2], [1.5, 1.5]]}]}`},
	}
	for _, c := range cases {
		if err := conforms(c.method, c.path, c.code, "application/json", []byte(c.body)); err == nil {
			t.Errorf("%s %s %d %s: accepted", c.method, c.path, c.code, c.body)
		}
	}
	if err := conforms("POST", "/api/v1/submissions", 202, "application/json", []byte(`{"id": 3, "status": "queued"}`)); err != nil {
		t.Error(err)
	}
}
