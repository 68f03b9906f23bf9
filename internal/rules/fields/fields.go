// Package fields holds the rules on names, labels, versions, event types, enums and text
// lengths that the platform enforces when it accepts an object and the provider checks at plan
// time. Lengths are counted in characters (Unicode code points), as the OpenAPI document's
// maxLength is: a 1000-character description in Japanese is 3000 bytes and valid.
// fields_test.go checks that openapi.yaml says the same.
package fields

import (
	"regexp"
	"unicode/utf8"

	"github.com/Masterminds/semver/v3"
)

// Limits, in characters.
const (
	NameMax        = 100  // names of applications, workflows, steps, policies, integrations
	DescriptionMax = 1000 // every object's description
	LabelKeyMax    = 63
	LabelValueMax  = 255
	VersionMax     = 64 // a semantic version
	EmailMin       = 3
	EmailMax       = 254
	DisplayNameMax = 200
	EventTypeMax   = 200
	URLMax         = 2048 // webhook callbacks and http step URLs
)

var (
	// Name is 1-100 letters, digits, '-', '_' and '.', starting with a letter or digit.
	Name = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)
	// LabelKey is 1-63 letters, digits, '.', '_', '-' and '/'.
	LabelKey = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,63}$`)
	// EventType is two or more dot-separated segments of lowercase letters, digits and '_',
	// such as order.created.
	EventType = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)+$`)
)

// Enums.
var (
	Environments         = []string{"development", "staging", "production"}
	Roles                = []string{"viewer", "editor", "admin", "owner"}
	ScopeTypes           = []string{"platform", "application", "workflow", "data"}
	ClassificationLevels = []string{"public", "internal", "confidential", "restricted"}
	EncryptionRules      = []string{"none", "at-rest", "at-rest+transit", "at-rest+transit+field-level"}
	AccessRules          = []string{"all", "authenticated", "role-based", "need-to-know"}
)

// Length is the length of s in characters, the unit of every limit here.
func Length(s string) int { return utf8.RuneCountInString(s) }

// Semver checks a semantic version such as 2.3.0 (major.minor.patch, no leading "v").
func Semver(v string) error {
	_, err := semver.StrictNewVersion(v)
	return err
}
