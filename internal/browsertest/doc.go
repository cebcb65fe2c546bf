// Package browsertest drives a real headless Chromium from end-to-end tests,
// so that the web dashboard is tested the way a person uses it: forms
// filled in and submitted, confirmation dialogs accepted, cookies and HTTP
// status codes checked. New starts one browser per test (through
// chromedp), Browser.Page opens a tab with its own cookie jar, and every
// Page method fails the test, with the current URL and a screenshot saved
// under ArtifactDir, instead of returning an error; every step is bounded
// by a timeout, so a hung browser fails the test rather than hanging it. A
// missing Chromium fails the test too, never skips it: CI installs one
// (apt-get install chromium), and $SKILLGATE_TEST_CHROMIUM points at
// another. Tests only ever visit loopback servers.
package browsertest
