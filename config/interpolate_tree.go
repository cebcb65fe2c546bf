package config

import "gopkg.in/yaml.v3"

// interpolateTree replaces environment references in every scalar value
// under n, in place, and calls report for each reference that fails.
// Mapping keys and comments are left alone, and aliases are not followed
// (their anchor is interpolated where it is defined). Because substitution
// happens after parsing, a value can never change the document's structure.
//
// A plain scalar that changed has its tag resolved again, so that
// "priority: ${PRIO:-5}" is an integer; quoted and explicitly tagged
// scalars keep their tag.
func interpolateTree(n *yaml.Node, path string, lookupEnv func(string) (string, bool), report func(line int, field string, err error)) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			interpolateTree(c, path, lookupEnv, report)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			field := path
			if !isMerge(k) {
				name, _ := keyName(k)
				field = joinField(path, name)
			}
			interpolateTree(v, field, lookupEnv, report)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			interpolateTree(c, indexField(path, i), lookupEnv, report)
		}
	case yaml.ScalarNode:
		out, errs := interpolate(n.Value, lookupEnv)
		for _, err := range errs {
			report(n.Line, path, err)
		}
		if out == n.Value {
			return
		}
		n.Value = out
		if n.Style&(yaml.TaggedStyle|yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
			n.Tag = ""
			n.Tag = n.ShortTag()
		}
	}
}
