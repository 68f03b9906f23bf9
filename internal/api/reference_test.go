package api_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// TestReferenceIsCurrent fails when openapi.yaml changed after the reference page was built:
// the page served at /api/v1/docs carries its own copy of the contract.
func TestReferenceIsCurrent(t *testing.T) {
	m := regexp.MustCompile(`(?s)const __redoc_definition = (\{.*?\});\n`).FindSubmatch(api.Reference)
	if m == nil {
		t.Fatal("reference.gen.html holds no contract (const __redoc_definition); rebuild it with `make generate`")
	}
	normal := func(name string, data []byte) []byte {
		doc, err := openapi3.NewLoader().LoadFromData(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if !bytes.Equal(normal("openapi.yaml", api.Spec), normal("the contract in reference.gen.html", m[1])) {
		t.Fatal("reference.gen.html was built from another openapi.yaml; run `make generate` and commit the result")
	}
}
