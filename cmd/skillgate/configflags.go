package main

import (
	"errors"
	"fmt"

	"github.com/skillgate/skillgate/config"
)

// loadConfig reads the configuration every command shares: the file at
// path (built-in defaults when empty), with the --addr and --data flags
// applied over it (empty: not given), validated.
func (a *app) loadConfig(path, addr, dataDir string) (*config.Config, error) {
	cfg := config.Default()
	if path != "" {
		var err error
		if cfg, err = config.Load(path, a.lookupEnv); err != nil {
			return nil, fmt.Errorf("load config:\n%w", err)
		}
	}
	if addr != "" {
		cfg.Server.Addr = addr
	}
	if dataDir != "" {
		cfg.Storage.DataDir = dataDir
	}
	if err := cfg.Validate(); err != nil {
		var problems config.Problems
		if path != "" && errors.As(err, &problems) {
			err = problems.InFile(path)
		}
		return nil, fmt.Errorf("%w: invalid settings:\n%v", errUsage, err)
	}
	return cfg, nil
}
