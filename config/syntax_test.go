package config

import (
	"strings"
	"testing"
)

func TestSyntaxProblemLines(t *testing.T) {
	tests := []struct {
		name     string
		yaml     string
		wantLine int
		wantMsg  string
	}{
		{"scanner error", doc("server:", "  addr: a: b"), 2, "mapping values are not allowed"},
		{"tab indentation", doc("server:", "\taddr: x"), 2, "found character that cannot start any token"},
		// The list opens on line 1; yaml.v3 notices on line 2.
		{"parser error near line one", doc("server: [a", "storage: {}"), 2, "did not find expected ',' or ']'"},
		{"parser error further down", doc("server:", "  addr: x", "storage: {", "  driver: sqlite", "skills: {}"), 3, "did not find expected ',' or '}'"},
		{"parser error in block", doc("server:", "  addr: x", " storage: y"), 3, "did not find expected key"},
		// yaml.v3 gives no line for this one.
		{"unknown anchor", doc("server: *nope"), 0, "unknown anchor 'nope' referenced"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := parseDocument([]byte(tc.yaml))
			if len(ps) != 1 {
				t.Fatalf("got %d problems %v, want 1", len(ps), ps)
			}
			if ps[0].Line != tc.wantLine || !strings.Contains(ps[0].Message, tc.wantMsg) {
				t.Errorf("got %q at line %d, want %q at line %d", ps[0].Message, ps[0].Line, tc.wantMsg, tc.wantLine)
			}
		})
	}
}
