package personas

// Match reports whether name matches the glob pattern, where '*' matches any
// run of characters (including '/', so "shared/*" covers every shared skill)
// and '?' matches exactly one byte. Every other byte matches itself. Unlike
// path.Match there are no character classes, so no pattern is malformed.
func Match(pattern, name string) bool {
	// Iterative matching with one backtrack point: linear in practice and
	// never exponential, whatever the pattern.
	p, n := 0, 0
	star, mark := -1, 0
	for n < len(name) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == name[n]):
			p++
			n++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, n
			p++
		case star >= 0:
			p = star + 1
			mark++
			n = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
