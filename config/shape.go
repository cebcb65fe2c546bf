package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxShapeVisits bounds the work of checking one document, so that a small
// file full of nested aliases cannot make Load run for ever.
const maxShapeVisits = 100_000

var durationType = reflect.TypeFor[Duration]()

// shapeChecker walks a yaml.Node tree alongside the Go type it will be
// decoded into and records what does not fit: unknown fields, keys set
// twice and values of the wrong kind. yaml.v3's Node.Decode has no
// KnownFields option, and its type errors quote the offending value, which
// may be a secret; this walk reports the same problems with field paths
// and without values. It also records the line of every field it meets.
type shapeChecker struct {
	problems Problems
	// lines maps a field path to the line of its key (or list item).
	lines map[string]int
	// unsafe is set when the tree holds something yaml.v3's decoder may
	// not survive (complex keys, self-referencing aliases) or too much to
	// check; the document must then not be decoded.
	unsafe    bool
	visits    int
	exhausted bool
	// via is the line of the alias being expanded, if any: problems inside
	// an alias are reported where the alias is used, not at its anchor.
	via       int
	expanding map[*yaml.Node]bool
}

func newShapeChecker() *shapeChecker {
	return &shapeChecker{lines: map[string]int{}, expanding: map[*yaml.Node]bool{}}
}

// lineOfNode is the line to report for n: its own, or the alias's when n
// was reached through one.
func (s *shapeChecker) lineOfNode(n *yaml.Node) int {
	if s.via > 0 {
		return s.via
	}
	return n.Line
}

func (s *shapeChecker) add(line int, field, msg string) {
	s.problems = append(s.problems, Problem{Line: line, Field: field, Message: msg})
}

// recordLine remembers where field is written, keeping the first sighting.
func (s *shapeChecker) recordLine(field string, line int) {
	if _, ok := s.lines[field]; !ok {
		s.lines[field] = line
	}
}

// lineOf returns the line a field, or failing that its nearest written
// ancestor, appears on; 0 if none does.
func (s *shapeChecker) lineOf(field string) int {
	for ; field != ""; field = parentField(field) {
		if line, ok := s.lines[field]; ok {
			return line
		}
	}
	return 0
}

// check verifies that n can be decoded into a value of type t.
func (s *shapeChecker) check(n *yaml.Node, t reflect.Type, path string) {
	if s.visits++; s.visits > maxShapeVisits {
		if !s.exhausted {
			s.add(s.lineOfNode(n), "", "document is too large or expands too many aliases")
			s.exhausted = true
		}
		s.unsafe = true
		return
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			s.check(c, t, path)
		}
		return
	case yaml.AliasNode:
		if n.Alias == nil {
			return
		}
		if s.expanding[n.Alias] {
			s.add(s.lineOfNode(n), path, "alias refers to a value that contains it")
			s.unsafe = true
			return
		}
		s.expanding[n.Alias] = true
		outer := s.via
		if outer == 0 {
			s.via = n.Line
		}
		s.check(n.Alias, t, path)
		s.via = outer
		delete(s.expanding, n.Alias)
		return
	}
	if isNull(n) {
		return // null decodes to the zero value of any type
	}
	if t == durationType {
		if _, msg := parseDuration(n); msg != "" {
			s.add(s.lineOfNode(n), path, msg)
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		s.check(n, t.Elem(), path)
	case reflect.Struct, reflect.Map:
		s.mapping(n, t, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			msg := "must be a list, got " + describe(n)
			if n.Kind == yaml.ScalarNode {
				msg += " (write [value] for a list of one)"
			}
			s.add(s.lineOfNode(n), path, msg)
			return
		}
		for i, c := range n.Content {
			field := indexField(path, i)
			s.recordLine(field, s.lineOfNode(c))
			s.check(c, t.Elem(), field)
		}
	default:
		s.scalar(n, t, path)
	}
}

// mapping checks a mapping decoded into a struct (known fields only) or a
// map (any key).
func (s *shapeChecker) mapping(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.MappingNode {
		s.add(s.lineOfNode(n), path, "must be a mapping, got "+describe(n))
		return
	}
	seen := map[string]int{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isMerge(k) {
			merges = append(merges, v)
			continue
		}
		name, ok := keyName(k)
		if !ok {
			s.add(s.lineOfNode(k), path, "a key must be a plain string, got "+describe(k))
			s.unsafe = true
			continue
		}
		field := joinField(path, name)
		if first, dup := seen[name]; dup {
			s.add(s.lineOfNode(k), field, fmt.Sprintf("set twice (first at line %d)", first))
			continue
		}
		seen[name] = k.Line
		ft, known := fieldType(t, name)
		if !known {
			s.add(s.lineOfNode(k), field, "unknown field (known fields: "+strings.Join(fieldNames(t), ", ")+")")
			continue
		}
		s.recordLine(field, s.lineOfNode(k))
		s.check(v, ft, field)
	}
	for _, m := range merges {
		s.merge(m, t, path)
	}
}

// merge checks the value of a << key: a mapping, or a list of mappings,
// usually given as aliases.
func (s *shapeChecker) merge(m *yaml.Node, t reflect.Type, path string) {
	items := []*yaml.Node{m}
	if m.Kind == yaml.SequenceNode {
		items = m.Content
	}
	for _, it := range items {
		if resolveAlias(it).Kind != yaml.MappingNode {
			s.add(s.lineOfNode(it), path, "<< must merge a mapping or a list of mappings, got "+describe(it))
			// yaml.v3 aborts the whole decode on a bad merge.
			s.unsafe = true
			continue
		}
		s.check(it, t, path)
	}
}

// scalar checks a value decoded into a string, number or boolean.
func (s *shapeChecker) scalar(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.ScalarNode {
		s.add(s.lineOfNode(n), path, "must be "+wantKind(t)+", got "+describe(n))
		return
	}
	// The decoder's own error would quote the value; only its verdict is used.
	if err := n.Decode(reflect.New(t).Interface()); err != nil {
		s.add(s.lineOfNode(n), path, "must be "+wantKind(t)+", got "+describe(n))
	}
}

// fieldType returns the type a mapping key decodes into: for a struct, the
// field whose yaml name is key; for a map, the element type.
func fieldType(t reflect.Type, key string) (reflect.Type, bool) {
	if t.Kind() == reflect.Map {
		return t.Elem(), true
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if yamlName(f) == key {
			return f.Type, true
		}
	}
	return nil, false
}

// fieldNames lists the yaml names of a struct's fields, sorted.
func fieldNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		if name := yamlName(t.Field(i)); name != "" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// yamlName is the key yaml.v3 uses for a struct field, or "" if none.
func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return strings.ToLower(f.Name)
	}
	return name
}

// wantKind describes, for messages, the YAML value a Go type accepts.
func wantKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "a mapping"
	case reflect.Pointer:
		return wantKind(t.Elem())
	}
	return t.String()
}
