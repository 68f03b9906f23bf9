// Package classification implements the platform's data classification
// rules: the minimum protection each level requires (the seed document's
// table), field patterns, classifying a record and redacting what a caller
// may not see.
//
// Paths. A field's path is its object keys joined by dots, such as
// "customer.address.city". Arrays are transparent: an array's elements
// share the array's path, so in {"items": [{"ssn": ...}]} the field is
// "items.ssn" and the patterns "ssn" and "items.ssn" match it. Patterns
// cannot name an index, so there is nothing to gain from indices in paths,
// and results stay one entry per field however long the array is.
//
// Patterns. Dotted segments, compared case-insensitively; "*" is exactly
// one segment and "**" any number (zero or more); a pattern without a dot
// matches that field name at any depth ("ssn" is "**.ssn"). Wildcards are
// whole segments: "card_*" is rejected rather than silently meaning
// something else.
//
// A pattern may match an object or an array, not just a leaf: "customer.*"
// matches "customer.address", and redacting it hides the whole subtree.
package classification

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// Redacted replaces values the caller may not see.
const Redacted = "[REDACTED]"

// MaxPatternLength matches the API's limit on one field pattern.
const MaxPatternLength = 200

var (
	levels      = []api.ClassificationLevel{api.Public, api.Internal, api.Confidential, api.Restricted}
	encryptions = []api.Encryption{api.None, api.AtRest, api.AtRestTransit, api.AtRestTransitFieldLevel}
	accessRules = []api.AccessRule{api.All, api.Authenticated, api.RoleBased, api.NeedToKnow}
)

// rank returns v's position in its ordered enum, or -1 when unknown.
func rank[T comparable](order []T, v T) int {
	for i, o := range order {
		if o == v {
			return i
		}
	}
	return -1
}

// LevelRank orders levels: public 0, internal 1, confidential 2,
// restricted 3; -1 for an unknown level.
func LevelRank(l api.ClassificationLevel) int { return rank(levels, l) }

// EncryptionRank orders encryption from none (0) to
// at-rest+transit+field-level (3); -1 when unknown.
func EncryptionRank(e api.Encryption) int { return rank(encryptions, e) }

// AccessRank orders access rules from all (0) to need-to-know (3);
// -1 when unknown.
func AccessRank(a api.AccessRule) int { return rank(accessRules, a) }

// MinimumEncryption returns the weakest encryption a level allows; the
// seed's table gives one encryption and one access rule per level, in the
// same order as the levels.
func MinimumEncryption(l api.ClassificationLevel) api.Encryption {
	if r := LevelRank(l); r >= 0 {
		return encryptions[r]
	}
	return ""
}

// MinimumAccess returns the least strict access rule a level allows.
func MinimumAccess(l api.ClassificationLevel) api.AccessRule {
	if r := LevelRank(l); r >= 0 {
		return accessRules[r]
	}
	return ""
}

// FieldProblem is a validation failure of one field of a policy; Field is
// the JSON name ("level", "encryption", "access", "field_patterns[2]").
// It converts to api.FieldError.
type FieldProblem struct {
	Field   string
	Message string
}

// CheckMinimum rejects a policy weaker than its level's minimum. It
// returns nil when the policy is acceptable.
func CheckMinimum(level api.ClassificationLevel, enc api.Encryption, access api.AccessRule) []FieldProblem {
	var problems []FieldProblem
	if LevelRank(level) < 0 {
		problems = append(problems, FieldProblem{"level", fmt.Sprintf("unknown level %q; use one of %s", level, quoteAll(levels))})
	}
	if EncryptionRank(enc) < 0 {
		problems = append(problems, FieldProblem{"encryption", fmt.Sprintf("unknown encryption %q; use one of %s", enc, quoteAll(encryptions))})
	}
	if AccessRank(access) < 0 {
		problems = append(problems, FieldProblem{"access", fmt.Sprintf("unknown access rule %q; use one of %s", access, quoteAll(accessRules))})
	}
	if len(problems) > 0 {
		return problems
	}
	if min := MinimumEncryption(level); EncryptionRank(enc) < EncryptionRank(min) {
		problems = append(problems, FieldProblem{"encryption", fmt.Sprintf("%s %s policy needs encryption %q or stronger, got %q", article(level), level, min, enc)})
	}
	if min := MinimumAccess(level); AccessRank(access) < AccessRank(min) {
		problems = append(problems, FieldProblem{"access", fmt.Sprintf("%s %s policy needs access %q or stricter, got %q", article(level), level, min, access)})
	}
	return problems
}

func article(l api.ClassificationLevel) string {
	if l == api.Internal {
		return "an"
	}
	return "a"
}

func quoteAll[T ~string](vs []T) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// ValidatePattern checks one field pattern.
//
// It is stricter than compile, which matching uses: a pattern saved before this check existed
// keeps matching what it matched then, while a new one must be written as it matches.
func ValidatePattern(p string) error {
	if _, err := compile(p); err != nil {
		return err
	}
	// compile lower-cases before it checks the characters, and two non-ASCII letters
	// lower-case to ASCII ones: 'İ' (U+0130) to 'i' and the Kelvin sign (U+212A) to 'k'.
	// A pattern written with them would not match the field it names, so refuse them; each
	// changes its length in UTF-8 when lower-cased, which no allowed character does.
	for _, r := range p {
		if utf8.RuneLen(unicode.ToLower(r)) != utf8.RuneLen(r) {
			return badCharacter(p, r)
		}
	}
	return nil
}

// ValidatePatterns checks a policy's patterns, naming each bad one by its
// index as "field_patterns[i]".
func ValidatePatterns(patterns []string) []FieldProblem {
	var problems []FieldProblem
	for i, p := range patterns {
		if err := ValidatePattern(p); err != nil {
			problems = append(problems, FieldProblem{fmt.Sprintf("field_patterns[%d]", i), err.Error()})
		}
	}
	return problems
}

func badCharacter(p string, r rune) error {
	return fmt.Errorf("pattern %q has the character %q; use the letters a-z and A-Z, digits, \"_\", \"-\" and the wildcards * and **", p, r)
}

// pattern is a validated pattern: lower-case segments, "**" for any depth.
type pattern []string

func compile(p string) (pattern, error) {
	if p == "" {
		return nil, fmt.Errorf("pattern is empty")
	}
	if len(p) > MaxPatternLength {
		return nil, fmt.Errorf("pattern is longer than %d characters", MaxPatternLength)
	}
	segs := strings.Split(strings.ToLower(p), ".")
	for i, s := range segs {
		if s == "" {
			return nil, fmt.Errorf("pattern %q has an empty segment at position %d", p, i+1)
		}
		for _, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '*') {
				return nil, badCharacter(p, r)
			}
		}
		if strings.Contains(s, "*") && s != "*" && s != "**" {
			return nil, fmt.Errorf("pattern %q has the segment %q; a wildcard is a whole segment: * for one segment, ** for any number", p, s)
		}
	}
	if len(segs) == 1 && segs[0] != "**" {
		segs = []string{"**", segs[0]}
	}
	return segs, nil
}

// Match reports whether a dotted field path matches a pattern. An invalid
// pattern matches nothing.
func Match(pat, path string) bool {
	c, err := compile(pat)
	if err != nil {
		return false
	}
	return c.match(strings.Split(path, "."))
}

// match is glob matching over segments, "**" as the star and "*" as the
// single-item wildcard. Backtracking only to the last "**" keeps it
// O(len(p)*len(path)) however many "**" a pattern has.
func (p pattern) match(path []string) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	// An if chain rather than a switch: Go's coverage profile has no counter for case
	// expressions, so mutation testing would leave these conditions untested.
	for si < len(path) {
		if pi < len(p) && p[pi] == "**" {
			starP, starS = pi, si
			pi++
		} else if pi < len(p) && (p[pi] == "*" || strings.EqualFold(p[pi], path[si])) {
			pi++
			si++
		} else if starP >= 0 {
			// Let the last "**" absorb one more segment and retry.
			starS++
			pi, si = starP+1, starS
		} else {
			return false
		}
	}
	for pi < len(p) && p[pi] == "**" {
		pi++
	}
	return pi == len(p)
}

// Result is the outcome of Classify. It converts to api.ClassifyResponse.
type Result struct {
	// Fields lists every matched field, sorted by path; never nil.
	Fields []api.FieldClassification
	// Level is the highest level of any matched field, public if none.
	Level api.ClassificationLevel
}

// compiledPolicy is a policy with its usable patterns compiled.
type compiledPolicy struct {
	policy   api.ClassificationPolicy
	rank     int
	raw      []string
	patterns []pattern
}

func compilePolicies(policies []api.ClassificationPolicy) []compiledPolicy {
	out := make([]compiledPolicy, 0, len(policies))
	for _, p := range policies {
		cp := compiledPolicy{policy: p, rank: LevelRank(p.Level)}
		if cp.rank < 0 {
			continue // stored policies are validated; skip rather than guess
		}
		for _, raw := range p.FieldPatterns {
			if c, err := compile(raw); err == nil {
				cp.raw = append(cp.raw, raw)
				cp.patterns = append(cp.patterns, c)
			}
		}
		out = append(out, cp)
	}
	return out
}

// match is the policy that decides a field: the highest level among those
// matching it, the first such in the caller's order; tied lists every
// matching policy of that level.
type match struct {
	winner  *compiledPolicy
	pattern string
	tied    []*compiledPolicy
}

func decide(policies []compiledPolicy, path []string) (match, bool) {
	var m match
	for i := range policies {
		cp := &policies[i]
		for j, pat := range cp.patterns {
			if !pat.match(path) {
				continue
			}
			if m.winner == nil || cp.rank > m.winner.rank { // not a switch: see pattern.match
				m = match{winner: cp, pattern: cp.raw[j], tied: []*compiledPolicy{cp}}
			} else if cp.rank == m.winner.rank {
				m.tied = append(m.tied, cp)
			}
			break
		}
	}
	return m, m.winner != nil
}

// Classify finds the fields of doc that policies cover. Policies are
// applied as given: the caller chooses which apply (platform-wide ones
// plus the application's). When several policies match a field, the
// highest level wins; among equals, the first in the slice.
func Classify(doc map[string]any, policies []api.ClassificationPolicy) Result {
	compiled := compilePolicies(policies)
	found := map[string]api.FieldClassification{}
	var walk func(v any, path []string)
	walk = func(v any, path []string) {
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				p := append(path[:len(path):len(path)], k)
				key := strings.Join(p, ".")
				if _, seen := found[key]; !seen {
					if m, ok := decide(compiled, p); ok {
						found[key] = api.FieldClassification{Path: key, Level: m.winner.policy.Level, PolicyID: m.winner.policy.ID, Pattern: m.pattern}
					}
				}
				walk(child, p)
			}
		case []any:
			for _, child := range x {
				walk(child, path)
			}
		}
	}
	walk(doc, nil)

	res := Result{Level: api.Public, Fields: make([]api.FieldClassification, 0, len(found))}
	for _, f := range found {
		res.Fields = append(res.Fields, f)
		// mutation: equivalent CONDITIONALS_BOUNDARY: levels and ranks are one-to-one, so on equal ranks the level is the same.
		if LevelRank(f.Level) > LevelRank(res.Level) {
			res.Level = f.Level
		}
	}
	// mutation: equivalent CONDITIONALS_BOUNDARY: paths are the keys of a map, so no two fields compare equal.
	sort.Slice(res.Fields, func(i, j int) bool { return res.Fields[i].Path < res.Fields[j].Path })
	return res
}
