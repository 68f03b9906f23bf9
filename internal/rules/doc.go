// Package rules is the home of the rules that both sides enforce: the platform when it
// accepts an object, and the provider at plan time, so that a plan never promises what the
// server will refuse and an object the server holds never fails to import. Its packages
// (expression, cronspec, classification, signing, fields, document) import neither the provider, the client nor
// the platform.
package rules
