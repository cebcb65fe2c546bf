// Package config loads, checks and describes skillgate's configuration file
// (platform.yaml). Load reads the file, replaces ${VAR} and ${VAR:-default}
// references in scalar values with values from an injected environment
// lookup, decodes the result strictly (unknown fields and wrong types are
// errors), fills in documented defaults and validates the whole, reporting
// every problem at once as Problems, each naming the file, the line and the
// field path. Error messages name fields and mapping keys but never echo a
// configured value, so a secret read from the environment cannot leak into
// logs. Default returns the configuration used when no file is given.
package config
