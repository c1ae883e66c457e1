module example.com/legacy

go 1.14

require (
	github.com/pkg/errors v0.9.1
	golang.org/x/text v0.3.2 // indirect
	github.com/old/lib v1.0.0
	example.com/local v0.0.0
)

require github.com/single/line v1.2.3

replace github.com/old/lib => github.com/new/lib v1.1.0

replace example.com/local => ../local

exclude github.com/pkg/errors v0.8.0
