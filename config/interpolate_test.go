package config

import (
	"strings"
	"testing"
)

func TestInterpolate(t *testing.T) {
	e := env{"HOST": "db", "PORT": "5432", "EMPTY": "", "SECRET": secretAdmin, "TRICKY": "${HOST}"}
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string
	}{
		{name: "no references", in: "plain text", want: "plain text"},
		{name: "whole value", in: "${HOST}", want: "db"},
		{name: "nested in string", in: "postgres://${HOST}:${PORT}/x", want: "postgres://db:5432/x"},
		{name: "default used when unset", in: "${NOPE:-fallback}", want: "fallback"},
		{name: "default ignored when set", in: "${HOST:-fallback}", want: "db"},
		{name: "empty default", in: "a${NOPE:-}b", want: "ab"},
		{name: "default with colon and dash", in: "${NOPE:-a:-b}", want: "a:-b"},
		// An empty variable counts as set, unlike the shell's :- operator.
		{name: "empty var counts as set", in: "[${EMPTY:-x}]", want: "[]"},
		{name: "dollar escape", in: "cost $$5", want: "cost $5"},
		{name: "escaped reference", in: "$${HOST}", want: "${HOST}"},
		{name: "lone dollar kept", in: "a $ b $x", want: "a $ b $x"},
		{name: "trailing dollar kept", in: "a$", want: "a$"},
		{name: "values are not interpolated again", in: "${TRICKY}", want: "${HOST}"},
		{name: "unset", in: "x${API_KEY_ADMIN}", wantErr: "environment variable API_KEY_ADMIN is not set (set it, or write ${API_KEY_ADMIN:-value})"},
		{name: "unterminated", in: "${HOST", wantErr: "without a closing }"},
		{name: "empty name", in: "${}", wantErr: "malformed reference"},
		{name: "bad name", in: "${1ABC}", wantErr: "malformed reference"},
		{name: "space in name", in: "${A B}", wantErr: "malformed reference"},
		{name: "other operator", in: "${HOST:=x}", wantErr: "malformed reference"},
		{name: "nested default", in: "${NOPE:-${HOST}}", wantErr: "not supported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Interpolate(tc.in, e.lookup)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got (%q, %v), want error containing %q", got, err, tc.wantErr)
				}
				assertNoSecrets(t, err.Error())
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestInterpolateReportsEveryUnsetVariable(t *testing.T) {
	_, err := Interpolate("${A}-${B}", nil)
	if err == nil {
		t.Fatal("got nil error")
	}
	for _, name := range []string{"A", "B"} {
		if !strings.Contains(err.Error(), "variable "+name+" is not set") {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
}

func FuzzInterpolate(f *testing.F) {
	for _, s := range []string{"", "plain", "${A}", "${A:-x}", "$$", "$${A}", "${", "a${B}c${A:-}", "${A:-${B}}"} {
		f.Add(s)
	}
	lookup := env{"A": "alpha", "B": "", "C": "$${A}"}.lookup
	f.Fuzz(func(t *testing.T, s string) {
		out, err := Interpolate(s, lookup)
		if err != nil {
			if out != "" {
				t.Errorf("got output %q along with error %v", out, err)
			}
			return
		}
		if !strings.Contains(s, "$") && out != s {
			t.Errorf("Interpolate(%q) = %q; text without $ must come back unchanged", s, out)
		}
		// Escaping every $ makes any string come back as it was.
		escaped := strings.ReplaceAll(s, "$", "$$")
		if back, err := Interpolate(escaped, lookup); err != nil || back != s {
			t.Errorf("Interpolate(%q) = (%q, %v), want %q", escaped, back, err, s)
		}
	})
}
