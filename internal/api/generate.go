// Package api holds the platform's HTTP contract, openapi.yaml, and the Go code generated from
// it: wire types, the server interface the platform implements and the client the provider's
// client wraps.
package api

//go:generate go tool oapi-codegen -config oapi-codegen.yaml openapi.yaml
