package postgres

import "time"

// Conversions between store values and PostgreSQL columns. timestamptz
// keeps microseconds (pgx truncates finer precision), and NULL is the zero
// time. text[] columns are NOT NULL where an empty list and a missing one
// mean the same; where nil has its own meaning (a key's scopes and allowed
// skills) the column is nullable and nil is stored as NULL.

// timeArg is t as a timestamptz argument: NULL for the zero time.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// timeValue is a scanned nullable timestamptz as a UTC time, zero for NULL.
func timeValue(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// listArg is l as an argument for a NOT NULL text[] column: nil is stored
// as the empty array.
func listArg(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// nullListArg is l as an argument for a nullable text[] column whose NULL
// means something else than the empty array: nil is NULL, empty is '{}'.
func nullListArg(l []string) any {
	if l == nil {
		return nil
	}
	return l
}

// listValue is a scanned text[] with an empty array returned as nil, as the
// store's types want.
func listValue(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return l
}

// nullListValue is a scanned nullable text[] whose NULL has its own
// meaning: NULL is nil, an empty array a non-nil empty list.
func nullListValue(l []string, valid bool) []string {
	if !valid {
		return nil
	}
	if l == nil {
		return []string{}
	}
	return l
}
