module example.com/modern

go 1.21

toolchain go1.21.5

require (
	github.com/a/b v1.0.0
	github.com/c/d v2.0.0+incompatible // indirect
)

replace github.com/a/b v1.0.0 => github.com/a/b v1.0.1

replace github.com/c/d v9.9.9 => github.com/c/e v1.0.0

retract v0.9.0 // published by mistake
