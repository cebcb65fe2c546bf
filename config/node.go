package config

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Helpers for walking yaml.Node trees and naming their parts.

// joinField appends a mapping key to a field path.
func joinField(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// indexField appends a sequence index to a field path.
func indexField(path string, i int) string {
	return fmt.Sprintf("%s[%d]", path, i)
}

// parentField strips the last key or index from a field path; the parent
// of a top-level field is "".
func parentField(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// underField reports whether field is path or lies beneath it.
func underField(field, path string) bool {
	if path == "" || field == path {
		return true
	}
	return strings.HasPrefix(field, path) &&
		(field[len(path)] == '.' || field[len(path)] == '[')
}

// resolveAlias follows n to the node it stands for.
func resolveAlias(n *yaml.Node) *yaml.Node {
	// Aliases of aliases do not occur in parsed documents, but a loop
	// bounded by a small count costs nothing.
	for i := 0; i < 8 && n.Kind == yaml.AliasNode && n.Alias != nil; i++ {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is an explicit or implicit null (~, null, empty).
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// isMerge reports whether k is the merge key <<, as yaml.v3 decides it.
func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge"
}

// keyName returns the text of a mapping key, and false for keys that are
// not scalars (sequences, mappings).
func keyName(k *yaml.Node) (string, bool) {
	k = resolveAlias(k)
	if k.Kind != yaml.ScalarNode {
		return "", false
	}
	return k.Value, true
}

// describe names the kind of value n holds, for messages; it never
// includes the value itself.
func describe(n *yaml.Node) string {
	n = resolveAlias(n)
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch tag := n.ShortTag(); tag {
		case "!!str":
			return "a string"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		case "!!null":
			return "nothing"
		case "!!timestamp":
			return "a timestamp"
		default:
			return "a value tagged " + tag
		}
	}
	return "nothing"
}
