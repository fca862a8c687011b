// Package greet is a local module pulled in through a replace directive.
package greet

// Hello returns a greeting.
func Hello() string { return "hello" }
