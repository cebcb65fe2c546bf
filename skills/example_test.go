package skills_test

import (
	"context"
	"fmt"
	"log"

	"github.com/skillgate/skillgate/skills"
)

func ExampleLoad() {
	cat, err := skills.Load(context.Background(), skills.Bundled())
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range cat.Visible(skills.Viewer{User: "alice", Teams: []string{"analytics"}}) {
		fmt.Println(s.ID)
	}
	// Output:
	// shared/code-review
	// shared/commit-messages
	// shared/hello-world
	// teams/analytics/sql-style
}

func ExampleRunner_Run() {
	cat, err := skills.Load(context.Background(), skills.Bundled())
	if err != nil {
		log.Fatal(err)
	}
	r := skills.NewRunner(skills.RunnerConfig{})
	res, err := r.Run(context.Background(), cat, "shared/hello-world", "scripts/greet.sh", []string{"Ada"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(res.Stdout)
	fmt.Println("exit", res.ExitCode)
	// Output:
	// Hello, Ada!
	// exit 0
}

func ExampleMatch() {
	s := skills.Skill{ID: "shared/commit-messages", Name: "commit-messages", Description: "Write clear commit messages."}
	fmt.Println(skills.Match(s, "COMMIT"), skills.Match(s, "sql"))
	// Output: true false
}
