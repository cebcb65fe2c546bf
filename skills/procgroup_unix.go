//go:build unix

package skills

import (
	"errors"
	"os/exec"
	"syscall"
)

// startInGroup makes cmd the leader of a new process group, so that it and
// everything it starts can be killed together.
func startInGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup sends SIGKILL to the process group led by pid. A group that is
// already gone is not an error.
func killGroup(pid int) error {
	err := syscall.Kill(-pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// isTextBusy reports whether starting failed because the freshly written
// script was still open for writing in a process forked concurrently.
func isTextBusy(err error) bool {
	return errors.Is(err, syscall.ETXTBSY)
}
