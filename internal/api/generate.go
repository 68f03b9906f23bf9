// Package api holds the platform's HTTP contract, openapi.yaml, and the Go code generated from
// it: wire types, the server interface the platform implements and the client the provider's
// client wraps.
package api

//go:generate go tool oapi-codegen -config oapi-codegen.yaml openapi.yaml

import _ "embed"

// Spec is openapi.yaml as written, served at /api/v1/openapi.yaml and used for validation.
//
//go:embed openapi.yaml
var Spec []byte
