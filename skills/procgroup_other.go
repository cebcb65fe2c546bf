//go:build !unix

package skills

import (
	"os"
	"os/exec"
)

// startInGroup does nothing where process groups do not exist; only the
// script itself, not its children, is killed on timeout.
func startInGroup(*exec.Cmd) {}

// killGroup kills the process pid.
func killGroup(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return nil
	}
	p.Kill()
	return nil
}

func isTextBusy(error) bool { return false }
