//go:build !amd64

package noise

func clearUpperVectorState() {}
