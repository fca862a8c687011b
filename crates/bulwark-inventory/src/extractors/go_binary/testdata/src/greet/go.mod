module example.com/bulwark/greet

go 1.19
