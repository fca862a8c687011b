module example.com/bulwark/gofixture

go 1.19

require (
	example.com/bulwark/greet v0.0.0
	github.com/pkg/errors v0.8.1
)

replace example.com/bulwark/greet => ./greet

replace github.com/pkg/errors v0.8.1 => github.com/pkg/errors v0.9.1
