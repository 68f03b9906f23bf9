package classification

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// The seed document's table: each level's minimum encryption and access.
func TestCheckMinimumSeedTable(t *testing.T) {
	cases := []struct {
		level  api.ClassificationLevel
		enc    api.Encryption
		access api.AccessRule
	}{
		{api.Public, api.None, api.All},
		{api.Internal, api.AtRest, api.Authenticated},
		{api.Confidential, api.AtRestTransit, api.RoleBased},
		{api.Restricted, api.AtRestTransitFieldLevel, api.NeedToKnow},
	}
	for _, tc := range cases {
		t.Run(string(tc.level), func(t *testing.T) {
			if got := MinimumEncryption(tc.level); got != tc.enc {
				t.Errorf("MinimumEncryption = %q, want %q", got, tc.enc)
			}
			if got := MinimumAccess(tc.level); got != tc.access {
				t.Errorf("MinimumAccess = %q, want %q", got, tc.access)
			}
			if p := CheckMinimum(tc.level, tc.enc, tc.access); p != nil {
				t.Errorf("the minimum itself is rejected: %v", p)
			}
			// Anything stronger is accepted too.
			if p := CheckMinimum(tc.level, api.AtRestTransitFieldLevel, api.NeedToKnow); p != nil {
				t.Errorf("the strongest policy is rejected: %v", p)
			}
		})
	}
}

func TestCheckMinimumRejects(t *testing.T) {
	cases := []struct {
		name   string
		level  api.ClassificationLevel
		enc    api.Encryption
		access api.AccessRule
		want   []FieldProblem
	}{
		{
			name: "restricted with at-rest", level: api.Restricted, enc: api.AtRest, access: api.NeedToKnow,
			want: []FieldProblem{{"encryption", `a restricted policy needs encryption "at-rest+transit+field-level" or stronger, got "at-rest"`}},
		},
		{
			name: "restricted with role-based", level: api.Restricted, enc: api.AtRestTransitFieldLevel, access: api.RoleBased,
			want: []FieldProblem{{"access", `a restricted policy needs access "need-to-know" or stricter, got "role-based"`}},
		},
		{
			name: "internal with nothing", level: api.Internal, enc: api.None, access: api.All,
			want: []FieldProblem{
				{"encryption", `an internal policy needs encryption "at-rest" or stronger, got "none"`},
				{"access", `an internal policy needs access "authenticated" or stricter, got "all"`},
			},
		},
		{
			name: "confidential with at-rest", level: api.Confidential, enc: api.AtRest, access: api.NeedToKnow,
			want: []FieldProblem{{"encryption", `a confidential policy needs encryption "at-rest+transit" or stronger, got "at-rest"`}},
		},
		{
			name: "unknown values", level: "secret", enc: "rot13", access: "everyone",
			want: []FieldProblem{
				{"level", `unknown level "secret"; use one of "public", "internal", "confidential", "restricted"`},
				{"encryption", `unknown encryption "rot13"; use one of "none", "at-rest", "at-rest+transit", "at-rest+transit+field-level"`},
				{"access", `unknown access rule "everyone"; use one of "all", "authenticated", "role-based", "need-to-know"`},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckMinimum(tc.level, tc.enc, tc.access)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("CheckMinimum =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
	// FieldProblem is meant to become the API's field error as is.
	_ = api.FieldError(FieldProblem{})
}

func TestValidatePattern(t *testing.T) {
	cases := []struct {
		pattern string
		wantErr string
	}{
		{pattern: "ssn"},
		{pattern: "customer.*"},
		{pattern: "**.ssn"},
		{pattern: "customer.**.card_number"},
		{pattern: "Customer.Credit-Card"},
		{pattern: "*"},
		{pattern: "**"},
		{pattern: "", wantErr: "empty"},
		{pattern: "customer..ssn", wantErr: "empty segment at position 2"},
		{pattern: ".ssn", wantErr: "empty segment at position 1"},
		{pattern: "ssn.", wantErr: "empty segment"},
		{pattern: "***", wantErr: "a wildcard is a whole segment"},
		{pattern: "a.***.b", wantErr: "a wildcard is a whole segment"},
		{pattern: "card_*", wantErr: `segment "card_*"`},
		{pattern: "items[0].ssn", wantErr: `character '['`},
		{pattern: "customer ssn", wantErr: `character ' '`},
		{pattern: "a/b", wantErr: `character '/'`},
		{pattern: strings.Repeat("a", MaxPatternLength+1), wantErr: "longer than"},
		{pattern: strings.Repeat("a", MaxPatternLength)},
		// The ends of each character range (upper case is folded to lower), and their
		// neighbours outside it.
		{pattern: "az.AZ.09._-"},
		{pattern: "a`", wantErr: "character '`'"},
		{pattern: "a{", wantErr: "character '{'"},
		{pattern: "a/", wantErr: "character '/'"},
		{pattern: "a:", wantErr: "character ':'"},
		// Letters outside ASCII are refused, as written, even the two whose lower case is
		// ASCII ('İ' to 'i', the Kelvin sign to 'k'): such a pattern would not match the
		// field it names (found by FuzzPattern).
		{pattern: "é", wantErr: "character 'é'"},
		{pattern: "customer.İban", wantErr: "character 'İ'"},
		{pattern: "\u212Aey", wantErr: "character '\u212a'"},
	}
	for _, tc := range cases {
		t.Run(tc.pattern, func(t *testing.T) {
			err := ValidatePattern(tc.pattern)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidatePattern(%q) = %v", tc.pattern, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("ValidatePattern(%q) = %v, want an error containing %q", tc.pattern, err, tc.wantErr)
			}
		})
	}
}

func TestValidatePatterns(t *testing.T) {
	got := ValidatePatterns([]string{"ssn", "a..b", "ok.*", "x*"})
	if len(got) != 2 || got[0].Field != "field_patterns[1]" || got[1].Field != "field_patterns[3]" {
		t.Errorf("ValidatePatterns = %v", got)
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern string
		path    string
		want    bool
	}{
		{"ssn", "ssn", true},
		{"ssn", "customer.ssn", true},
		{"ssn", "order.customer.ssn", true},
		{"ssn", "customer.ssn_last4", false},
		{"ssn", "ssn.value", false},
		{"SSN", "Customer.Ssn", true},
		{"customer.email", "customer.email", true},
		{"customer.email", "order.customer.email", false},
		{"customer.*", "customer.email", true},
		{"customer.*", "customer.address.city", false},
		{"customer.*", "customer", false},
		{"customer.**", "customer.address.city", true},
		{"customer.**", "customer", true},
		{"**.ssn", "ssn", true},
		{"**.ssn", "a.b.c.ssn", true},
		{"a.**.z", "a.z", true},
		{"a.**.z", "a.b.c.z", true},
		{"a.**.z", "a.b.c.y", false},
		{"a.*.*.z", "a.b.c.z", true},
		{"a.*.*.z", "a.b.z", false},
		{"*.card.*", "payment.card.number", true},
		{"*", "anything", true},
		{"*", "any.depth", true},
		{"**", "x.y.z", true},
		{"a..b", "a..b", false}, // invalid patterns match nothing
		// A pattern saved before ValidatePattern refused 'İ' keeps matching what it matched:
		// masking does not lapse for data it covered.
		{"İban", "customer.iban", true},
		{"İban", "customer.IBAN", true},
		{"**.a.**.a.**.a.**.a.**.a.**.b", strings.Repeat("a.", 60) + "c", false},
	}
	for _, tc := range cases {
		t.Run(tc.pattern+" ~ "+tc.path, func(t *testing.T) {
			start := time.Now()
			if got := Match(tc.pattern, tc.path); got != tc.want {
				t.Errorf("Match(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
			}
			if d := time.Since(start); d > 100*time.Millisecond {
				t.Errorf("Match took %s", d)
			}
		})
	}
}

func policy(id string, level api.ClassificationLevel, patterns ...string) api.ClassificationPolicy {
	return api.ClassificationPolicy{ID: id, Name: id, Level: level, FieldPatterns: patterns,
		Encryption: MinimumEncryption(level), Access: MinimumAccess(level)}
}

// An order from the seed document's order-management application.
const orderJSON = `{
  "order_id": "o-1001",
  "amount": 500,
  "customer": {
    "name": "Ada Lovelace",
    "Email": "ada@example.com",
    "SSN": "123-45-6789",
    "address": {"city": "London", "street": "12 St James's Square"}
  },
  "payment": {"card": {"number": "4111111111111111", "expiry": "12/30"}},
  "items": [
    {"sku": "A1", "qty": 2, "notes": {"ssn": "987-65-4321"}},
    {"sku": "B2", "qty": 1},
    [{"sku": "nested-array"}]
  ],
  "tags": ["vip", "priority"]
}`

// decodeOrder is orderJSON as the platform holds it: a fresh copy on each call.
func decodeOrder(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(orderJSON), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestClassify(t *testing.T) {
	internal := policy("cls_internal", api.Internal, "order_id", "items.sku")
	contact := policy("cls_contact", api.Confidential, "customer.email", "customer.address")
	pii := policy("cls_pii", api.Restricted, "ssn", "payment.card.*")
	everything := policy("cls_all", api.Internal, "**")
	tagsPol := policy("cls_tags", api.Confidential, "tags")

	cases := []struct {
		name      string
		policies  []api.ClassificationPolicy
		wantLevel api.ClassificationLevel
		want      []api.FieldClassification
	}{
		{name: "no policies", wantLevel: api.Public, want: []api.FieldClassification{}},
		{name: "no match", policies: []api.ClassificationPolicy{policy("cls_x", api.Restricted, "passport")},
			wantLevel: api.Public, want: []api.FieldClassification{}},
		{name: "internal only", policies: []api.ClassificationPolicy{internal}, wantLevel: api.Internal,
			want: []api.FieldClassification{
				{Path: "items.sku", Level: api.Internal, PolicyID: "cls_internal", Pattern: "items.sku"},
				{Path: "order_id", Level: api.Internal, PolicyID: "cls_internal", Pattern: "order_id"},
			}},
		{name: "levels, nesting, arrays and case", policies: []api.ClassificationPolicy{internal, contact, pii}, wantLevel: api.Restricted,
			want: []api.FieldClassification{
				{Path: "customer.Email", Level: api.Confidential, PolicyID: "cls_contact", Pattern: "customer.email"},
				{Path: "customer.SSN", Level: api.Restricted, PolicyID: "cls_pii", Pattern: "ssn"},
				{Path: "customer.address", Level: api.Confidential, PolicyID: "cls_contact", Pattern: "customer.address"},
				{Path: "items.notes.ssn", Level: api.Restricted, PolicyID: "cls_pii", Pattern: "ssn"},
				{Path: "items.sku", Level: api.Internal, PolicyID: "cls_internal", Pattern: "items.sku"},
				{Path: "order_id", Level: api.Internal, PolicyID: "cls_internal", Pattern: "order_id"},
				{Path: "payment.card.expiry", Level: api.Restricted, PolicyID: "cls_pii", Pattern: "payment.card.*"},
				{Path: "payment.card.number", Level: api.Restricted, PolicyID: "cls_pii", Pattern: "payment.card.*"},
			}},
		{name: "highest level wins whatever the order", policies: []api.ClassificationPolicy{pii, everything}, wantLevel: api.Restricted,
			want: nil /* checked below */},
		{name: "array of scalars", policies: []api.ClassificationPolicy{tagsPol}, wantLevel: api.Confidential,
			want: []api.FieldClassification{{Path: "tags", Level: api.Confidential, PolicyID: "cls_tags", Pattern: "tags"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := decodeOrder(t)
			res := Classify(doc, tc.policies)
			if res.Level != tc.wantLevel {
				t.Errorf("Level = %q, want %q", res.Level, tc.wantLevel)
			}
			if res.Fields == nil {
				t.Fatal("Fields is nil; the API needs []")
			}
			if tc.want != nil && !reflect.DeepEqual(res.Fields, tc.want) {
				t.Errorf("Fields =\n%+v\nwant\n%+v", res.Fields, tc.want)
			}
			if !reflect.DeepEqual(doc, decodeOrder(t)) {
				t.Error("Classify changed the document")
			}
			// Same input, same output: map iteration order must not leak.
			for i := 0; i < 5; i++ {
				if again := Classify(doc, tc.policies); !reflect.DeepEqual(again, res) {
					t.Fatalf("Classify is not deterministic:\n%+v\n%+v", again, res)
				}
			}
		})
	}

	t.Run("highest level per field", func(t *testing.T) {
		for _, order := range [][]api.ClassificationPolicy{{pii, everything}, {everything, pii}} {
			res := Classify(decodeOrder(t), order)
			byPath := map[string]api.FieldClassification{}
			for _, f := range res.Fields {
				byPath[f.Path] = f
			}
			if f := byPath["customer.SSN"]; f.PolicyID != "cls_pii" || f.Level != api.Restricted {
				t.Errorf("customer.SSN = %+v, want cls_pii restricted", f)
			}
			if f := byPath["customer.name"]; f.PolicyID != "cls_all" || f.Level != api.Internal {
				t.Errorf("customer.name = %+v, want cls_all internal", f)
			}
		}
	})

	t.Run("converts to the API response", func(t *testing.T) {
		resp := api.ClassifyResponse(Classify(decodeOrder(t), []api.ClassificationPolicy{pii}))
		if resp.Level != api.Restricted {
			t.Errorf("Level = %q", resp.Level)
		}
	})
}

// get follows a dotted path, stepping into the first element of arrays.
func get(v any, path string) any {
	for _, seg := range strings.Split(path, ".") {
		for {
			a, ok := v.([]any)
			if !ok || len(a) == 0 {
				break
			}
			v = a[0]
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[seg]
	}
	return v
}

func TestClassifyPublicAndTies(t *testing.T) {
	first := policy("cls_first", api.Confidential, "email")
	second := policy("cls_second", api.Confidential, "customer.email")
	public := policy("cls_public", api.Public, "note")
	doc := map[string]any{"customer": map[string]any{"email": "ada@example.com"}, "note": "hello"}
	cases := []struct {
		name     string
		policies []api.ClassificationPolicy
		want     []api.FieldClassification
	}{
		{"a public policy classifies its fields too", []api.ClassificationPolicy{public}, []api.FieldClassification{
			{Path: "note", Level: api.Public, PolicyID: "cls_public", Pattern: "note"}}},
		{"among equal levels the first policy decides", []api.ClassificationPolicy{first, second}, []api.FieldClassification{
			{Path: "customer.email", Level: api.Confidential, PolicyID: "cls_first", Pattern: "email"}}},
		{"in the caller's order", []api.ClassificationPolicy{second, first}, []api.FieldClassification{
			{Path: "customer.email", Level: api.Confidential, PolicyID: "cls_second", Pattern: "customer.email"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Classify(doc, tc.policies)
			if !reflect.DeepEqual(got.Fields, tc.want) {
				t.Errorf("Fields = %+v, want %+v", got.Fields, tc.want)
			}
		})
	}
}
