package config

import (
	"regexp"
	"strconv"
	"strings"
)

var yamlLineError = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// parserMessages are the errors yaml.v3's parser (as opposed to its
// scanner) reports. yaml.v3 v3.0.1 numbers their lines from 0 and leaves
// the number out for the first line; scanner errors are numbered from 1.
var parserMessages = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"found undefined tag handle":             true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

// syntaxProblem turns a yaml.v3 parse error into a Problem with its line,
// correcting yaml.v3's numbering of parser errors.
func syntaxProblem(err error) Problem {
	msg, _ := strings.CutPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLineError.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	if parserMessages[msg] {
		line++
	}
	return Problem{Line: line, Message: "invalid YAML: " + msg}
}
