// Package api holds the platform's HTTP contract, openapi.yaml, and the Go code generated from
// it: wire types, the server interface the platform implements and the client the provider's
// client wraps; and the API reference page built from it.
package api

//go:generate go tool oapi-codegen -config oapi-codegen.yaml openapi.yaml
//go:generate ../../tools/redocly/build-docs.sh

import _ "embed"

// Spec is openapi.yaml as written, served at /api/v1/openapi.yaml and used for validation.
//
//go:embed openapi.yaml
var Spec []byte

// Reference is the API reference page (Redoc, rendered from openapi.yaml by Redocly CLI's
// build-docs with its scripts inlined), served at /api/v1/docs. It loads nothing from anywhere
// else: the contract and the renderer are both in the page.
//
//go:embed reference.gen.html
var Reference []byte
