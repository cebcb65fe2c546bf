package config

import "testing"

func TestProblemString(t *testing.T) {
	tests := []struct {
		name string
		p    Problem
		want string
	}{
		{"everything", Problem{File: "p.yaml", Line: 7, Field: "a.b", Message: "bad"}, "p.yaml:7: a.b: bad"},
		{"no line", Problem{File: "p.yaml", Field: "a.b", Message: "bad"}, "p.yaml: a.b: bad"},
		{"no file", Problem{Line: 3, Field: "a.b", Message: "bad"}, "line 3: a.b: bad"},
		{"no field", Problem{File: "p.yaml", Line: 2, Message: "bad"}, "p.yaml:2: bad"},
		{"message only", Problem{Message: "bad"}, "bad"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestProblemsError(t *testing.T) {
	ps := Problems{{Field: "a", Message: "x"}, {File: "f", Field: "b", Message: "y"}}
	if got, want := ps.Error(), "a: x\nf: b: y"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := ps.InFile("p.yaml").Error(), "p.yaml: a: x\nf: b: y"; got != want {
		t.Errorf("InFile().Error() = %q, want %q", got, want)
	}
	if ps[0].File != "" {
		t.Errorf("InFile changed its receiver")
	}
}

func TestProblemsSortByLine(t *testing.T) {
	ps := Problems{{Line: 0, Message: "a"}, {Line: 9, Message: "b"}, {Line: 2, Message: "c"}, {Line: 0, Message: "d"}, {Line: 2, Message: "e"}}
	ps.sortByLine()
	var got string
	for _, p := range ps {
		got += p.Message
	}
	if want := "cebad"; got != want {
		t.Errorf("order %q, want %q", got, want)
	}
}
