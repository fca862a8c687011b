package user.dockerfile.broken

deny[msg] {
	cmd := input.Stages[_].Commands[_]
	cmd.Cmd == "add" ==
	msg := "no ADD"
}
