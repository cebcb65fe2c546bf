package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Load reads the YAML file at path and returns the configuration it
// describes: environment references interpolated with lookupEnv (pass
// os.LookupEnv in production), decoded strictly, defaults applied (see
// ApplyDefaults) and validated. Every problem in the file is reported
// together as Problems, each naming path, the line and the field. Only a
// file that cannot be read gives a different error, wrapping the one from
// os.ReadFile.
func Load(path string, lookupEnv func(string) (string, bool)) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	c, ps := parse(data, lookupEnv)
	if len(ps) > 0 {
		return nil, ps.InFile(path)
	}
	return c, nil
}

// parse turns the bytes of a config file into a validated Config, or the
// problems that prevent it (without a file name).
func parse(data []byte, lookupEnv func(string) (string, bool)) (*Config, Problems) {
	root, ps := parseDocument(data)
	if len(ps) > 0 {
		return nil, ps
	}
	c := new(Config)
	if root != nil {
		interpolateTree(root, "", lookupEnv, func(line int, field string, err error) {
			ps = append(ps, Problem{Line: line, Field: field, Message: err.Error()})
		})
		shape := newShapeChecker()
		shape.check(root, reflect.TypeFor[Config](), "")
		ps = append(ps, shape.problems...)
		if shape.unsafe {
			ps.sortByLine()
			return nil, ps
		}
		if err := decodeNode(root, c); err != nil && len(ps) == 0 {
			// The shape check should have caught anything the decoder
			// rejects; report the decoder's lines without its text, which
			// may quote a secret.
			ps = append(ps, decodeProblems(err)...)
		}
		c.ApplyDefaults()
		ps = append(ps, withoutKnownBad(c.validate(shape.lineOf), ps)...)
	} else {
		c.ApplyDefaults()
		ps = append(ps, c.validate(func(string) int { return 0 })...)
	}
	if len(ps) > 0 {
		ps.sortByLine()
		return nil, ps
	}
	return c, nil
}

// withoutKnownBad drops validation problems about fields that already have
// a problem in known, such as "key is empty" for a key whose environment
// variable is unset.
func withoutKnownBad(found, known Problems) Problems {
	var out Problems
next:
	for _, p := range found {
		for _, k := range known {
			if underField(p.Field, k.Field) {
				continue next
			}
		}
		out = append(out, p)
	}
	return out
}

// parseDocument parses data into a document node; nil means the file holds
// no document (it is empty or all comments). More than one document is a
// problem.
func parseDocument(data []byte) (*yaml.Node, Problems) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := decodeStream(dec, &doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, Problems{syntaxProblem(err)}
	}
	var extra yaml.Node
	switch err := decodeStream(dec, &extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, Problems{syntaxProblem(err)}
	case len(extra.Content) > 0 && !isNull(extra.Content[0]):
		return nil, Problems{{Line: extra.Line, Message: "only one YAML document is allowed (remove the ---)"}}
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 0 {
		return nil, nil
	}
	return &doc, nil
}

// decodeProblems reports a decode error by line only.
func decodeProblems(err error) Problems {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return Problems{{Message: "cannot decode the document"}}
	}
	var ps Problems
	for _, e := range te.Errors {
		p := Problem{Message: "value does not fit its field"}
		if m := yamlLineError.FindStringSubmatch(e); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
		}
		ps = append(ps, p)
	}
	return ps
}

// decodeStream and decodeNode call into yaml.v3, turning a panic inside
// it into an error: Load must survive any input, and yaml.v3 has had
// panics on malformed documents.
func decodeStream(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer recoverYAML(&err)
	return dec.Decode(n)
}

func decodeNode(n *yaml.Node, c *Config) (err error) {
	defer recoverYAML(&err)
	return n.Decode(c)
}

func recoverYAML(err *error) {
	if r := recover(); r != nil {
		*err = errors.New("yaml: the YAML library failed on this document")
	}
}
